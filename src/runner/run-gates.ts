/** Run the selected gates of a registry — commands, external placeholders and perf comparisons — each contained and with a scrubbed environment, and return one structured result per gate. */
import { gateEnvironment } from "../core/gates/env.js";
import type { Registry, RegistryGate } from "../core/gates/registry.js";
import { judgeMetric, judgePerf, matchesBaseline, MetricCollector, metricSpecs } from "../core/gates/metrics.js";
import type { GateResult } from "../core/schemas/tier-b-results.generated.js";
import { Containment, type ContainmentKind } from "./containment.js";
import { findMissing, hasMissing, missingReason } from "./preflight.js";
import { runCommand, type CommandRun, type ProcessOutcome } from "./process.js";

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
  /**
   * Refuse to run any command when escapes cannot be seen (no /proc): on for results bound to a
   * Tier-B dispatch, where an escaped gate could rewrite them.
   */
  requireContainment?: boolean | undefined;
  /** Defaults to `Containment.open()`: a cgroup per gate where the runner may create one, else the /proc mark. */
  containment?: Containment | undefined;
}

export interface GateRun {
  /** Keyed by gate id: the requested gates plus any compare gate run on their behalf. */
  results: Record<string, GateResult>;
  /** False when some gate's processes could not be confirmed gone: nothing after it ran, and the run is an error. */
  contained: boolean;
  containment: ContainmentKind;
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
    case "contain-error":
      return { status: "error", reason: "containment-setup-failed", duration_s };
    default: {
      const never: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
    }
  }
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * The process outcome, overruled by containment: a gate whose processes could not all be stopped,
 * or that had processes leave its process group (setsid) to outlive it, is an `error` whatever its
 * exit code — an escaped process is how a gate would rewrite results written after it.
 */
function commandResult(run: CommandRun): GateResult {
  const result = outcomeResult(run.outcome);
  const { leftover, escaped, confirmed } = run.containment;
  if (!confirmed) {
    const n = Math.max(leftover, 1);
    return {
      ...result,
      status: "error",
      reason: `not-contained: ${plural(n, "process", "processes")} could not be stopped`,
    };
  }
  if (escaped > 0)
    return {
      ...result,
      status: "error",
      reason: `escaped: ${plural(escaped, "process", "processes")} left the gate's process group and had to be stopped`,
    };
  return result;
}

interface GateCommand {
  result: GateResult;
  metrics: Record<string, number>;
  contained: boolean;
}

async function runCommandGate(
  gate: RegistryGate,
  dir: string,
  label: string,
  wanted: readonly string[],
  opts: RunGatesOptions,
  containment: Containment,
): Promise<GateCommand> {
  if (gate.cmd === undefined) return { result: { status: "error", reason: "no-cmd" }, metrics: {}, contained: true };
  const { env, reserved } = gateEnvironment(gate.requires, opts.env);
  if (reserved.length > 0)
    return {
      result: {
        status: "error",
        reason: `reserved-env: ${reserved.join(", ")} (never passed to a gate)`.slice(0, 500),
      },
      metrics: {},
      contained: true,
    };
  const collector = new MetricCollector(metricSpecs(gate, wanted));
  const run = await runCommand({
    cmd: gate.cmd,
    cwd: dir,
    env,
    jail: containment.jail(),
    timeoutS: timeoutFor(gate, opts.defaultTimeoutS ?? DEFAULT_TIMEOUT_S),
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
    signal: opts.signal,
    onStart: opts.onStart ? (pgid) => opts.onStart!(label, pgid) : undefined,
    onLine: (line) => {
      opts.output(label, line);
      collector.feed(line);
    },
  });
  const { leftover, escaped, confirmed, strays } = run.containment;
  const who = label === gate.id ? `gate ${gate.id}` : label;
  if (!confirmed) opts.log(`${who}: its processes could not all be stopped; no further gate runs`);
  else if (escaped > 0)
    opts.log(
      `${who}: ${plural(escaped, "process", "processes")} left its process group (setsid) to outlive it; stopped`,
    );
  else if (leftover > 0) opts.log(`${who}: left ${plural(leftover, "process", "processes")} running; stopped`);
  if (strays > 0)
    opts.log(
      `${who}: stopped ${plural(strays, "orphaned gate process", "orphaned gate processes")} with a lowered mark`,
    );
  const metrics = collector.finish();
  return { result: { ...commandResult(run), ...metrics }, metrics, contained: confirmed };
}

type Measured = { ok: true; value: number } | { ok: false; reason: string };

/** Results every remaining gate gets once containment failed: nothing more runs on a runner something escaped on. */
const NOT_RUN: GateResult = { status: "skipped", reason: "not-run: an earlier gate's processes could not be stopped" };

/** Run the gates: baselines first, then the commands in order, then the perf judgements. */
export async function runGates(
  registry: Registry,
  requested: readonly RegistryGate[],
  opts: RunGatesOptions,
): Promise<GateRun> {
  const containment = opts.containment ?? Containment.open();
  try {
    return await runContained(registry, requested, opts, containment);
  } finally {
    if (opts.containment === undefined) containment.close();
  }
}

async function runContained(
  registry: Registry,
  requested: readonly RegistryGate[],
  opts: RunGatesOptions,
  containment: Containment,
): Promise<GateRun> {
  const plan = planGates(registry, requested);
  const wanted = wantedMetrics(plan);
  const results: Record<string, GateResult> = {};
  const metricsOf = new Map<string, Record<string, number>>();
  let contained = true;
  const done = (): GateRun => ({ results, contained, containment: containment.kind });

  opts.log(`containment: ${containment.kind}${containment.note ? ` (${containment.note})` : ""}`);
  if (opts.requireContainment && !containment.confirmsEscapes) {
    for (const g of [...plan.run, ...plan.perf])
      results[g.id] =
        g.kind === "external"
          ? { status: "pending", reason: "external" }
          : { status: "error", reason: "containment-unavailable: gate processes cannot be tracked on this host" };
    return done();
  }

  // Every missing input is named before the first gate starts, so one look at the log says what the runner lacks.
  const missing = new Map<string, string>();
  for (const g of [...plan.run, ...plan.perf]) {
    if (g.kind === "external") continue;
    const m = findMissing(g, opts.repoDir, opts.env);
    if (hasMissing(m)) missing.set(g.id, missingReason(m));
  }
  for (const [id, reason] of missing) opts.log(`gate ${id}: ${reason}`);

  // Baselines run before any gate runs the PR's code: a gate must not get to touch the baseline checkout first.
  const baselines = new Map<string, Measured>();
  const source = opts.baseline;
  if (source?.kind === "worktree")
    for (const gate of plan.perf) {
      if (missing.has(gate.id) || gate.compare_gate === undefined || gate.metric === undefined) continue;
      if (missing.has(gate.compare_gate) || baselines.has(gate.id)) continue;
      const m = await measureBaseline(gate, registry, source.dir, opts, containment);
      baselines.set(gate.id, m.measured);
      if (!m.contained) {
        contained = false;
        break;
      }
    }

  for (const gate of plan.run) {
    if (!contained) {
      results[gate.id] = NOT_RUN;
      continue;
    }
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
    const run = await runCommandGate(gate, opts.repoDir, gate.id, wanted.get(gate.id) ?? [], opts, containment);
    results[gate.id] = run.result;
    metricsOf.set(gate.id, run.metrics);
    contained = run.contained;
    opts.log(
      `gate ${gate.id}: ${run.result.status}${run.result.reason ? ` (${run.result.reason})` : ""} in ${run.result.duration_s ?? 0} s`,
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
    results[gate.id] = !contained
      ? NOT_RUN
      : why !== undefined
        ? { status: "skipped", reason: why }
        : perfResult(gate, results, metricsOf, opts, baselines.get(gate.id));
    opts.log(
      `gate ${gate.id}: ${results[gate.id]!.status}${results[gate.id]!.reason ? ` (${results[gate.id]!.reason})` : ""}`,
    );
  }
  return done();
}

/** The compare gate's metric in the baseline checkout, run (contained, like every gate) before the PR's gates. */
async function measureBaseline(
  gate: RegistryGate,
  registry: Registry,
  dir: string,
  opts: RunGatesOptions,
  containment: Containment,
): Promise<{ measured: Measured; contained: boolean }> {
  const compareGate = registry.gates.get(gate.compare_gate!);
  const metric = gate.metric!;
  if (compareGate === undefined) return { measured: { ok: false, reason: "compare-gate-not-run" }, contained: true };
  const missing = findMissing(compareGate, dir, opts.env);
  if (hasMissing(missing))
    return { measured: { ok: false, reason: `baseline: ${missingReason(missing)}`.slice(0, 500) }, contained: true };
  opts.log(`gate ${gate.id}: running ${compareGate.id} on the baseline first`);
  const run = await runCommandGate(compareGate, dir, `baseline ${compareGate.id}`, [metric], opts, containment);
  if (run.result.status !== "pass")
    return {
      measured: { ok: false, reason: `baseline: ${run.result.reason ?? run.result.status}`.slice(0, 500) },
      contained: run.contained,
    };
  const b = run.metrics[metric];
  return {
    measured: b === undefined ? { ok: false, reason: `baseline: missing-metric: ${metric}` } : { ok: true, value: b },
    contained: run.contained,
  };
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
function perfResult(
  gate: RegistryGate,
  results: Record<string, GateResult>,
  metricsOf: Map<string, Record<string, number>>,
  opts: RunGatesOptions,
  measured: Measured | undefined,
): GateResult {
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
  if (source.kind === "value") baseline = source.value;
  else if (measured === undefined) return { ...base, status: "error", reason: "baseline: not-measured" };
  else if (!measured.ok) return { ...base, status: "error", reason: measured.reason };
  else baseline = measured.value;
  base.baseline = baseline;

  if (opts.budgetPct === undefined) return { ...base, status: "pending", reason: "no-budget" };
  const judged = judgePerf(baseline, value, opts.budgetPct);
  if (judged.status === "error") return { ...base, status: "error", reason: judged.reason };
  return { ...base, status: judged.status, delta_pct: judged.delta_pct };
}
