import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/commands/contract.js";
import { runCli } from "./fake-io.js";

const fixture = (p: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url)), "utf8");

const files = {
  "/repo/issue.md": fixture("contract/issue-form.md"),
  "/repo/gates.toml": fixture("gates/gates.toml"),
  "/repo/typo.md": fixture("contract/issue-form.md").replace("cpu:import", "cpu:imprt").replace("scope:", "scoep:"),
  "/repo/unknown-gate.md": fixture("contract/issue-form.md").replace("cpu:import", "cpu:imprt"),
  "/repo/broken.toml": '[gates."a"]\ntier = \n',
  "/repo/bare.yml":
    "nmoe:\n  issue: 1\n  kind: docs\n  risk: cold\nscope:\n  allow: [docs/**]\ngates:\n  required: []\n",
  "/repo/proj.yml":
    "proj:\n  issue: 1\n  kind: docs\n  risk: cold\nscope:\n  allow: [docs/**]\ngates:\n  required: []\n",
};

describe("merge-captain contract: what a newcomer hands it", () => {
  test("an issue with no contract section: says what heading to add, not that a string is no object", async () => {
    const r = await cli(["-"], "# Router cache\n\nMake the router cache faster.\n");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      "✗ contract invalid (stdin): 1 error\n" +
        "  no contract found: no `### Agent Contract (YAML, required)` section, no ```yaml block, and the file is not a YAML contract on its own\n" +
        "    hint: add a `### Agent Contract (YAML, required)` heading with the contract in a ```yaml block under it (the issue form writes this), or pass a file that holds only the contract's YAML\n",
    );
  });

  test("a contract indented with tabs: one problem that says to indent with spaces", async () => {
    const r = await cli(["-", "--json"], "```yaml\nnmoe:\n\tissue: 01\n\tkind: docs\n\trisk: cold\n```\n");
    expect(JSON.parse(r.stdout).errors).toEqual([
      {
        code: "yaml.tab-indent",
        path: "",
        message:
          "3 lines are indented with tabs; YAML indents with spaces only (line 2 of the block, column 1; line 3 of the body)",
        hint: "indent with spaces instead of tabs (two per level, as in the template)",
      },
    ]);
  });
});

async function cli(args: string[], stdin?: string) {
  return runCli(run, args, { files, ...(stdin === undefined ? {} : { stdin }) });
}

describe("merge-captain contract: exit codes", () => {
  test.each([
    ["a valid issue body", ["issue.md"], 0],
    ["a valid issue body checked against the registry", ["issue.md", "--registry", "gates.toml"], 0],
    ["an unknown gate against the registry", ["unknown-gate.md", "--registry", "gates.toml"], 1],
    ["an unknown gate without a registry", ["unknown-gate.md"], 0],
    ["a schema error", ["typo.md"], 1],
    ["a broken registry", ["issue.md", "--registry", "broken.toml"], 1],
    ["a bare YAML file", ["bare.yml"], 0],
    ["a configured header key", ["proj.yml", "--header-key", "proj"], 0],
    ["a missing file", ["nope.md"], 2],
    ["a missing registry file", ["issue.md", "--registry", "nope.toml"], 2],
    ["no file", [], 2],
    ["two files", ["issue.md", "bare.yml"], 2],
    ["an unknown flag", ["issue.md", "--registery", "gates.toml"], 2],
    ["a bad header key", ["issue.md", "--header-key", "a b"], 2],
    ["--help", ["--help"], 0],
  ])("%s → %i", async (_name, args, code) => {
    expect((await cli(args)).code).toBe(code);
  });

  test("reads stdin for -", async () => {
    const r = await cli(["-", "--json"], files["/repo/bare.yml"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).contract.nmoe.issue).toBe("1");
  });
});

describe("merge-captain contract --json", () => {
  test("a valid contract", async () => {
    const r = await cli(["issue.md", "--registry", "gates.toml", "--json"]);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(true);
    expect(json.errors).toEqual([]);
    expect(json.contract.nmoe).toMatchObject({ issue: "07", depends_on: ["02", "05b"] });
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });

  test("errors have path, message and hint", async () => {
    const r = await cli(["typo.md", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      contract: null,
      errors: [
        {
          code: "schema.unknown-key",
          path: "/scoep",
          message: 'unknown key "scoep" at the top level of the contract',
          hint: "did you mean `scope`?",
        },
      ],
    });
  });

  test("registry errors name the gate and a close match", async () => {
    const r = await cli(["unknown-gate.md", "--registry", "gates.toml", "--json"]);
    expect(JSON.parse(r.stdout).errors).toEqual([
      expect.objectContaining({ path: "/gates/required/0", hint: "did you mean `cpu:import`?" }),
    ]);
  });

  test("the contract comes back under the author's header key", async () => {
    const r = await cli(["proj.yml", "--header-key", "proj", "--json"]);
    expect(Object.keys(JSON.parse(r.stdout).contract)).toEqual(["proj", "scope", "gates"]);
  });

  test("an I/O error still prints one JSON object, and exits 2", async () => {
    const r = await cli(["nope.md", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      contract: null,
      errors: [{ code: "cli.io", path: "", message: "cannot read nope.md: no such file" }],
    });
  });
});

describe("merge-captain contract: human output", () => {
  test("a valid contract is summarised", async () => {
    const r = await cli(["issue.md", "--registry", "gates.toml"]);
    expect(r.stdout).toContain("✓ contract valid (issue.md, block at line 7)");
    expect(r.stdout).toContain("  issue 07 (fused-allgather): perf, risk warm, complexity S");
    expect(r.stdout).toContain("  depends on: 02, 05b");
    expect(r.stdout).toContain("  gates: cpu:import, b200:step_8x10");
    expect(r.stdout).not.toContain("not checked");
  });

  test("without --registry it says gate ids were not checked", async () => {
    expect((await cli(["issue.md"])).stdout).toContain("gate ids not checked");
  });

  test("errors show path, message and hint", async () => {
    const r = await cli(["typo.md"]);
    expect(r.stdout).toBe(
      '✗ contract invalid (typo.md, block at line 7): 1 error\n  /scoep: unknown key "scoep" at the top level of the contract\n    hint: did you mean `scope`?\n',
    );
  });

  test("usage errors go to stderr with the usage, never a stack trace", async () => {
    const r = await cli(["issue.md", "--bogus"]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^merge-captain contract: Unknown option '--bogus'/);
    expect(r.stderr).toContain("Usage: merge-captain contract");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
