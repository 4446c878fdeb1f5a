import { describe, expect, test } from "@jest/globals";
import {
  createSanitizer,
  isCredentialRule,
  RULES,
  sanitize,
  sanitizeOrWithhold,
  scan,
  WITHHELD,
  type Rule,
} from "../../../src/core/sanitize/sanitize.js";
import { CLEAN, LOOKALIKES, NEGATIVE, POSITIVE, fake, pem } from "./examples.js";

const lineCount = (s: string): number => s.split("\n").length;

describe("each rule redacts what it is for", () => {
  test.each(POSITIVE.map((c) => [c.rule, c.text, c] as const))("%s: %j", (rule, text, c) => {
    const result = sanitize(text, c.opts);
    expect(result.findings.map((f) => f.rule)).toContain(rule);
    expect(result.text).not.toContain(c.secret);
    expect(result.text).toContain("[redacted:");
    expect(lineCount(result.text)).toBe(lineCount(text));
  });
});

describe("each rule leaves its near misses alone", () => {
  test.each(NEGATIVE.map((c) => [c.rule, c.text, c] as const))("%s: %j", (rule, text, c) => {
    expect(scan(text, c.opts).map((f) => f.rule)).not.toContain(rule);
  });
});

describe("every rule is documented and tested", () => {
  test.each(RULES.map((r) => [r.id, r] as const))("%s", (id, rule) => {
    expect(rule.description.length).toBeGreaterThan(10);
    expect(rule.source.length).toBeGreaterThan(3);
    expect(POSITIVE.some((c) => c.rule === id)).toBe(true);
    expect(NEGATIVE.some((c) => c.rule === id)).toBe(true);
  });

  test("ids are unique", () => {
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
  });
});

describe("look-alikes of secrets and addresses are unchanged (SHAs, UUIDs, base64, public IPs, versions)", () => {
  test.each(LOOKALIKES.map((c) => [c]))("%j", (text) => {
    expect(sanitize(text)).toEqual({ text, findings: [] });
  });
});

describe("what results legitimately contain is unchanged", () => {
  test.each(CLEAN.map((c) => [c]))("%j", (text) => {
    expect(sanitize(text, { allowedHosts: ["github.com"] })).toEqual({ text, findings: [] });
  });
});

describe("output shape", () => {
  test("a multi-line PEM block becomes one placeholder and the same line breaks", () => {
    const text = "before\n" + pem("RSA ") + "\nafter";
    expect(sanitize(text).text).toBe("before\n[redacted:private-key]\n\n\n\n\nafter");
  });

  test("CRLF line breaks inside a redacted block are kept", () => {
    const text = pem("").replace(/\n/g, "\r\n") + "\r\nnext";
    expect(sanitize(text).text).toBe("[redacted:private-key]\r\n\r\n\r\n\r\n\r\nnext");
  });

  test("findings give rule, 1-based line and column, and nothing else", () => {
    const result = sanitize(`ok\n  token ${fake.ghp}\nhost 10.1.2.3`);
    expect(result.findings).toEqual([
      { rule: "github-token", line: 2, column: 9 },
      { rule: "private-ipv4", line: 3, column: 6 },
    ]);
    expect(result.text).toBe("ok\n  token [redacted:github-token]\nhost [redacted:private-ipv4]");
  });

  test("overlapping findings become one placeholder, and every rule that fired is reported", () => {
    const result = sanitize("https://bob:pw12345@build.corp/x");
    expect(result.text).toBe("[redacted:internal-url]");
    expect(result.findings.map((f) => f.rule)).toEqual(["internal-url", "url-credentials", "internal-host"]);
  });

  test("scan reports what sanitize reports", () => {
    const text = `kubectl -n ml-team logs trainer-7d9f8b6c5d-x2k4q\nAuthorization: Bearer ${fake.jwt}`;
    expect(scan(text)).toEqual(sanitize(text).findings);
  });

  test("placeholders of known rules are not redacted again", () => {
    const once = sanitize("password: s3cr3tpass at https://u:p4ss@10.0.0.1/").text;
    expect(sanitize(once)).toEqual({ text: once, findings: [] });
  });

  test("a look-alike placeholder cannot hide a pod name", () => {
    expect(sanitize("[redacted:trainer-7d9f8b6c5d-x2k4q]").text).not.toContain("x2k4q");
  });

  test("text around a placeholder is still checked", () => {
    expect(sanitize("token: [redacted:jwt]abc123secretvalue").text).not.toContain("abc123secretvalue");
  });
});

describe("fail closed", () => {
  const throwing: Rule = {
    id: "boom",
    description: "a rule with a bug",
    source: "test",
    kind: "credential",
    keywords: [],
    find: () => {
      throw new Error("bug");
    },
  };
  const badSpan: Rule = { ...throwing, id: "bad-span", find: () => [{ start: 5, end: 2 }] };

  test.each([
    ["a rule that throws", throwing],
    ["a rule that returns an invalid span", badSpan],
  ])("%s withholds the text", (_name, rule) => {
    expect(createSanitizer([...RULES, rule]).sanitizeOrWithhold(`secret ${fake.ghp}`)).toBe(WITHHELD);
  });

  test("a working rule set returns the sanitized text", () => {
    expect(sanitizeOrWithhold(`secret ${fake.ghp}`)).toBe("secret [redacted:github-token]");
  });

  test("the withheld text matches no rule", () => {
    expect(scan(WITHHELD)).toEqual([]);
  });

  test("duplicate or malformed rule ids are a bug caught at construction", () => {
    expect(() => createSanitizer([throwing, throwing])).toThrow(/boom/);
    expect(() => createSanitizer([{ ...throwing, id: "Bad Id" }])).toThrow(/Bad Id/);
  });
});

describe("isCredentialRule", () => {
  test.each([
    ["github-token", true],
    ["private-key", true],
    ["url-credentials", true],
    ["private-ipv4", false],
    ["internal-host", false],
    ["k8s-pod", false],
    ["no-such-rule", false],
  ])("%s → %s", (id, expected) => {
    expect(isCredentialRule(id)).toBe(expected);
  });
});
