import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { parseIpv4Loose } from "../../../src/core/sanitize/address.js";
import { sanitize, scan } from "../../../src/core/sanitize/sanitize.js";
import { CLEAN } from "./examples.js";

/** A generated secret in the form it appears in logs, and the part of it that must never be posted. */
interface Planted {
  text: string;
  secret: string;
}

const chars = (cls: string, min: number, max = min): fc.Arbitrary<string> =>
  fc.stringMatching(new RegExp(`^[${cls}]{${min},${max}}$`));
const ALNUM = "A-Za-z0-9";
const K8S = "bcdfghjklmnpqrstvwxz2456789";
const K8S_LETTERS = "bcdfghjklmnpqrstvwxz";
/** Distinctive names: a "zq" prefix keeps a generated secret from occurring by chance in the clean tokens. */
const distinctName = chars("a-z0-9", 6, 10).map((s) => "zq" + s);
const b64 = (s: string): string => Buffer.from(s).toString("base64");

const planted = (text: string, secret: string): Planted => ({ text, secret });
const octet = fc.integer({ min: 0, max: 255 });

/** One arbitrary per rule, generating that rule's shape. */
const SECRETS: Record<string, fc.Arbitrary<Planted>> = {
  "private-key": fc
    .array(chars("A-Za-z0-9+/", 24, 64), { minLength: 1, maxLength: 6 })
    .map((body) =>
      planted(["-----BEGIN RSA PRIVATE KEY-----", ...body, "-----END RSA PRIVATE KEY-----"].join("\n"), body[0] ?? ""),
    ),
  "github-token": fc
    .tuple(fc.constantFrom("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), chars(ALNUM, 36, 60))
    .map(([p, t]) => planted(p + t, p + t)),
  "github-pat": chars(ALNUM + "_", 82).map((t) => planted("github_pat_" + t, t)),
  "aws-access-key": fc
    .tuple(fc.constantFrom("AKIA", "ASIA", "ABIA", "ACCA"), chars("A-Z2-7", 16))
    .map(([p, k]) => planted(p + k, p + k)),
  "aws-secret-key": chars("A-Za-z0-9/+", 40).map((k) => planted(`aws_secret_access_key=${k}`, k)),
  "gcp-api-key": chars(ALNUM + "_-", 35).map((k) => planted("AIza" + k, k)),
  "gcp-service-account": chars(ALNUM, 16, 40).map((k) => planted(`"private_key": "${k}"`, k)),
  "slack-webhook": chars(ALNUM, 24, 48).map((k) => planted(`https://hooks.slack.com/services/T0/B0/${k}`, k)),
  "slack-token": fc.tuple(chars("0-9", 10, 13), chars(ALNUM, 16, 32)).map(([n, k]) => planted(`xoxb-${n}-${k}`, k)),
  jwt: fc
    .tuple(chars(ALNUM + "_-", 10, 40), chars(ALNUM + "_-", 10, 80), chars(ALNUM + "_-", 16, 43))
    .map(([h, p, s]) => planted(`eyJ${h}.eyJ${p}.${s}`, `${p}.${s}`)),
  "kubeconfig-data": chars("A-Za-z0-9+/", 24, 80).map((k) => planted(`client-key-data: ${k}`, k)),
  "database-url": fc
    .tuple(distinctName, chars(ALNUM, 8, 16))
    .map(([h, p]) => planted(`postgres://app:${p}@${h}.example.com:5432/db`, h)),
  "url-credentials": fc
    .tuple(chars("a-z", 3, 8), chars(ALNUM, 8, 16))
    .map(([u, p]) => planted(`https://${u}:${p}@example.com/x`, p)),
  "authorization-header": chars(ALNUM, 16, 40).map((t) => planted(`Authorization: token ${t}7`, `${t}7`)),
  "bearer-token": chars(ALNUM + "._-", 20, 40).map((t) => planted(`Bearer ${t}`, t)),
  "basic-auth": fc
    .tuple(chars("a-z", 3, 8), chars(ALNUM, 6, 16))
    .map(([u, p]) => planted(`Basic ${b64(`${u}:${p}`)}`, b64(`${u}:${p}`))),
  "secret-assignment": chars(ALNUM, 8, 16).map((v) => planted(`password=Pw${v}9`, `Pw${v}9`)),
  "kube-server": distinctName.map((h) => planted(`server: https://${h}.eks.amazonaws.com`, h)),
  "internal-url": fc
    .tuple(distinctName, chars("a-z0-9/", 1, 20))
    .map(([h, p]) => planted(`http://${h}.svc:8080/${p}`, h)),
  "internal-host": fc
    .tuple(distinctName, fc.constantFrom("svc", "cluster.local", "internal", "corp", "local", "lan"))
    .map(([h, s]) => planted(`${h}.${s}`, h)),
  "private-ipv4": fc
    .oneof(
      fc.tuple(fc.constant(10), octet, octet, octet),
      fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), octet, octet),
      fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
      fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), octet, octet),
      fc.tuple(fc.constant(169), fc.constant(254), octet, octet),
      fc.tuple(fc.constant(127), octet, octet, octet),
    )
    .map((o) => planted(o.join("."), o.join("."))),
  "private-ipv6": fc
    .tuple(
      fc.constantFrom("fe80", "fe9a", "febf", "fc00", "fd12"),
      fc.array(chars("0-9a-f", 1, 4), { minLength: 1, maxLength: 3 }),
    )
    .map(([p, rest]) => planted(`${p}::${rest.join(":")}`, `${p}::${rest.join(":")}`)),
  "k8s-pod": fc
    .tuple(
      fc.constantFrom("trainer", "moonlight-eval", "nmoe-ddp"),
      chars(K8S, 9),
      chars(K8S, 4),
      chars(K8S_LETTERS, 1),
    )
    .map(([name, hash, suffix, letter]) =>
      planted(`${name}-${hash}7-${suffix}${letter}`, `${hash}7-${suffix}${letter}`),
    ),
  "k8s-namespace": distinctName.map((ns) => planted(`--namespace=${ns}`, ns)),
  "pvc-name": fc.uuid().map((u) => planted(`pvc-${u}`, u)),
};

const cleanToken = fc.constantFrom(...CLEAN);
const separator = fc.constantFrom(" ", "\n", ", ", "\t", " | ", "\r\n", "\n\n");
const anySecret = fc.oneof(...Object.values(SECRETS));

/** A document of clean tokens and planted secrets, joined by separators. */
function documentOf(
  part: fc.Arbitrary<{ text: string; secret?: string }>,
): fc.Arbitrary<{ text: string; secrets: string[] }> {
  return fc.array(fc.tuple(part, separator), { minLength: 1, maxLength: 12 }).map((parts) => ({
    text: parts.map(([p, sep]) => p.text + sep).join(""),
    secrets: parts.flatMap(([p]) => (p.secret === undefined ? [] : [p.secret])),
  }));
}

const cleanPart = cleanToken.map((text) => ({ text }));
const mixedDocument = documentOf(fc.oneof(cleanPart, anySecret));
/** Secrets glued to clean tokens and junk without separators: the hardest input for idempotency. */
const gluedText = fc
  .array(
    fc.oneof(
      anySecret.map((p) => p.text),
      cleanToken,
      fc.string({ maxLength: 8 }),
      fc.constantFrom(":", "@", "/", "=", "-", ".", "[redacted:jwt]"),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));
const lines = (s: string): number => s.split("\n").length;

describe("sanitizer properties", () => {
  test.each(Object.entries(SECRETS))("a generated %s never survives, wherever it appears", (_rule, arb) => {
    fc.assert(
      fc.property(documentOf(fc.oneof(cleanPart, arb)), (doc) => {
        const out = sanitize(doc.text).text;
        for (const secret of doc.secrets) expect(out).not.toContain(secret);
      }),
    );
  });

  test("sanitizing is idempotent", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mixedDocument.map((d) => d.text),
          gluedText,
          fc.string({ unit: "binary-ascii", maxLength: 200 }),
        ),
        (text) => {
          const once = sanitize(text).text;
          expect(sanitize(once).text).toBe(once);
        },
      ),
      { numRuns: 300 },
    );
  });

  // The second pass looks again only at the lines of the placeholders it made (sanitize.ts), which is
  // sound because no rule but a PEM block matches across a line break: a text sanitizes line by line.
  test("a text without PEM blocks sanitizes line by line, long lines included", () => {
    const line = fc.oneof(
      gluedText,
      mixedDocument.map((d) => d.text.replaceAll("\n", " ")),
    );
    const longLine = fc.tuple(line, fc.nat({ max: 3000 }), line).map(([a, n, b]) => `${a} ${"x ".repeat(n)}${b}`);
    fc.assert(
      fc.property(fc.array(fc.oneof(line, longLine), { minLength: 1, maxLength: 8 }), (parts) => {
        const lines = parts.map((p) => p.replaceAll("\n", " ")).filter((p) => !p.includes("PRIVATE KEY"));
        const whole = sanitize(lines.join("\n")).text;
        expect(whole).toBe(lines.map((l) => sanitize(l).text).join("\n"));
        expect(sanitize(whole).text).toBe(whole);
      }),
      { numRuns: 200 },
    );
  });

  test("clean text is unchanged byte for byte", () => {
    fc.assert(
      fc.property(documentOf(cleanPart), (doc) => {
        expect(sanitize(doc.text, { allowedHosts: ["github.com"] })).toEqual({ text: doc.text, findings: [] });
      }),
    );
  });

  test("every line count is preserved", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          mixedDocument.map((d) => d.text),
          fc.string({ unit: "binary", maxLength: 300 }),
        ),
        (text) => {
          expect(lines(sanitize(text).text)).toBe(lines(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("findings carry rule, line and column only, never the secret", () => {
    fc.assert(
      fc.property(mixedDocument, (doc) => {
        const { findings } = sanitize(doc.text);
        expect(findings.length).toBeGreaterThanOrEqual(doc.secrets.length > 0 ? 1 : 0);
        for (const f of findings) expect(Object.keys(f).sort()).toEqual(["column", "line", "rule"]);
        const serialised = JSON.stringify(findings);
        for (const secret of doc.secrets) expect(serialised).not.toContain(secret);
        expect(scan(doc.text)).toEqual(findings);
      }),
    );
  });
});

describe("parseIpv4Loose reads hosts the way a URL parser does", () => {
  const part = fc.oneof(
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.integer({ min: 0, max: 2 ** 32 + 5 }).map(String),
    fc.integer({ min: 0, max: 0xffffffff }).map((n) => "0x" + n.toString(16)),
    fc.integer({ min: 0, max: 0o777 }).map((n) => "0" + n.toString(8)),
    fc.constantFrom("08", "0x", "00", "1a", ""),
  );
  test("property: same address as WHATWG URL (Node's URL) for 1 to 4 parts", () => {
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (parts) => {
        const host = parts.join(".");
        let expected: string | undefined;
        try {
          const h = new URL(`http://${host}/`).hostname;
          expected = /^\d+\.\d+\.\d+\.\d+$/.test(h) ? h : undefined;
        } catch {
          expected = undefined;
        }
        expect(parseIpv4Loose(host)?.join(".")).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
