import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/commands/attestation.js";
import { runCli } from "./fake-io.js";

const fixture = (p: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/attestation/${p}`, import.meta.url)), "utf8");
const HEAD = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";

const files: Record<string, string> = {
  "/repo/pr.md": fixture("pr-filled.md"),
  "/repo/template.md": fixture("pr-template.md"),
  "/repo/missing-gate.md": fixture("pr-filled.md").replace("    - cpu:compileall\n", ""),
  "/repo/unknown-gate.md": fixture("pr-filled.md").replace("cpu:compileall", "cpu:compilall"),
  "/repo/other-issue.md": fixture("pr-filled.md").replace("issue: 07", "issue: 08"),
  "/repo/short-sha.md": fixture("pr-filled.md").replace(HEAD, HEAD.slice(0, 10).toUpperCase()),
  "/repo/plain.md": "Just a fix.\n\nFixes #12\n",
  "/repo/issue.md": fixture("issue-07.md"),
  "/repo/bad-issue.md": fixture("issue-07.md").replace("risk: warm", "risk: tepid"),
  "/repo/gates.toml": fixture("gates.toml"),
  "/repo/broken.toml": '[gates."a"]\ntier = \n',
};

async function cli(args: string[], stdin = "") {
  return runCli(run, args, { files, stdin });
}

const facts = ["--contract", "issue.md", "--registry", "gates.toml", "--head-sha", HEAD];

describe("merge-captain attestation: exit codes", () => {
  test.each<[string, string[], number]>([
    ["a valid attestation, no facts", ["pr.md"], 0],
    ["a valid attestation, every fact", ["pr.md", ...facts], 0],
    ["pr_sha a prefix of the head", ["short-sha.md", "--head-sha", HEAD], 0],
    // A short --head-sha names the same commit as a full pr_sha (it was once "another commit").
    ["the head a prefix of pr_sha", ["pr.md", "--head-sha", HEAD.slice(0, 10)], 0],
    ["a short head of another commit", ["pr.md", "--head-sha", "0123456"], 1],
    ["the unedited template", ["template.md"], 1],
    ["a stale pr_sha", ["pr.md", "--head-sha", "aaaaaaa"], 1],
    ["a missing Tier-A gate", ["missing-gate.md", ...facts], 1],
    ["an unknown gate", ["unknown-gate.md", "--registry", "gates.toml"], 1],
    ["another issue's attestation", ["other-issue.md", "--contract", "issue.md"], 1],
    ["no attestation", ["plain.md"], 1],
    ["an invalid contract", ["pr.md", "--contract", "bad-issue.md"], 1],
    ["a registry that does not parse", ["pr.md", "--registry", "broken.toml"], 1],
    ["a missing file", ["nope.md"], 2],
    ["a missing contract file", ["pr.md", "--contract", "nope.md"], 2],
    ["no file", [], 2],
    ["two files", ["pr.md", "template.md"], 2],
    ["a bad --head-sha", ["pr.md", "--head-sha", "HEAD"], 2],
    ["an unknown flag", ["pr.md", "--head", HEAD], 2],
    ["--help", ["--help"], 0],
  ])("%s", async (_name, args, code) => {
    const r = await cli(args);
    expect(r.code).toBe(code);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\(/); // never a stack trace
  });
});

describe("merge-captain attestation: output", () => {
  test("--json for a valid attestation with every fact", async () => {
    const r = await cli(["pr.md", ...facts, "--json"]);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      ok: true,
      aboutHead: true,
      errors: [],
      warnings: [],
      tierA: { checked: true, required: ["cpu:import", "cpu:compileall"], missing: [] },
    });
    expect(out.attestation.nmoe_pr).toMatchObject({ issue: "07", pr_sha: HEAD });
  });

  test("a stale pr_sha names both commits", async () => {
    const r = await cli(["pr.md", "--head-sha", "abcdef1234567", "--json"]);
    expect(JSON.parse(r.stdout).errors).toEqual([
      expect.objectContaining({
        code: "attestation.stale-sha",
        message: `attestation is about ${HEAD}, the PR head is abcdef1234567 — update pr_sha`,
      }),
    ]);
  });

  test("the unedited template is one error in text", async () => {
    const r = await cli(["template.md"]);
    expect(r.stdout).toMatch(
      /^✗ attestation invalid \(template.md\): 1 error\n {2}the attestation is the unedited template/,
    );
    expect(r.stdout).toContain("hint: set `nmoe_pr.pr_sha`");
  });

  test("text for a valid attestation lists the Tier-A gates", async () => {
    const r = await cli(["pr.md", ...facts]);
    expect(r.stdout).toBe("✓ attestation valid (pr.md, block at line 4)\n  Tier-A: ✓ cpu:import, ✓ cpu:compileall\n");
  });

  test("without --head-sha the head is not checked, and says so", async () => {
    const r = await cli(["pr.md"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--head-sha");
  });

  test("a missing Tier-A gate is marked", async () => {
    const r = await cli(["missing-gate.md", ...facts]);
    expect(r.stdout).toContain("Tier-A: ✓ cpu:import, ✗ cpu:compileall");
  });

  test("contract errors say they are about the contract", async () => {
    const r = await cli(["pr.md", "--contract", "bad-issue.md", "--json"]);
    expect(JSON.parse(r.stdout).errors[0].message).toMatch(/^the contract: /);
  });

  test("stdin", async () => {
    const r = await cli(["-", "--json"], fixture("pr-filled.md"));
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });

  test("an I/O error with --json is still one JSON object", async () => {
    const r = await cli(["nope.md", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      errors: [{ code: "cli.io", message: "cannot read nope.md: no such file" }],
    });
  });
});
