/**
 * Judge a metric gate's reported value against the fixed baseline, direction and tolerance of the
 * registry on the default branch: the results file's own status for it is a claim, its numbers
 * are the evidence, and a PR can never move its own baseline.
 */
import { judgeMetric, matchesBaseline } from "../gates/metrics.js";
import { MAX_METRICS_PER_GATE, type StoredGateResult } from "../ledger/types.js";
import type { GateResult } from "../schemas/tier-b-results.generated.js";
import type { TierBRegistry } from "./registry-view.js";

/** Why a metric gate that ran did not pass; codes, worded by the renderer. */
export type MetricReason =
  | "missing-metric" // the run reported no value for the metric
  | "worse-than-baseline" // the value is on the wrong side of the baseline by more than the tolerance
  | "bad-baseline" // the registry's baseline cannot be compared against
  | "baseline-gate-missing" // the flags-off gate has no result in the file
  | "baseline-gate-failed" // the flags-off gate did not pass
  | "baseline-mismatch"; // the flags-off gate did not reproduce the baseline within the tolerance

function finite(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : undefined;
}

/** Numbers a metric gate's row keeps, in this order, before any other metric the gate reported. */
const METRIC_FIELDS = ["value", "baseline", "delta_pct", "baseline_gate_value"] as const;

/**
 * `stored` is the gate as `storedGate` reduced it; for a gate the registry calls `kind = "metric"`
 * the status is re-decided here. A status other than `pass` is never upgraded (the command itself
 * failed, was skipped, or is pending); a `pass` stays one only if the flags-off gate (when declared)
 * reproduced the baseline and the value is on the right side of it.
 */
export function judgeMetricGate(
  stored: StoredGateResult,
  file: Readonly<Record<string, GateResult | undefined>>,
  registry: TierBRegistry,
): StoredGateResult {
  const gate = registry.gates.get(stored.id);
  if (
    gate?.kind !== "metric" ||
    gate.metric === undefined ||
    gate.baseline === undefined ||
    gate.direction === undefined
  )
    return stored;
  const metric = gate.metric;
  const tolerance = gate.tolerance_pct ?? 0;
  const own = file[stored.id];
  const value = finite(own?.value) ?? finite(own?.[metric]);
  const numbers: Record<string, number> = { baseline: gate.baseline };
  if (value !== undefined) numbers["value"] = value;
  const judged = value === undefined ? undefined : judgeMetric(value, gate.baseline, gate.direction, tolerance);
  if (judged !== undefined && judged.status !== "error") numbers["delta_pct"] = judged.delta_pct;

  let reason: MetricReason | undefined;
  if (gate.baseline_gate !== undefined) {
    const flagsOff = file[gate.baseline_gate];
    const offValue = finite(flagsOff?.[metric]) ?? finite(own?.baseline_gate_value);
    if (offValue !== undefined) numbers["baseline_gate_value"] = offValue;
    if (flagsOff === undefined && offValue === undefined) reason = "baseline-gate-missing";
    else if (flagsOff !== undefined && flagsOff.status !== "pass") reason = "baseline-gate-failed";
    else if (offValue === undefined) reason = "missing-metric";
    else if (!matchesBaseline(offValue, gate.baseline, tolerance)) reason = "baseline-mismatch";
  }
  if (reason === undefined) {
    if (judged === undefined) reason = "missing-metric";
    else if (judged.status === "error") reason = "bad-baseline";
    else if (judged.status === "fail") reason = "worse-than-baseline";
  }

  const out: StoredGateResult = { ...stored, metricName: metric, direction: gate.direction, tolerancePct: tolerance };
  delete out.compareGate;
  if (gate.baseline_gate !== undefined) out.baselineGate = gate.baseline_gate;
  const metrics: Record<string, number> = {};
  for (const k of METRIC_FIELDS) if (numbers[k] !== undefined) metrics[k] = numbers[k];
  for (const [k, v] of Object.entries(stored.metrics ?? {})) {
    if (Object.keys(metrics).length >= MAX_METRICS_PER_GATE) break;
    if (v !== undefined && !(k in metrics) && k !== "tolerance_pct" && k !== metric) metrics[k] = v;
  }
  out.metrics = metrics;
  if (stored.status === "pass" && reason !== undefined) {
    out.status = reason === "bad-baseline" ? "error" : "fail";
    out.reasonCode = reason;
  }
  return out;
}
