import { describe, expect, test } from "@jest/globals";
import { tmpdir } from "node:os";
import { parseRegistry, type Registry, type RegistryGate } from "../../src/core/gates/registry.js";
import { planGates, runGates, type RunGatesOptions } from "../../src/runner/run-gates.js";

/** The baseline-regression loop with shell commands that print what a trainer would. */
function registry(experiment: string, flagsOff = "4.9420", extra = ""): Registry {
  const r = parseRegistry(`
[gates."eval:flags_off"]
tier = "b"
cmd = "echo 'step 1 val_loss: 5.8'; echo 'val_loss: ${flagsOff}'"
metrics.val_loss = { prefix = "val_loss:", stat = "last" }

[gates."eval:val_loss"]
tier = "b"
kind = "metric"
cmd = "${experiment}"
metric = "val_loss"
baseline = 4.9413
direction = "lower"
tolerance_pct = 0.5
baseline_gate = "eval:flags_off"
metrics.val_loss = { prefix = "val_loss:", stat = "last" }
${extra}`);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function gates(reg: Registry, ...ids: string[]): RegistryGate[] {
  return ids.map((id) => reg.gates.get(id)!);
}

function options(): RunGatesOptions {
  return { repoDir: tmpdir(), env: { PATH: process.env.PATH }, log: () => {}, output: () => {}, graceMs: 200 };
}

describe("the gate runner on metric gates", () => {
  test("asked for alone, the metric gate runs its flags-off gate first and beats the baseline", async () => {
    const reg = registry("echo 'val_loss: 4.9012'");
    expect(planGates(reg, gates(reg, "eval:val_loss")).run.map((g) => g.id)).toEqual([
      "eval:flags_off",
      "eval:val_loss",
    ]);
    const { results } = await runGates(reg, gates(reg, "eval:val_loss"), options());
    expect(results["eval:flags_off"]).toMatchObject({ status: "pass", val_loss: 4.942 });
    expect(results["eval:val_loss"]).toEqual({
      status: "pass",
      rc: 0,
      duration_s: expect.any(Number),
      val_loss: 4.9012,
      metric: "val_loss",
      value: 4.9012,
      baseline: 4.9413,
      direction: "lower",
      tolerance_pct: 0.5,
      baseline_gate: "eval:flags_off",
      baseline_gate_value: 4.942,
      delta_pct: -0.811527,
    });
  });

  test.each([
    ["worse than the baseline beyond the tolerance", "echo 'val_loss: 5.2'", "4.9420", "fail", "worse-than-baseline"],
    ["flags off does not reproduce the baseline", "echo 'val_loss: 4.8'", "5.3", "fail", "baseline-mismatch"],
    ["no val_loss line", "echo done", "4.9420", "fail", "missing-metric: val_loss"],
    ["the experiment's command fails", "echo 'val_loss: 4.1'; exit 3", "4.9420", "fail", "exit-code"],
  ])("%s", async (_name, experiment, flagsOff, status, reason) => {
    const reg = registry(experiment, flagsOff);
    const { results } = await runGates(reg, gates(reg, "eval:val_loss"), options());
    expect(results["eval:val_loss"]).toMatchObject({ status, reason });
  });

  test("a flags-off gate that fails skips the metric gate (never a pass)", async () => {
    const reg = registry("echo 'val_loss: 4.1'");
    const broken: Registry = {
      ...reg,
      gates: new Map([...reg.gates, ["eval:flags_off", { ...reg.gates.get("eval:flags_off")!, cmd: "exit 1" }]]),
    };
    const { results } = await runGates(broken, gates(broken, "eval:val_loss"), options());
    expect(results["eval:val_loss"]).toMatchObject({ status: "skipped", reason: "baseline-gate-failed: fail" });
  });

  test("a bundle may list the flags-off gate after the metric gate: it is judged once both ran", async () => {
    const reg = registry("echo 'val_loss: 4.93'");
    const { results } = await runGates(reg, gates(reg, "eval:val_loss", "eval:flags_off"), options());
    expect(results["eval:val_loss"]).toMatchObject({ status: "pass", baseline_gate_value: 4.942 });
  });
});
