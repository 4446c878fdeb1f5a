/** Turn gate output lines into numeric metrics, judge perf deltas against a budget, and assemble the Tier-B results object. */
import type { Gate } from "../schemas/gates.generated.js";
import type { GateResult, Status, TierBResults } from "../schemas/tier-b-results.generated.js";

/** How readings collapse to one number; the registry schema lists them. */
export type Stat = NonNullable<NonNullable<NonNullable<Gate["metrics"]>[string]>["stat"]>;

/** How one metric is read: the text that precedes its number on a line, and how many readings collapse to one. */
export interface MetricSpec {
  name: string;
  prefix: string;
  stat: Stat;
}

/** Metric names a results entry can carry: lowercase (the results schema's pattern) and not a field of its own. */
const METRIC_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const RESERVED = new Set([
  "status",
  "rc",
  "reason",
  "duration_s",
  "compare_gate",
  "metric",
  "baseline_ref",
  "baseline",
  "result",
  "delta_pct",
  "budget_pct",
  "value",
  "direction",
  "tolerance_pct",
  "baseline_gate",
  "baseline_gate_value",
]);

/** Lines longer than this are only searched in their first part: a metric is a short log line, and a huge line must not cost a huge scan. */
export const MAX_METRIC_LINE = 4096;
/** Readings kept per metric; a runaway log must not grow memory without bound. */
export const MAX_READINGS = 100_000;

const NUMBER = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)/;

export function isResultMetricName(name: string): boolean {
  return METRIC_NAME.test(name) && !RESERVED.has(name);
}

/**
 * What nmoe's own runner records for every gate whose output has `node_tps:` lines (its results
 * table has these columns), so every gate carries them without declaring anything.
 */
export const NMOE_METRICS: readonly MetricSpec[] = [
  { name: "node_tps_p50", prefix: "node_tps:", stat: "p50" },
  { name: "node_tps_samples", prefix: "node_tps:", stat: "count" },
];

/**
 * The metrics a gate yields: those it declares in its `metrics` table, nmoe's `node_tps_p50` and
 * `node_tps_samples` (a declaration of the same name wins), plus any names other gates ask of it
 * (a perf gate's `metric` on its `compare_gate`). An undeclared name `<base>_p50` follows nmoe's
 * convention — the median of the numbers after `<base>:`; other undeclared names cannot be read
 * and are left out (the perf gate then reports the metric missing).
 */
export function metricSpecs(gate: Pick<Gate, "metrics">, wanted: readonly string[] = []): MetricSpec[] {
  const out = new Map<string, MetricSpec>();
  for (const [name, decl] of Object.entries(gate.metrics ?? {})) {
    if (decl === undefined) continue;
    out.set(name, { name, prefix: decl.prefix, stat: decl.stat ?? "p50" });
  }
  for (const spec of NMOE_METRICS) if (!out.has(spec.name)) out.set(spec.name, spec);
  for (const name of wanted) {
    if (out.has(name)) continue;
    const conventional = /^(.+)_p50$/.exec(name);
    if (conventional) out.set(name, { name, prefix: `${conventional[1]}:`, stat: "p50" });
  }
  return [...out.values()];
}

/** Can the gate runner read `name` from this gate's output (declared in `metrics`, or the `<base>_p50` convention)? */
export function yieldsMetric(gate: Pick<Gate, "metrics">, name: string): boolean {
  return metricSpecs(gate, [name]).some((s) => s.name === name);
}

/** The number that directly follows `prefix` on a line (first match whose prefix is not the tail of a longer word), if any. */
export function readingAfter(line: string, prefix: string): number | undefined {
  const text = line.length > MAX_METRIC_LINE ? line.slice(0, MAX_METRIC_LINE) : line;
  const wordStart = /^[A-Za-z0-9_]/.test(prefix);
  let from = 0;
  for (;;) {
    const at = text.indexOf(prefix, from);
    if (at < 0) return undefined;
    from = at + 1;
    if (wordStart && at > 0 && /[A-Za-z0-9_]/.test(text[at - 1]!)) continue;
    const m = NUMBER.exec(text.slice(at + prefix.length));
    if (!m) continue;
    const n = Number(m[1]);
    if (Number.isFinite(n)) return n;
  }
}

export function summarise(values: readonly number[], stat: Stat): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case "p50": {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    }
    case "mean":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "min":
      return values.reduce((a, b) => Math.min(a, b));
    case "max":
      return values.reduce((a, b) => Math.max(a, b));
    case "last":
      return values[values.length - 1];
    case "count":
      return values.length;
    default: {
      const never: never = stat;
      throw new Error(`unknown stat ${String(never)}`);
    }
  }
}

/** Collects readings line by line while a gate runs (output is streamed, never held), then reduces them. */
export class MetricCollector {
  private readonly readings = new Map<string, number[]>();

  constructor(private readonly specs: readonly MetricSpec[]) {
    for (const s of specs) this.readings.set(s.name, []);
  }

  feed(line: string): void {
    for (const spec of this.specs) {
      const values = this.readings.get(spec.name)!;
      if (values.length >= MAX_READINGS) continue;
      const n = readingAfter(line, spec.prefix);
      if (n !== undefined) values.push(n);
    }
  }

  /** One number per metric that was seen at least once; names the results file cannot carry are dropped. */
  finish(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const spec of this.specs) {
      if (!isResultMetricName(spec.name)) continue;
      const v = summarise(this.readings.get(spec.name)!, spec.stat);
      if (v !== undefined) out[spec.name] = v;
    }
    return out;
  }
}

/** Extract metrics from a finished list of lines (the collector in one call). */
export function extractMetrics(lines: Iterable<string>, specs: readonly MetricSpec[]): Record<string, number> {
  const c = new MetricCollector(specs);
  for (const line of lines) c.feed(line);
  return c.finish();
}

/** Round away float noise so that the number shown is the number judged (-10 is -10, not -10.000000000000002). */
function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

export type PerfJudgement =
  { status: "pass" | "fail"; delta_pct: number } | { status: "error"; reason: "bad-baseline" };

/**
 * `delta_pct = (result - baseline) / baseline * 100`, passing when `delta_pct >= budget_pct`:
 * a budget of -10 lets throughput fall by at most 10 %. A baseline that is zero, negative or not
 * finite cannot be compared against and is an error, never a pass.
 */
export function judgePerf(baseline: number, result: number, budgetPct: number): PerfJudgement {
  if (!Number.isFinite(baseline) || baseline <= 0 || !Number.isFinite(result))
    return { status: "error", reason: "bad-baseline" };
  const delta = round6(((result - baseline) / baseline) * 100);
  return { status: delta >= budgetPct ? "pass" : "fail", delta_pct: delta };
}

export type Direction = "lower" | "higher";

/** A metric gate's judgement against its fixed baseline: the signed delta, and whether the value is on the better side. */
export type MetricJudgement =
  { status: "pass" | "fail"; delta_pct: number; better: boolean } | { status: "error"; reason: "bad-baseline" };

/**
 * `delta_pct = (value - baseline) / |baseline| * 100`. With `direction = "lower"` (a loss) the value
 * passes when it is at most `tolerancePct` above the baseline; with `"higher"` when it is at most
 * `tolerancePct` below. Tolerance 0 is the plain `value <= baseline` (or `>=`). `better` says which
 * side of the baseline the value is on, whatever the tolerance. A zero or non-finite baseline or
 * value cannot be judged and is an error, never a pass.
 */
export function judgeMetric(value: number, baseline: number, direction: Direction, tolerancePct = 0): MetricJudgement {
  if (!Number.isFinite(baseline) || baseline === 0 || !Number.isFinite(value) || !(tolerancePct >= 0))
    return { status: "error", reason: "bad-baseline" };
  const delta = round6(((value - baseline) / Math.abs(baseline)) * 100);
  const worseBy = direction === "lower" ? delta : -delta;
  return { status: worseBy <= tolerancePct ? "pass" : "fail", delta_pct: delta, better: worseBy < 0 };
}

/** "Flags off must match the baseline": the baseline gate's value within ± `tolerancePct` of the baseline. */
export function matchesBaseline(value: number, baseline: number, tolerancePct = 0): boolean {
  if (!Number.isFinite(baseline) || baseline === 0 || !Number.isFinite(value)) return false;
  return Math.abs(round6(((value - baseline) / Math.abs(baseline)) * 100)) <= tolerancePct;
}

/**
 * The status of a whole run: pass only if every requested gate has a result and it is pass.
 * Otherwise the worst status wins (fail > error > skipped > pending), and a requested gate with
 * no result counts as fail; an empty request is not a pass either.
 */
export function overallStatus(
  gateIds: readonly string[],
  results: Readonly<Record<string, GateResult | undefined>>,
): Status {
  if (gateIds.length === 0) return "fail";
  const order: Status[] = ["fail", "error", "skipped", "pending", "pass"];
  let worst = order.length - 1;
  for (const id of gateIds) {
    const status = results[id]?.status ?? "fail";
    worst = Math.min(worst, order.indexOf(status));
  }
  return order[worst]!;
}

/** A results file without the binding fields: what a local Tier-A run writes. */
export type LocalResults = Omit<TierBResults, "head_sha" | "dispatch_id"> &
  Partial<Pick<TierBResults, "head_sha" | "dispatch_id">>;

/**
 * Assemble the results object; `head_sha` and `dispatch_id` are present only when both are given.
 * A run whose gate processes could not all be confirmed gone (`contained: false`) is an `error`
 * overall, whatever the gates said: results that something may still be rewriting are no evidence.
 */
export function assembleResults(input: {
  bundle: string;
  gateIds: readonly string[];
  results: Readonly<Record<string, GateResult>>;
  headSha?: string | undefined;
  dispatchId?: string | undefined;
  contained?: boolean | undefined;
}): LocalResults {
  const out: LocalResults = {
    bundle: input.bundle,
    gate_ids: [...input.gateIds],
    results: { ...input.results },
    overall: input.contained === false ? "error" : overallStatus(input.gateIds, input.results),
  };
  if (input.headSha !== undefined && input.dispatchId !== undefined) {
    out.head_sha = input.headSha;
    out.dispatch_id = input.dispatchId;
  }
  return out;
}
