import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readContract, type ContractOptions } from "../../../src/core/contract/read.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import { aContract, fence, HEADING, toYaml, workItem } from "./builders.js";
import { narrow } from "../../support/narrow.js";

const fixtures = (p: string) => readFileSync(fileURLToPath(new URL(`../../fixtures/${p}`, import.meta.url)), "utf8");
const registry = parseRegistry(fixtures("gates/gates.toml"));
const opts: ContractOptions = { heading: HEADING, headerKey: "nmoe", allIssues: false };

function withGates(gates: Record<string, unknown>): string {
  return workItem(fence(toYaml(aContract({ gates }))));
}

describe("readContract", () => {
  test("the rendered issue form fixture is valid against the fixture registry", () => {
    const report = readContract(fixtures("contract/issue-form.md"), opts, registry);
    expect(report).toMatchObject({ status: "valid", line: 7 });
    if (report.status !== "valid") return;
    expect(report.contract.nmoe).toMatchObject({ issue: "07", depends_on: ["02", "05b"], kind: "perf" });
    expect(report.contract.gates.perf).toEqual({
      gate: "perf:delta",
      compare: "b200:step_8x10",
      metric: "step_tps_p50",
      baseline_ref: "origin/main",
      budget_pct: 5,
    });
  });

  test.each([
    ["a plain issue", "Something is broken.", "absent"],
    ["a contract issue", withGates({ required: ["cpu:import"] }), "valid"],
    ["a heading with broken YAML", workItem(fence("nmoe: [")), "invalid"],
  ] as const)("%s is %s", (_name, body, status) => {
    expect(readContract(body, opts, registry).status).toBe(status);
  });

  test("schema errors carry the block's line", () => {
    const report = readContract(workItem(fence(toYaml(aContract({ scope: undefined })))), opts);
    expect(report).toMatchObject({ status: "invalid", line: 7, errors: [{ path: "/scope" }] });
  });

  test.each([
    ["a syntax error", "nmoe:\n  issue: [1\n", /\(line \d+ of the block, column \d+; line \d+ of the body\)$/],
    ["an alias", "a: &x 1\nb: *x\n", /\(\*x at line 2 of the block; line 9 of the body\)$/],
    ["a duplicate key", "a: 1\na: 2\n", /\(line 2 of the block, column 1; line 9 of the body\)$/],
  ])("YAML errors (%s) name the line in the block and in the body", (_name, yaml, pattern) => {
    const report = readContract(workItem(fence(yaml)), opts);
    expect(report.status === "invalid" && report.errors[0]!.message).toMatch(pattern);
  });

  test("a bare YAML file's lines are the file's lines", () => {
    const report = readContract("a: 1\na: 2\n", { ...opts, source: "file" });
    expect(report.status === "invalid" && report.errors[0]!.message).toMatch(
      /line 2 of the block, column 1; line 2 of the body/,
    );
  });

  test("without a registry gate ids are not checked", () => {
    expect(readContract(withGates({ required: ["no:such-gate"] }), opts).status).toBe("valid");
  });

  test("all_issues reads a plain issue with one yaml block", () => {
    const body = "Please do this.\n\n" + fence(toYaml(aContract()));
    expect(readContract(body, { ...opts, allIssues: true }).status).toBe("valid");
  });

  test("a configured heading and header key", () => {
    const body = "## Contract\n\n" + fence(toYaml(aContract()).replace(/^nmoe:/m, "work:"));
    const report = readContract(body, { heading: "Contract", headerKey: "work", allIssues: false });
    expect(report.status === "valid" && report.contract.nmoe.issue).toBe("12");
  });
});

describe("readContract: gate ids against the registry", () => {
  test.each([
    [
      "an unknown required gate with a close match",
      { required: ["cpu:import", "cpu:imprt"] },
      {
        code: "contract.unknown-gate",
        path: "/gates/required/1",
        message: 'required gate "cpu:imprt" is not in the gate registry',
        hint: "did you mean `cpu:import`?",
      },
    ],
    [
      "an unknown required gate with no close match",
      { required: ["gpu:everything"] },
      { code: "contract.unknown-gate", hint: expect.stringContaining("merge-captain gates") },
    ],
    [
      "a bundle where a gate belongs",
      { required: ["hot_path"] },
      {
        code: "contract.unknown-gate",
        hint: '"hot_path" is a bundle; list its gates instead: `b200:step_1x10`, `b200:step_8x10`, `perf:delta`',
      },
    ],
    [
      "an unknown perf gate",
      { required: [], perf: { gate: "perf:delat", compare: "b200:step_8x10", metric: "m", budget_pct: 5 } },
      { code: "contract.unknown-gate", path: "/gates/perf/gate", hint: "did you mean `perf:delta`?" },
    ],
    [
      "an unknown perf comparison",
      { required: [], perf: { gate: "perf:delta", compare: "b200:step_8x1", metric: "m", budget_pct: 5 } },
      {
        code: "contract.unknown-gate",
        path: "/gates/perf/compare",
        hint: "did you mean `b200:step_8x10` or `b200:step_1x10`?",
      },
    ],
    [
      "a perf gate that is not kind=perf",
      { required: [], perf: { gate: "b200:step_8x10", compare: "b200:step_8x10", metric: "m", budget_pct: 5 } },
      {
        code: "contract.not-a-perf-gate",
        path: "/gates/perf/gate",
        hint: 'use a gate with kind = "perf": `perf:delta`',
      },
    ],
  ])("%s", (_name, gates, expected) => {
    const report = readContract(withGates(gates), opts, registry);
    expect(report).toMatchObject({ status: "invalid", line: 7 });
    expect(narrow(report, "status", "invalid").errors).toEqual([expect.objectContaining(expected)]);
  });

  test("a broken registry makes the contract invalid with one error that says so", () => {
    const broken = parseRegistry('[gates."a"]\ntier = "z"\ncmd = "x"\n');
    const report = readContract(withGates({ required: ["a"] }), opts, broken);
    expect(report.status).toBe("invalid");
    if (report.status !== "invalid") return;
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ code: "contract.registry-broken", path: "/gates" });
    expect(report.errors[0]!.message).toContain("/gates/a/tier");
  });

  test("schema errors come before gate checks (a bad contract is not also cross-checked)", () => {
    const report = readContract(
      workItem(fence(toYaml(aContract({ gates: { required: "cpu:import" } })))),
      opts,
      registry,
    );
    expect(report.status === "invalid" && report.errors.map((e) => e.code)).toEqual(["schema.type"]);
  });
});

describe("readContract: a file that holds no contract", () => {
  const file: ContractOptions = { ...opts, allIssues: true, source: "file" };
  test.each([
    ["prose", "# Router cache\n\nMake it faster.\n"],
    ["a single number", "42\n"],
  ])("%s: one 'no contract found' problem naming the heading", (_name, body) => {
    expect(narrow(readContract(body, file), "status", "invalid").errors).toEqual([
      expect.objectContaining({ code: "contract.missing", message: expect.stringContaining(`\`### ${HEADING}\``) }),
    ]);
  });

  test("a bare YAML mapping with mistakes is still read as a contract (its own errors, not 'no contract')", () => {
    const errors = narrow(readContract("nmoe: {issue: 1}\n", file), "status", "invalid").errors;
    expect(errors.map((e) => e.code)).not.toContain("contract.missing");
  });
});
