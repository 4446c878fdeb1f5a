import { describe, expect, test, beforeAll, afterAll } from "@jest/globals";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRegistry, resolveBundle, type Registry, type RegistryGate } from "../../src/core/gates/registry.js";
import { groupAlive } from "../../src/runner/process.js";
import { planGates, runGates, type RunGatesOptions } from "../../src/runner/run-gates.js";

let repo: string;
let baselineRepo: string;

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "mc-gates-"));
  mkdirSync(join(repo, "configs"));
  writeFileSync(join(repo, "configs/present.toml"), "x = 1\n");
  baselineRepo = mkdtempSync(join(tmpdir(), "mc-baseline-"));
  writeFileSync(join(baselineRepo, "tps.txt"), "node_tps: 100\nnode_tps: 100\n");
  writeFileSync(join(repo, "tps.txt"), "node_tps: 80\nnode_tps: 95\nnode_tps: 90\n");
});
afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  rmSync(baselineRepo, { recursive: true, force: true });
});

const REGISTRY = `
[gates."t:ok"]
tier = "a"
cmd = "echo hello from the gate"

[gates."t:fails"]
tier = "a"
cmd = "echo 'secret-ish output 10.0.0.7'; exit 7"

[gates."t:hangs"]
tier = "b"
timeout_s = 1
cmd = "sleep 30"

[gates."t:needs"]
tier = "b"
requires = ["MC_TEST_PRESENT", "MC_TEST_ABSENT_A", "MC_TEST_ABSENT_B"]
requires_files = ["configs/present.toml", "configs/absent.toml"]
cmd = "echo should-not-run"

[gates."t:train"]
tier = "b"
cmd = "echo step 1; cat tps.txt"

[gates."t:ext"]
tier = "b"
kind = "external"
requires = ["MC_TEST_ABSENT_A"]

[gates."perf:delta"]
tier = "b"
kind = "perf"
timeout_s = 0
compare_gate = "t:train"
metric = "node_tps_p50"

[bundles]
mixed = ["t:ok", "t:fails", "t:ext"]
perf = ["t:train", "perf:delta"]
`;

function registry(): Registry {
  const r = parseRegistry(REGISTRY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}
function gates(...ids: string[]): RegistryGate[] {
  return ids.map((id) => registry().gates.get(id)!);
}

function options(extra: Partial<RunGatesOptions> = {}): RunGatesOptions & { logs: string[]; outputs: string[] } {
  const logs: string[] = [];
  const outputs: string[] = [];
  return {
    repoDir: repo,
    env: { PATH: process.env.PATH, MC_TEST_PRESENT: "yes", MC_TEST_SECRET_VALUE: "hunter2" },
    log: (l) => logs.push(l),
    output: (label, l) => outputs.push(`${label}|${l}`),
    graceMs: 200,
    logs,
    outputs,
    ...extra,
  };
}

describe("runGates with real child processes", () => {
  test("a passing command is pass with rc 0; its output goes to the log only", async () => {
    const o = options();
    const { results } = await runGates(registry(), gates("t:ok"), o);
    expect(results["t:ok"]).toMatchObject({ status: "pass", rc: 0 });
    expect(o.outputs).toEqual(["t:ok|hello from the gate"]);
    expect(JSON.stringify(results)).not.toContain("hello");
  });

  test("a failing command is fail with its exit code and a short reason, not its output", async () => {
    const { results } = await runGates(registry(), gates("t:fails"), options());
    expect(results["t:fails"]).toMatchObject({ status: "fail", rc: 7, reason: "exit-code" });
    expect(JSON.stringify(results)).not.toContain("10.0.0.7");
  });

  test("a silent hang is killed at timeout_s and reported as a timeout; its process group is gone", async () => {
    const pgids: number[] = [];
    const { results } = await runGates(registry(), gates("t:hangs"), options({ onStart: (_l, p) => pgids.push(p) }));
    expect(results["t:hangs"]).toMatchObject({ status: "fail", reason: "timeout" });
    expect(pgids).toHaveLength(1);
    expect(groupAlive(pgids[0]!)).toBe(false);
  });

  test("missing env vars and files skip the gate, naming the variables and paths but no values", async () => {
    const o = options();
    const { results } = await runGates(registry(), gates("t:needs"), o);
    expect(results["t:needs"]).toEqual({
      status: "skipped",
      reason: "missing-env: MC_TEST_ABSENT_A, MC_TEST_ABSENT_B; missing-file: configs/absent.toml",
    });
    expect(o.outputs).toEqual([]);
    expect(o.logs.join("\n")).toContain("missing-env: MC_TEST_ABSENT_A, MC_TEST_ABSENT_B");
    expect(JSON.stringify([results, o.logs])).not.toMatch(/yes|hunter2/);
  });

  test("an external gate is pending with reason external, without a preflight", async () => {
    const { results } = await runGates(registry(), gates("t:ext"), options());
    expect(results["t:ext"]).toEqual({ status: "pending", reason: "external" });
  });

  test("a metric named <base>_p50 is the median of the <base>: lines of the compare gate", async () => {
    const { results } = await runGates(registry(), gates("t:train", "perf:delta"), options());
    expect(results["t:train"]).toMatchObject({ status: "pass", node_tps_p50: 90 });
    expect(results["perf:delta"]).toMatchObject({
      status: "pending",
      reason: "no-baseline",
      result: 90,
      metric: "node_tps_p50",
      compare_gate: "t:train",
    });
  });

  test.each([
    ["within budget", -15, "pass", -10],
    ["over budget", -5, "fail", -10],
  ] as const)("perf against a baseline value: %s", async (_name, budget, status, delta) => {
    const { results } = await runGates(
      registry(),
      gates("t:train", "perf:delta"),
      options({ baseline: { kind: "value", value: 100 }, budgetPct: budget, baselineRef: "origin/main" }),
    );
    expect(results["perf:delta"]).toEqual({
      status,
      compare_gate: "t:train",
      metric: "node_tps_p50",
      baseline_ref: "origin/main",
      baseline: 100,
      result: 90,
      delta_pct: delta,
      budget_pct: budget,
    });
  });

  test("perf against a baseline worktree runs the compare gate there", async () => {
    const o = options({ baseline: { kind: "worktree", dir: baselineRepo }, budgetPct: -10 });
    const { results } = await runGates(registry(), gates("perf:delta"), o);
    expect(results["perf:delta"]).toMatchObject({ status: "pass", baseline: 100, result: 90, delta_pct: -10 });
    expect(o.outputs).toContain("baseline t:train|node_tps: 100");
  });

  test("the baseline is measured before any gate runs the PR's code", async () => {
    const started: string[] = [];
    const o = options({
      baseline: { kind: "worktree", dir: baselineRepo },
      budgetPct: -10,
      onStart: (label) => started.push(label),
    });
    await runGates(registry(), gates("t:ok", "t:train", "perf:delta"), o);
    expect(started).toEqual(["baseline t:train", "t:ok", "t:train"]);
  });

  test("a perf gate without a budget is pending, never pass", async () => {
    const { results } = await runGates(
      registry(),
      gates("perf:delta"),
      options({ baseline: { kind: "value", value: 100 } }),
    );
    expect(results["perf:delta"]).toMatchObject({ status: "pending", reason: "no-budget", baseline: 100, result: 90 });
  });

  test("a perf gate whose compare gate failed is skipped with the reason", async () => {
    const r = registry();
    const broken: Registry = {
      ...r,
      gates: new Map([...r.gates, ["t:train", { ...r.gates.get("t:train")!, cmd: "exit 1" }]]),
    };
    const { results } = await runGates(
      broken,
      [broken.gates.get("perf:delta")!],
      options({ baseline: { kind: "value", value: 100 }, budgetPct: -10 }),
    );
    expect(results["perf:delta"]).toMatchObject({ status: "skipped", reason: "compare-gate: fail" });
  });

  test("a bundle runs in order and reports every gate", async () => {
    const bundle = resolveBundle(registry(), "mixed");
    if (!bundle.ok) throw new Error("bundle");
    const o = options();
    const { results } = await runGates(registry(), bundle.value, o);
    expect(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.status]))).toEqual({
      "t:ok": "pass",
      "t:fails": "fail",
      "t:ext": "pending",
    });
  });
});

describe("planGates", () => {
  test("a perf gate asked for alone pulls in its compare gate first", () => {
    const plan = planGates(registry(), gates("perf:delta"));
    expect(plan.run.map((g) => g.id)).toEqual(["t:train"]);
    expect(plan.perf.map((g) => g.id)).toEqual(["perf:delta"]);
  });
  test("perf gates are judged after all commands, whatever their position", () => {
    const plan = planGates(registry(), gates("perf:delta", "t:ok", "t:train"));
    expect(plan.run.map((g) => g.id)).toEqual(["t:ok", "t:train"]);
  });
});
