/** Run the selected gates of a registry — commands, external placeholders and perf comparisons — and return one structured result per gate. */
import type { Registry, RegistryGate } from "../core/gates/registry.js";
import { judgeMetric, judgePerf, matchesBaseline, MetricCollector, metricSpecs } from "../core/gates/metrics.js";
import type { GateResult } from "../core/schemas/tier-b-results.generated.js";
import { findMissing, hasMissing, missingReason } from "./preflight.js";
import { runCommand, type ProcessOutcome } from "./process.js";

/** A command gate with no `timeout_s` (or 0) still gets a limit: a hang must end the run, not the runner's patience. */
export const DEFAULT_TIMEOUT_S = 3600;
export const DEFAULT_GRACE_MS = 10_000;

export type Baseline = { kind: "worktree"; dir: string } | { kind: "value"; value: number };

export interface RunGatesOptions {
  /** The checked-out repo: commands run here and `requires_files` are relative to it. */
  repoDir: string;
  env: NodeJS.ProcessEnv;
  /** The runner's own progress lines (gate started, finished, missing inputs). */
  log: (line: string) => void;
  /** Raw output of a gate's command; goes to the log, never into results. */
  output: (label: string, line: string) => void;
  baseline?: Baseline | undefined;
  baselineRef?: string | undefined;
  budgetPct?: number | undefined;
  graceMs?: number | undefined;
  defaultTimeoutS?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Test hook: the process group of each command as it starts. */
  onStart?: ((label: string, pgid: number) => void) | undefined;
}

/** What ran, in order: the requested gates plus any compare gate a requested perf gate needs. */
export interface GatePlan {
  /** Command and external gates, in request order, dependencies first where they were not requested. */
  run: RegistryGate[];
  perf: RegistryGate[];
}

export function planGates(registry: Registry, requested: readonly RegistryGate[]): GatePlan {
  const run: RegistryGate[] = [];
  const perf: RegistryGate[] = [];
  const seen = new Set<string>();
  const add = (g: RegistryGate): void => {
    if (seen.has(g.id)) return;
    seen.add(g.id);
    (g.kind === "perf" ? perf : run).push(g);
  };
  // A perf gate compares a gate's numbers, and a metric gate needs its flags-off baseline gate, so
  // those gates run even when only the perf or metric gate was asked for.
  for (const g of requested) {
    const depId = g.kind === "perf" ? g.compare_gate : g.kind === "metric" ? g.baseline_gate : undefined;
    if (depId === undefined) continue;
    const dep = registry.gates.get(depId);
    if (dep && dep.kind !== "perf" && !requested.some((r) => r.id === dep.id)) add(dep);
  }
  for (const g of requested) add(g);
  return { run, perf };
}

/** Metric names each gate must yield: its declared ones plus what perf gates in this run compare on it. */
function wantedMetrics(plan: GatePlan): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  const want = (gateId: string | undefined, metric: string | undefined): void => {
    if (gateId === undefined || metric === undefined) return;
    wanted.set(gateId, [...(wanted.get(gateId) ?? []), metric]);
  };
  for (const p of plan.perf) want(p.compare_gate, p.metric);
  for (const g of plan.run) {
    if (g.kind !== "metric") continue;
    want(g.id, g.metric);
    want(g.baseline_gate, g.metric);
  }
  return wanted;
}

function timeoutFor(gate: RegistryGate, fallbackS: number): number | undefined {
  if (gate.timeout_s !== undefined && gate.timeout_s > 0) return gate.timeout_s;
  return gate.kind === "perf" ? undefined : fallbackS;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGABRT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

/** The structured part of a process outcome; output never enters it. */
function outcomeResult(outcome: ProcessOutcome): GateResult {
  const duration_s = Math.round(outcome.durationMs) / 1000;
  switch (outcome.kind) {
    case "exited":
      return outcome.code === 0
        ? { status: "pass", rc: 0, duration_s }
        : { status: "fail", rc: Math.max(-255, Math.min(255, outcome.code)), reason: "exit-code", duration_s };
    case "signalled": {
      const n = SIGNAL_NUMBERS[outcome.signal];
      return n === undefined
        ? { status: "fail", reason: `signal: ${outcome.signal}`, duration_s }
        : { status: "fail", rc: 128 + n, reason: `signal: ${outcome.signal}`, duration_s };
    }
    case "timeout":
      return { status: "fail", reason: "timeout", duration_s };
    case "cancelled":
      return { status: "error", reason: "cancelled", duration_s };
    case "spawn-error":
      return { status: "error", reason: `spawn-error: ${outcome.code}`, duration_s };
    default: {
      const never: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
    }
  }
}

interface CommandRun {
  result: GateResult;
  metrics: Record<string, number>;
}

async function runCommandGate(
  gate: RegistryGate,
  dir: string,
  label: string,
  wanted: readonly string[],
  opts: RunGatesOptions,
): Promise<CommandRun> {
  if (gate.cmd === undefined) return { result: { status: "error", reason: "no-cmd" }, metrics: {} };
  const collector = new MetricCollector(metricSpecs(gate, wanted));
  const outcome = await runCommand({
    cmd: gate.cmd,
    cwd: dir,
    env: opts.env,
    timeoutS: timeoutFor(gate, opts.defaultTimeoutS ?? DEFAULT_TIMEOUT_S),
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    signal: opts.signal,
    onStart: opts.onStart ? (pgid) => opts.onStart!(label, pgid) : undefined,
    onLine: (line) => {
      opts.output(label, line);
      collector.feed(line);
    },
  });
  const metrics = collector.finish();
  return { result: { ...outcomeResult(outcome), ...metrics }, metrics };
}

/** Run the gates and return results keyed by gate id (requested gates plus any compare gate run on their behalf). */
export async function runGates(
  registry: Registry,
  requested: readonly RegistryGate[],
  opts: RunGatesOptions,
): Promise<Record<string, GateResult>> {
  const plan = planGates(registry, requested);
  const wanted = wantedMetrics(plan);
  const results: Record<string, GateResult> = {};
  const metricsOf = new Map<string, Record<string, number>>();

  // Every missing input is named before the first gate starts, so one look at the log says what the runner lacks.
  const missing = new Map<string, string>();
  for (const g of [...plan.run, ...plan.perf]) {
    if (g.kind === "external") continue;
    const m = findMissing(g, opts.repoDir, opts.env);
    if (hasMissing(m)) missing.set(g.id, missingReason(m));
  }
  for (const [id, reason] of missing) opts.log(`gate ${id}: ${reason}`);

  for (const gate of plan.run) {
    if (opts.signal?.aborted) {
      results[gate.id] = { status: "skipped", reason: "cancelled" };
      continue;
    }
    if (gate.kind === "external") {
      results[gate.id] = { status: "pending", reason: "external" };
      opts.log(`gate ${gate.id}: pending (runs outside this runner)`);
      continue;
    }
    const why = missing.get(gate.id);
    if (why !== undefined) {
      results[gate.id] = { status: "skipped", reason: why };
      continue;
    }
    opts.log(`gate ${gate.id}: started`);
    const { result, metrics } = await runCommandGate(gate, opts.repoDir, gate.id, wanted.get(gate.id) ?? [], opts);
    results[gate.id] = result;
    metricsOf.set(gate.id, metrics);
    opts.log(
      `gate ${gate.id}: ${result.status}${result.reason ? ` (${result.reason})` : ""} in ${result.duration_s ?? 0} s`,
    );
  }

  // Metric gates are judged once every command ran: a bundle may list the flags-off gate after them.
  for (const gate of plan.run) {
    if (gate.kind !== "metric" || results[gate.id]?.status !== "pass") continue;
    results[gate.id] = metricResult(gate, results, metricsOf);
    const r = results[gate.id]!;
    opts.log(`gate ${gate.id}: ${r.status}${r.reason ? ` (${r.reason})` : ""} against the baseline`);
  }

  for (const gate of plan.perf) {
    const why = missing.get(gate.id);
    results[gate.id] =
      why !== undefined
        ? { status: "skipped", reason: why }
        : await perfResult(gate, registry, results, metricsOf, opts);
    opts.log(
      `gate ${gate.id}: ${results[gate.id]!.status}${results[gate.id]!.reason ? ` (${results[gate.id]!.reason})` : ""}`,
    );
  }
  return results;
}

/**
 * A metric gate whose command passed: its metric against the registry's fixed baseline, after its
 * flags-off `baseline_gate` (when it has one) reproduced that baseline within the tolerance.
 */
function metricResult(
  gate: RegistryGate,
  results: Record<string, GateResult>,
  metricsOf: Map<string, Record<string, number>>,
): GateResult {
  const ran = results[gate.id]!;
  const { metric, baseline, direction } = gate;
  if (metric === undefined || baseline === undefined || direction === undefined)
    return { ...ran, status: "error", reason: "not-a-metric-gate" };
  const tolerance = gate.tolerance_pct ?? 0;
  const out: GateResult = { ...ran, metric, baseline, direction, tolerance_pct: tolerance };
  if (gate.baseline_gate !== undefined) {
    out.baseline_gate = gate.baseline_gate;
    const off = results[gate.baseline_gate];
    if (off === undefined) return { ...out, status: "error", reason: "baseline-gate-missing" };
    if (off.status !== "pass") return { ...out, status: "skipped", reason: `baseline-gate-failed: ${off.status}` };
    const offValue = metricsOf.get(gate.baseline_gate)?.[metric];
    if (offValue === undefined) return { ...out, status: "fail", reason: `missing-metric: ${metric} (baseline gate)` };
    out.baseline_gate_value = offValue;
    if (!matchesBaseline(offValue, baseline, tolerance)) return { ...out, status: "fail", reason: "baseline-mismatch" };
  }
  const value = metricsOf.get(gate.id)?.[metric];
  if (value === undefined) return { ...out, status: "fail", reason: `missing-metric: ${metric}` };
  out.value = value;
  const judged = judgeMetric(value, baseline, direction, tolerance);
  if (judged.status === "error") return { ...out, status: "error", reason: judged.reason };
  out.delta_pct = judged.delta_pct;
  return judged.status === "pass"
    ? { ...out, status: "pass" }
    : { ...out, status: "fail", reason: "worse-than-baseline" };
}

/** `perf:baseline_delta`: the compare gate's metric on this head against the same metric on the baseline. */
async function perfResult(
  gate: RegistryGate,
  registry: Registry,
  results: Record<string, GateResult>,
  metricsOf: Map<string, Record<string, number>>,
  opts: RunGatesOptions,
): Promise<GateResult> {
  const compareId = gate.compare_gate;
  const metric = gate.metric;
  if (compareId === undefined || metric === undefined) return { status: "error", reason: "no-compare-gate" };
  const base: GateResult = { status: "pending", compare_gate: compareId, metric };
  if (opts.baselineRef !== undefined) base.baseline_ref = opts.baselineRef;
  if (opts.budgetPct !== undefined) base.budget_pct = opts.budgetPct;

  const compared = results[compareId];
  if (compared === undefined) return { ...base, status: "error", reason: "compare-gate-not-run" };
  if (compared.status !== "pass") return { ...base, status: "skipped", reason: `compare-gate: ${compared.status}` };
  const value = metricsOf.get(compareId)?.[metric];
  if (value === undefined) return { ...base, status: "fail", reason: `missing-metric: ${metric}` };
  base.result = value;

  let baseline: number;
  const source = opts.baseline;
  if (source === undefined) return { ...base, status: "pending", reason: "no-baseline" };
  if (source.kind === "value") {
    baseline = source.value;
  } else {
    const compareGate = registry.gates.get(compareId)!;
    const missing = findMissing(compareGate, source.dir, opts.env);
    if (hasMissing(missing))
      return { ...base, status: "error", reason: `baseline: ${missingReason(missing)}`.slice(0, 500) };
    opts.log(`gate ${gate.id}: running ${compareId} on the baseline`);
    const run = await runCommandGate(compareGate, source.dir, `baseline ${compareId}`, [metric], opts);
    if (run.result.status !== "pass")
      return { ...base, status: "error", reason: `baseline: ${run.result.reason ?? run.result.status}` };
    const b = run.metrics[metric];
    if (b === undefined) return { ...base, status: "error", reason: `baseline: missing-metric: ${metric}` };
    baseline = b;
  }
  base.baseline = baseline;

  if (opts.budgetPct === undefined) return { ...base, status: "pending", reason: "no-budget" };
  const judged = judgePerf(baseline, value, opts.budgetPct);
  if (judged.status === "error") return { ...base, status: "error", reason: judged.reason };
  return { ...base, status: judged.status, delta_pct: judged.delta_pct };
}
