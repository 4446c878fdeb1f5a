import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readAttestation, type AttestationReport } from "../../../src/core/attestation/read.js";

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/attestation/${name}`, import.meta.url)), "utf8");
const OPTS = { heading: "PR Attestation", headerKey: "nmoe_pr" };
const HEAD = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

/** A PR body whose attestation block holds `yaml`. */
function body(yaml: string, heading = "## PR Attestation (YAML, required)"): string {
  return `${heading}\n\n\`\`\`yaml\n${yaml}\n\`\`\`\n\n## Summary\n- stuff\n`;
}

function block(header: Record<string, string>, extra = ""): string {
  const lines = Object.entries({ issue: "07", pr_sha: HEAD, ...header }).map(([k, v]) => `  ${k}: ${v}`);
  return `nmoe_pr:\n${lines.join("\n")}\ngates_passed:\n  tier_a: [cpu:import]\n  tier_b: []\n${extra}`;
}

function errors(r: AttestationReport): Array<{ code: string; path: string }> {
  return r.status === "invalid" ? r.errors.map((e) => ({ code: e.code, path: e.path })) : [];
}

describe("readAttestation: finding the block", () => {
  test("a filled template is valid; ids and SHAs are kept as written", () => {
    const r = readAttestation(fixture("pr-filled.md"), OPTS);
    expect(r).toMatchObject({ status: "valid", line: 4, warnings: [] });
    if (r.status !== "valid") return;
    expect(r.attestation.nmoe_pr).toEqual({
      issue: "07",
      baseline_sha: "1b2c3d4e5f60718293a4b5c6d7e8f90112233445",
      pr_sha: HEAD,
      risk: "warm",
    });
    expect(r.attestation.gates_passed.tier_a).toEqual(["cpu:import", "cpu:compileall"]);
  });

  test.each<[string, string | null, AttestationReport["status"]]>([
    ["no body", null, "absent"],
    ["a body with no yaml", "Just a fix.\n\nFixes #3", "absent"],
    ["a yaml fence under another heading only", "## Notes\n\n```yaml\na: 1\n```\n", "absent"],
    ["a yaml fence at the top of the body, no heading", "```yaml\n" + block({}) + "\n```\n\n## Summary\n", "valid"],
    ["a `### ` heading works too", body(block({}), "### PR Attestation"), "valid"],
    ["a heading with a remark", body(block({}), "## PR attestation: required"), "valid"],
  ])("%s", (_name, text, status) => {
    expect(readAttestation(text, OPTS).status).toBe(status);
  });

  test("the section's block wins over a yaml fence at the top", () => {
    const text = "```yaml\nnot: it\n```\n\n" + body(block({ issue: "09" }));
    const r = readAttestation(text, OPTS);
    expect(r.status === "valid" ? r.attestation.nmoe_pr.issue : r).toBe("09");
  });

  test("a second yaml block in the section is a warning", () => {
    const r = readAttestation(body(block({}) + "\n```\n\n```yaml\nb: 2"), OPTS);
    expect(r.status === "valid" ? r.warnings.map((w) => w.code) : r).toEqual(["attestation.extra-blocks"]);
  });

  test.each([
    [
      "the heading with no yaml block",
      "## PR Attestation\n\n```\nnmoe_pr: {}\n```\n",
      "attestation.missing-block",
      /marked with no language/,
    ],
    [
      "an unclosed fence",
      "## PR Attestation\n\n```yaml\nnmoe_pr:\n  issue: 07\n",
      "attestation.unclosed-fence",
      /never closed/,
    ],
    ["a body over GitHub's limit", "x".repeat(65_537), "attestation.body-too-large", /65536/],
    ["a block over 32 KiB", body("# " + "x".repeat(33 * 1024)), "attestation.block-too-large", /32768/],
  ])("%s", (_name, text, code, message) => {
    const r = readAttestation(text, OPTS);
    expect(r.status).toBe("invalid");
    if (r.status !== "invalid") return;
    expect(r.errors[0]!.code).toBe(code);
    expect(r.errors[0]!.message).toMatch(message);
  });
});

describe("readAttestation: placeholders are reported before the schema", () => {
  test("the unedited template is one clear error", () => {
    const r = readAttestation(fixture("pr-template.md"), OPTS);
    expect(r.status).toBe("invalid");
    if (r.status !== "invalid") return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      code: "attestation.unedited-template",
      message: expect.stringMatching(
        /^the attestation is the unedited template: `nmoe_pr.baseline_sha`, `nmoe_pr.pr_sha`, `perf.baseline`/,
      ),
    });
    expect(r.errors[0]!.hint).toMatch(/git rev-parse HEAD/);
    expect(r.line).toBe(4);
  });

  test.each<[string, string, Array<{ code: string; path: string }>, RegExp]>([
    [
      "pr_sha left as <sha>",
      block({ pr_sha: "<sha>" }),
      [{ code: "attestation.placeholder", path: "/nmoe_pr/pr_sha" }],
      /git rev-parse HEAD/,
    ],
    [
      "baseline_sha left as <sha> when the rest is filled",
      block({ baseline_sha: "<sha>" }),
      [{ code: "attestation.placeholder", path: "/nmoe_pr/baseline_sha" }],
      /delete the line/,
    ],
    [
      "any <...> value",
      block({}).replace("cpu:import", "<gate id>"),
      [{ code: "attestation.placeholder", path: "/gates_passed/tier_a/0" }],
      /gate ids/,
    ],
    [
      "issue left as <NN>",
      block({ issue: "<NN>" }),
      [{ code: "attestation.placeholder", path: "/nmoe_pr/issue" }],
      /contract's id/,
    ],
    [
      "risk left as a choice",
      block({ risk: "hot|warm|cold" }),
      [{ code: "attestation.placeholder", path: "/nmoe_pr/risk" }],
      /pick one/,
    ],
    [
      "perf status left as pass|fail",
      block({}, "perf:\n  baseline: 10\n  status: pass|fail\n"),
      [{ code: "attestation.placeholder", path: "/perf/status" }],
      /`pass` or `fail`/,
    ],
    [
      "perf numbers left as <number>",
      block({}, "perf:\n  result: <number>\n"),
      [{ code: "attestation.placeholder", path: "/perf/result" }],
      /measured value/,
    ],
    [
      "a pr_sha that is too short",
      block({ pr_sha: "abc12" }),
      [{ code: "attestation.sha", path: "/nmoe_pr/pr_sha" }],
      /git rev-parse HEAD/,
    ],
    [
      "a pr_sha that is not hex",
      block({ pr_sha: "release-candidate" }),
      [{ code: "attestation.sha", path: "/nmoe_pr/pr_sha" }],
      /git rev-parse HEAD/,
    ],
    [
      "a baseline_sha that is too long",
      block({ baseline_sha: "a".repeat(41) }),
      [{ code: "attestation.sha", path: "/nmoe_pr/baseline_sha" }],
      /delete the line/,
    ],
  ])("%s", (_name, yaml, expected, hint) => {
    const r = readAttestation(body(yaml), OPTS);
    expect(errors(r)).toEqual(expected);
    expect(r.status === "invalid" ? r.errors[0]!.hint : "").toMatch(hint);
  });

  test("placeholders and unrelated schema errors are reported together", () => {
    const r = readAttestation(body(block({ pr_sha: "<sha>" }, "gates_pased: {}\n")), OPTS);
    expect(errors(r)).toEqual([
      { code: "attestation.placeholder", path: "/nmoe_pr/pr_sha" },
      { code: "schema.unknown-key", path: "/gates_pased" },
    ]);
  });

  test("only pr_sha left in an otherwise minimal block is a placeholder, not 'unedited'", () => {
    const r = readAttestation(body("nmoe_pr:\n  issue: 07\n  pr_sha: <sha>\ngates_passed:\n  tier_a: []"), OPTS);
    expect(errors(r)).toEqual([{ code: "attestation.placeholder", path: "/nmoe_pr/pr_sha" }]);
  });
});

describe("readAttestation: values as written", () => {
  test.each([
    ["an all-digit pr_sha", { pr_sha: "1234567" }, "pr_sha", "1234567"],
    ["a pr_sha with a leading zero", { pr_sha: "0123456" }, "pr_sha", "0123456"],
    ["an issue id with a leading zero", { issue: "03" }, "issue", "03"],
    ["an issue id with a letter", { issue: "03a" }, "issue", "03a"],
  ])("%s", (_name, header, key, expected) => {
    const r = readAttestation(body(block(header)), OPTS);
    expect(r.status === "valid" ? r.attestation.nmoe_pr[key as "issue"] : errors(r)).toBe(expected);
  });
});

describe("readAttestation: a configurable header key", () => {
  const custom = { heading: "Attestation", headerKey: "pr" };

  test("is renamed before validation", () => {
    const r = readAttestation(body(block({}).replace(/^nmoe_pr:/, "pr:"), "## Attestation"), custom);
    expect(r.status === "valid" ? r.attestation.nmoe_pr.pr_sha : errors(r)).toBe(HEAD);
  });

  test("errors name the author's key", () => {
    const r = readAttestation(
      body(block({ pr_sha: "<sha>", risk: "lukewarm" }).replace(/^nmoe_pr:/, "pr:"), "## Attestation"),
      custom,
    );
    expect(r.status === "invalid" ? r.errors.map((e) => [e.path, e.message]) : r).toEqual([
      ["/pr/pr_sha", expect.stringContaining("`pr.pr_sha`")],
      ["/pr/risk", expect.stringContaining("`pr.risk`")],
    ]);
  });

  test("the default key where another is configured is named as the mistake", () => {
    const r = readAttestation(body(block({}), "## Attestation"), custom);
    expect(r.status === "invalid" ? r.errors.map((e) => e.message) : r).toEqual(
      expect.arrayContaining([expect.stringContaining("no `pr:` header")]),
    );
    expect(r.status === "invalid" ? r.errors.map((e) => e.hint) : r).toEqual(
      expect.arrayContaining([expect.stringContaining("use `pr:` as the header key")]),
    );
  });
});

describe("readAttestation: schema and YAML errors", () => {
  test.each([
    ["a misspelt key", block({}).replace("tier_a", "tiera"), "schema.unknown-key", /tier_a/],
    ["a duplicate key", block({}) + "gates_passed: {}\n", "yaml.duplicate-key", /merge/],
    ["a missing pr_sha", "nmoe_pr:\n  issue: 07\ngates_passed:\n  tier_a: []", "schema.required", /pr_sha/],
    ["not a mapping", "- a\n- b", "schema.type", /nmoe_pr:/],
  ])("%s", (_name, yaml, code, hint) => {
    const r = readAttestation(body(yaml), OPTS);
    expect(r.status === "invalid" ? r.errors[0] : r).toMatchObject({ code, hint: expect.stringMatching(hint) });
  });
});
