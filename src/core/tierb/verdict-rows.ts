/** The two verdict rows Tier-B feeds: "required Tier-B gates green on this head" and "perf within budget". */
import { isActive, type Dispatch, type Ledger, type StoredGateResult } from "../ledger/types.js";
import type { Perf } from "../schemas/contract.generated.js";
import { formatNumber } from "./render.js";
import { isTierBGate, requestedGateIds, type TierBRegistry } from "./registry-view.js";
import { coversHead } from "./stale.js";

export interface TierBRow {
  /** `pending`: not measured yet, but a run that will measure it is queued or running on this head. */
  status: "pass" | "fail" | "pending";
  summary: string;
  fix?: string;
}

/** Completed, non-stale dispatches whose results speak for this head, newest first. */
function finishedOnHead(ledger: Ledger, headSha: string): Dispatch[] {
  return ledger.dispatches
    .filter((d) => d.state === "completed" && coversHead(d, headSha) && d.results?.outcome === "valid")
    .reverse();
}

function gateResult(d: Dispatch, id: string): StoredGateResult | undefined {
  return d.results?.outcome === "valid" ? d.results.gates.find((g) => g.id === id) : undefined;
}

/** The newest result for one gate from a completed, non-stale run that speaks for this head. */
export function latestResultOnHead(ledger: Ledger, headSha: string, gateId: string): StoredGateResult | undefined {
  for (const d of finishedOnHead(ledger, headSha)) {
    const g = gateResult(d, gateId);
    if (g !== undefined && g.status !== "missing") return g;
  }
  return undefined;
}

export interface Coverage extends TierBRow {
  status: "pass" | "fail";
  covered: string[];
  missing: string[];
  /** Required gates with a run on this head still queued or running. */
  running: string[];
}

/**
 * Every Tier-B gate in the contract's `gates.required` must have passed in a completed,
 * non-stale dispatch on this head (any dispatch: a bundle run and a single re-run can combine).
 * Pass `registry` to pick the Tier-B gates out of the whole required list.
 */
export function tierBCoverage(
  ledger: Ledger,
  headSha: string,
  required: readonly string[],
  registry?: TierBRegistry,
): Coverage {
  const tierB = registry ? required.filter((id) => isTierBGate(registry, id)) : [...required];
  if (tierB.length === 0)
    return { status: "pass", summary: "the contract requires no Tier-B gates", covered: [], missing: [], running: [] };
  const done = finishedOnHead(ledger, headSha);
  const covered = tierB.filter((id) => done.some((d) => gateResult(d, id)?.status === "pass"));
  const missing = tierB.filter((id) => !covered.includes(id));
  const running = missing.filter((id) =>
    ledger.dispatches.some(
      (d) =>
        d.stale !== true &&
        d.sha === headSha &&
        (d.state === "in_progress" ||
          d.state === "queued" ||
          d.state === "waiting" ||
          d.state === "dispatched" ||
          d.state === "recorded") &&
        (d.singleGate === id || d.singleGate === undefined),
    ),
  );
  if (missing.length === 0)
    return {
      status: "pass",
      summary:
        tierB.length === 1
          ? `the required Tier-B gate \`${tierB[0]}\` passed on this head`
          : `all ${tierB.length} required Tier-B gates passed on this head`,
      covered,
      missing,
      running,
    };
  const list = missing
    .slice(0, 10)
    .map((id) => "`" + id + "`")
    .join(", ");
  return {
    status: "fail",
    summary: `${missing.length} required Tier-B gate${missing.length === 1 ? " has" : "s have"} not passed on this head: ${list}`,
    fix:
      running.length > 0
        ? "a Tier-B run on this head is still pending; wait for it"
        : "a maintainer comments `/tier-b <bundle>` (or `/tier-b single <gate-id>`) on the PR",
    covered,
    missing,
    running,
  };
}

/**
 * Whether a dispatch still to finish on this head will report `gateId`: a single run of it, or a
 * bundle run whose bundle (in the registry, when given) includes it.
 */
function activeRunCovers(ledger: Ledger, headSha: string, gateId: string, registry?: TierBRegistry): boolean {
  return ledger.dispatches.some((d) => {
    if (!isActive(d) || !coversHead(d, headSha)) return false;
    if (registry === undefined) return d.singleGate === undefined || d.singleGate === gateId;
    return (requestedGateIds(registry, d) ?? []).includes(gateId);
  });
}

/**
 * The contract's perf budget against the newest perf result on this head. A missing run, gate or
 * number is ❌ — unless a run that includes the perf gate is queued or running on this head, which
 * is ⏳ (an earlier measurement that passed still counts). `delta_pct` is recomputed from
 * `baseline` and `result` when both are there, so a results file cannot claim a better delta than
 * its own numbers. `budget_pct` -10 means the metric may fall by at most 10 %: pass when delta ≥ budget.
 */
export function perfWithinBudget(
  ledger: Ledger,
  headSha: string,
  perf: Perf | undefined,
  registry?: TierBRegistry,
): TierBRow {
  if (perf === undefined) return { status: "pass", summary: "the contract sets no perf budget" };
  const measured = measuredPerf(ledger, headSha, perf);
  if (measured.status === "pass" || !activeRunCovers(ledger, headSha, perf.gate, registry)) return measured;
  return {
    status: "pending",
    summary: `a Tier-B run that includes \`${perf.gate}\` is queued or running on this head`,
    fix: "wait for the run to finish",
  };
}

/** The newest finished perf measurement on this head, judged against the budget. */
function measuredPerf(ledger: Ledger, headSha: string, perf: Perf): TierBRow {
  const fix = `a maintainer runs \`/tier-b single ${perf.gate}\` (or a bundle that includes it) on this head`;
  for (const d of finishedOnHead(ledger, headSha)) {
    const g = gateResult(d, perf.gate);
    if (g === undefined || g.status === "missing") continue;
    if (g.status !== "pass" && g.status !== "fail") {
      return {
        status: "fail",
        summary: `the perf gate \`${perf.gate}\` is ${g.status} on this head, so perf is not measured`,
        fix,
      };
    }
    if (g.metricName !== undefined && g.metricName !== perf.metric)
      return {
        status: "fail",
        summary: `the perf run measured \`${g.metricName}\`, the contract asks for \`${perf.metric}\``,
        fix: "align the perf gate's metric with the contract",
      };
    if (g.compareGate !== undefined && g.compareGate !== perf.compare)
      return {
        status: "fail",
        summary: `the perf run compared \`${g.compareGate}\`, the contract asks for \`${perf.compare}\``,
        fix: "align the perf gate's compare_gate with the contract",
      };
    const m = g.metrics ?? {};
    const baseline = m["baseline"];
    const result = m["result"];
    const delta =
      baseline !== undefined && result !== undefined && baseline > 0
        ? ((result - baseline) / baseline) * 100
        : m["delta_pct"];
    if (delta === undefined || !Number.isFinite(delta))
      return {
        status: "fail",
        summary: `the perf gate \`${perf.gate}\` reported no ${perf.metric} delta on this head`,
        fix,
      };
    const within = delta >= perf.budget_pct;
    const numbers = `${perf.metric} ${delta >= 0 ? "+" : ""}${formatNumber(Math.round(delta * 100) / 100)} % vs budget ${formatNumber(perf.budget_pct)} %`;
    return within
      ? { status: "pass", summary: `perf within budget: ${numbers}` }
      : {
          status: "fail",
          summary: `perf over budget: ${numbers}`,
          fix: "recover the throughput, or agree a new budget in the issue's contract",
        };
  }
  return { status: "fail", summary: `no perf result for \`${perf.gate}\` on this head`, fix };
}
