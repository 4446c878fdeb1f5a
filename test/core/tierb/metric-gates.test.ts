import { describe, expect, test } from "@jest/globals";
import { readLedger, sealedState } from "../../../src/core/ledger/codec.js";
import type { StoredGateResult } from "../../../src/core/ledger/types.js";
import type { GateResult } from "../../../src/core/schemas/tier-b-results.generated.js";
import { concludeResults, validateResults } from "../../../src/core/tierb/results.js";
import { metricVerdictText, renderResultsTable } from "../../../src/core/tierb/render.js";
import { aDispatch, aLedger, aResultsFile } from "../../fixtures/tierb/builders.js";
import { aRegistry, HEAD } from "../../fixtures/tierb/registry.js";

const registry = aRegistry({
  gates: [
    ["eval:flags_off", { tier: "b", metrics: { val_loss: { prefix: "val_loss:" } } }],
    [
      "eval:val_loss",
      {
        tier: "b",
        kind: "metric",
        metric: "val_loss",
        baseline: 4.9413,
        direction: "lower",
        tolerance_pct: 0.2,
        baseline_gate: "eval:flags_off",
      },
    ],
    ["eval:acc", { tier: "b", kind: "metric", metric: "acc", baseline: 0.8, direction: "higher" }],
  ],
});

const flagsOff = (val_loss: number, status: GateResult["status"] = "pass"): GateResult => ({ status, rc: 0, val_loss });

/** The bot's reading of one metric gate from a results file holding `results`. */
function judged(id: string, results: Record<string, GateResult>): StoredGateResult {
  const file = validateResults(aResultsFile({ gate_ids: Object.keys(results), results }), {
    headSha: HEAD,
    dispatchId: "mc-0000000001",
    requestedGateIds: [id],
    registry,
  });
  if (!file.ok) throw new Error(JSON.stringify(file.errors));
  return concludeResults(file.value, [id], registry).perGate[0]!;
}

describe("a metric gate is judged by the bot against the registry, not by the file", () => {
  test.each<[string, Record<string, GateResult>, Record<string, unknown>]>([
    [
      "better than the baseline, flags off reproduces it: pass",
      { "eval:val_loss": { status: "pass", value: 4.9 }, "eval:flags_off": flagsOff(4.942) },
      {
        status: "pass",
        metrics: { value: 4.9, baseline: 4.9413, delta_pct: -0.835812, baseline_gate_value: 4.942 },
        direction: "lower",
        tolerancePct: 0.2,
        baselineGate: "eval:flags_off",
        metricName: "val_loss",
      },
    ],
    [
      "the file says pass, but the value is worse than the registry's baseline",
      { "eval:val_loss": { status: "pass", value: 5.1 }, "eval:flags_off": flagsOff(4.9413) },
      { status: "fail", reasonCode: "worse-than-baseline" },
    ],
    [
      "the file claims its own, easier baseline: the registry's counts",
      { "eval:val_loss": { status: "pass", value: 5.1, baseline: 6 }, "eval:flags_off": flagsOff(4.9413) },
      { status: "fail", reasonCode: "worse-than-baseline", metrics: expect.objectContaining({ baseline: 4.9413 }) },
    ],
    [
      "flags off does not reproduce the baseline: the experiment's number means nothing",
      { "eval:val_loss": { status: "pass", value: 4.8 }, "eval:flags_off": flagsOff(5.2) },
      { status: "fail", reasonCode: "baseline-mismatch" },
    ],
    [
      "flags off failed",
      { "eval:val_loss": { status: "pass", value: 4.8 }, "eval:flags_off": flagsOff(4.94, "fail") },
      { status: "fail", reasonCode: "baseline-gate-failed" },
    ],
    [
      "flags off is absent from the file",
      { "eval:val_loss": { status: "pass", value: 4.8 } },
      { status: "fail", reasonCode: "baseline-gate-missing" },
    ],
    [
      "no value reported",
      { "eval:val_loss": { status: "pass" }, "eval:flags_off": flagsOff(4.9413) },
      { status: "fail", reasonCode: "missing-metric" },
    ],
    [
      "the metric under its own name counts as the value",
      { "eval:val_loss": { status: "pass", val_loss: 4.93 }, "eval:flags_off": flagsOff(4.9413) },
      { status: "pass", metrics: expect.objectContaining({ value: 4.93 }) },
    ],
    [
      "a failed command is never upgraded, however good the number",
      { "eval:val_loss": { status: "fail", rc: 1, value: 1 }, "eval:flags_off": flagsOff(4.9413) },
      { status: "fail", rc: 1 },
    ],
  ])("%s", (_name, results, want) => {
    expect(judged("eval:val_loss", results)).toMatchObject(want);
  });

  test("higher is better, no baseline gate", () => {
    expect(judged("eval:acc", { "eval:acc": { status: "pass", value: 0.79 } })).toMatchObject({
      status: "fail",
      reasonCode: "worse-than-baseline",
      direction: "higher",
    });
    expect(judged("eval:acc", { "eval:acc": { status: "pass", value: 0.81 } }).status).toBe("pass");
  });

  test("the judged fields survive the ledger's schema", () => {
    const g = judged("eval:val_loss", {
      "eval:val_loss": { status: "pass", value: 4.9 },
      "eval:flags_off": flagsOff(4.942),
    });
    const ledger = aLedger(
      aDispatch({ state: "completed", conclusion: "success", results: { outcome: "valid", gates: [g] } }),
    );
    const place = { repo: "acme/nmoe", kind: "pr" as const, number: 7 };
    const key = new Uint8Array(32);
    const back = readLedger(`x\n\n${sealedState(ledger, place, key)}\n`, place, key);
    expect(back.status === "sealed" && back.ledger.dispatches[0]?.results).toEqual({ outcome: "valid", gates: [g] });
  });
});

describe("the results table explains which way was better", () => {
  test.each<[string, Record<string, GateResult>, string]>([
    [
      "better",
      { "eval:val_loss": { status: "pass", value: 4.9 }, "eval:flags_off": flagsOff(4.942) },
      "`val_loss` 4.9 vs baseline 4.941 (−0.8358 %): better; lower is better, tolerance 0.2 % · flags off (`eval:flags_off`): 4.942",
    ],
    [
      "worse",
      { "eval:val_loss": { status: "pass", value: 5 }, "eval:flags_off": flagsOff(4.9413) },
      "`val_loss` 5 vs baseline 4.941 (+1.188 %): worse; lower is better, tolerance 0.2 %",
    ],
    [
      "a mismatching flags-off run",
      { "eval:val_loss": { status: "pass", value: 4.9 }, "eval:flags_off": flagsOff(5.3) },
      "flags off (`eval:flags_off`): 5.3, does not reproduce the baseline",
    ],
    [
      "no value",
      { "eval:val_loss": { status: "pass" }, "eval:flags_off": flagsOff(4.9413) },
      "`val_loss`: no value reported (baseline 4.941; lower is better)",
    ],
  ])("%s", (_name, results, text) => {
    const g = judged("eval:val_loss", results);
    expect(metricVerdictText(g)).toContain(text);
    const table = renderResultsTable([g], registry);
    expect(table).toContain(text);
    // One row: nothing in the explanation opens a cell.
    expect(table.split("\n")[2]!.split(" | ")).toHaveLength(6);
  });

  test("other gates keep their metrics cell", () => {
    expect(metricVerdictText({ id: "b200:big_8x20", status: "pass", metrics: { node_tps_p50: 1 } })).toBeUndefined();
  });
});
