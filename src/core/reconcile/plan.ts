/**
 * What the reconciler repairs: open PRs whose head has no `merge-captain` check from this App, or
 * whose check was judged on other inputs; Tier-B runs that moved on without the bot noticing.
 * It remembers what it confirmed, so an unchanged repository needs no per-PR call.
 */
import type { Ledger } from "../ledger/types.js";
import { applyRunEvent, matchRun, parseRunName, type RunRef } from "../tierb/runs.js";

/** Per repository, what the last runs confirmed: a PR's inputs key, and run states already applied. */
export interface RepoMemory {
  pulls: Record<string, string>;
  runs: string[];
}

export const EMPTY_MEMORY: RepoMemory = Object.freeze({ pulls: {}, runs: [] });

/** At most this many run states are remembered per repository (the run list is the newest 100). */
export const MAX_REMEMBERED_RUNS = 200;

export interface ReconcilePull {
  number: number;
  /** `verdictInputsKey` computed from the lists. */
  inputs: string;
}

/**
 * The PRs whose check must be looked at: those whose inputs the memory does not hold (all of them
 * when forced, as `/recheck` on an issue asks). The rest were confirmed with these same inputs.
 */
export function pullsToCheck(pulls: readonly ReconcilePull[], memory: RepoMemory, force: boolean): ReconcilePull[] {
  return pulls.filter((p) => force || memory.pulls[String(p.number)] !== p.inputs);
}

export type PullFinding =
  /** The head has no `merge-captain` check from this App: the required check is missing. */
  | "missing-check"
  /** A check exists but was written for other inputs (or by an older version, or as "not verified"). */
  | "stale-check"
  /**
   * The check is current but the sticky comment is not for this head: the publish was cut off
   * between the two writes (a crash while the comment waited behind the burst's checks).
   */
  | "missing-comment"
  | "current";

/**
 * Compare the check on the head with the inputs expected now; `commentForHead` is asked only
 * when the check is current (it costs a read).
 */
export async function judgePull(
  expected: string,
  check: { inputs?: string | undefined } | undefined,
  commentForHead: () => Promise<boolean>,
): Promise<PullFinding> {
  if (check === undefined) return "missing-check";
  if (check.inputs !== expected) return "stale-check";
  return (await commentForHead()) ? "current" : "missing-comment";
}

/** Missing checks first: a PR without its required check is blocked with no explanation. */
export function repairOrder<T extends { finding: PullFinding; number: number }>(found: readonly T[]): T[] {
  const rank = (f: PullFinding): number => ["missing-check", "stale-check", "missing-comment", "current"].indexOf(f);
  return found
    .filter((f) => f.finding !== "current")
    .sort((a, b) => rank(a.finding) - rank(b.finding) || a.number - b.number);
}

/** One run's observable state: a change in it (or a new run) is worth a look. */
export function runKey(run: RunRef): string {
  return `${run.id}:${run.status ?? ""}:${run.conclusion ?? ""}`;
}

/**
 * Tier-B runs worth a look: named by our run-name, on an open PR, and in a state this repository's
 * memory has not confirmed. Grouped by PR, so each PR's ledger is read once.
 */
export function runsToCheck<R extends RunRef>(
  runs: readonly R[],
  openPulls: ReadonlySet<number>,
  memory: RepoMemory,
): Map<number, R[]> {
  const seen = new Set(memory.runs);
  const byPull = new Map<number, R[]>();
  for (const run of runs) {
    const named = parseRunName(run.display_title ?? run.name ?? "");
    if (!named || !openPulls.has(named.pr) || seen.has(runKey(run))) continue;
    byPull.set(named.pr, [...(byPull.get(named.pr) ?? []), run]);
  }
  return byPull;
}

/**
 * Whether a run's event was missed: the ledger's dispatch for it would move on (a later state),
 * or the run completed and the dispatch holds no results yet. A run that is not ours is never acted on.
 */
export function runWasMissed(ledger: Ledger, run: RunRef, now: Date): boolean {
  const d = matchRun(ledger, run);
  if (!d) return false;
  const after = applyRunEvent(ledger, d.id, { kind: "run", run }, now).dispatch;
  if (!after) return false;
  if (after.state !== d.state || after.runId !== d.runId) return true;
  return run.status === "completed" && after.state === "completed" && d.results === undefined;
}

/** The memory after a run: only open PRs, and the newest run states. */
export function remember(
  memory: RepoMemory,
  openPulls: ReadonlySet<number>,
  confirmed: ReadonlyMap<number, string>,
  runs: readonly string[],
): RepoMemory {
  const pulls: Record<string, string> = {};
  for (const [n, key] of Object.entries(memory.pulls)) if (openPulls.has(Number(n))) pulls[n] = key;
  for (const [n, key] of confirmed) pulls[String(n)] = key;
  const merged = [...runs, ...memory.runs.filter((r) => !runs.includes(r))].slice(0, MAX_REMEMBERED_RUNS);
  return { pulls, runs: merged };
}

/**
 * The head a missed push left the ledger's dispatches on (the newest one not on `headSha` and not
 * yet stale), so the same-tree check of `synchronize` can keep their results; undefined when none.
 */
export function previousHead(ledger: Ledger, headSha: string): string | undefined {
  return ledger.dispatches.filter((d) => d.stale !== true && d.sha !== headSha).at(-1)?.sha;
}

/** Calls one PR repair may need (its reads, the check and sticky writes, a tree comparison): kept in reserve. */
export const CALLS_PER_REPAIR = 20;

export type StopReason = "budget" | "rate-limit";

/**
 * Whether to stop before the next unit of work: when any budget has less than a repair's worth
 * left, or GitHub's remaining rate limit fell below `floorPct` percent of the limit.
 */
export function stopReason(
  budgetsLeft: readonly number[],
  rate: { remaining: number; limit: number } | undefined,
  floorPct: number,
): StopReason | undefined {
  if (budgetsLeft.some((left) => left < CALLS_PER_REPAIR)) return "budget";
  if (rate !== undefined && rate.remaining < (rate.limit * floorPct) / 100) return "rate-limit";
  return undefined;
}
