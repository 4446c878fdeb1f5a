/** The bot's memory for one PR, kept as hidden JSON in its sticky comment: Tier-B dispatches and a little of the lead's state. */
import type { Status } from "../schemas/tier-b-results.generated.js";

/**
 * Where a dispatch is in its life. `recorded` is written BEFORE the dispatch API call (so a retry
 * finds it); `dispatched` after GitHub accepted it; `queued`/`waiting`/`in_progress`/`completed`
 * follow the workflow run; `cancelled` and `failed` are ends of their own. Staleness (a newer
 * head) is a separate flag, because a stale dispatch may still be running or hold results.
 */
export type DispatchState =
  "recorded" | "dispatched" | "queued" | "waiting" | "in_progress" | "completed" | "cancelled" | "failed";

export const DISPATCH_STATES: readonly DispatchState[] = [
  "recorded",
  "dispatched",
  "queued",
  "waiting",
  "in_progress",
  "completed",
  "cancelled",
  "failed",
];

/** States in which a run may still start or is running: a second request for the same target is a duplicate. */
export const ACTIVE_STATES: readonly DispatchState[] = ["recorded", "dispatched", "queued", "waiting", "in_progress"];
/** Active states in which no job has started yet, so cancelling loses no GPU work. */
export const NOT_STARTED_STATES: readonly DispatchState[] = ["recorded", "dispatched", "queued", "waiting"];

export function isActive(d: Pick<Dispatch, "state">): boolean {
  return ACTIVE_STATES.includes(d.state);
}

/** Why a dispatch ended without results; a code, worded by the renderer. */
export type EndReason =
  | "cancel-requested" // `/tier-b cancel`
  | "head-moved" // a push made it stale before it started
  | "run-cancelled" // the workflow run was cancelled (by anyone)
  | "dispatch-failed" // the dispatch API call failed
  | "run-not-found"; // the API accepted the dispatch but no run appeared

export const END_REASONS: readonly EndReason[] = [
  "cancel-requested",
  "head-moved",
  "run-cancelled",
  "dispatch-failed",
  "run-not-found",
];

/** One gate's outcome as the bot keeps it: only allow-listed, already-validated structured fields. */
export interface StoredGateResult {
  id: string;
  /** `missing`: requested but absent from the results file. */
  status: Status | "missing";
  rc?: number;
  durationS?: number;
  /** A short code derived from the free-text `reason` (never the text itself). */
  reasonCode?: string;
  /** Env var names from the reason that the registry declares for this gate. */
  envNames?: string[];
  /** Finite numbers only, names allow-listed (see results.ts). */
  metrics?: Record<string, number>;
  /** For perf gates: what was compared, from allow-listed patterns. */
  compareGate?: string;
  metricName?: string;
  baselineRef?: string;
  /**
   * For metric gates, judged by the bot against the registry on the default branch (never the
   * file's own verdict): which way is better, the noise allowance, and the flags-off gate.
   * `metrics` then holds `value`, `baseline`, `delta_pct` and `baseline_gate_value`.
   */
  direction?: "lower" | "higher";
  tolerancePct?: number;
  baselineGate?: string;
}

/** What came back from the run: validated results, or the code of why there are none. */
export type StoredResults =
  | { outcome: "valid"; gates: StoredGateResult[]; detailsDropped?: boolean }
  | { outcome: "missing" } // the run ended before writing a results file
  | { outcome: "refused"; code: string }; // a file was there but failed validation or binding

export interface Dispatch {
  /** The idempotency key: in the workflow inputs, the run-name and the results file. */
  id: string;
  pr: number;
  /** The head SHA pinned when the command was accepted; the run verifies it before any gate. */
  sha: string;
  /** A bundle name, or `single` with `singleGate`. */
  bundle: string;
  singleGate?: string;
  baselineRef?: string;
  budgetPct?: number;
  requester: string;
  requestedAt: string;
  /** The command comment; a redelivered webhook for it is a duplicate whatever the state. */
  commentId?: number;
  state: DispatchState;
  updatedAt?: string;
  runId?: number;
  runUrl?: string;
  runAttempt?: number;
  /** The `Tier-B: <bundle>` check run opened on `sha`. */
  checkRunId?: number;
  /** GitHub's conclusion of the workflow run, when it completed (e.g. `success`, `failure`). */
  runConclusion?: string;
  /** Ours, from the results: success only if every requested gate passed. */
  conclusion?: "success" | "failure" | "neutral";
  results?: StoredResults;
  endReason?: EndReason;
  treeSha?: string;
  /** A newer head replaced `sha`; results are kept and shown, but count for nothing on the new head. */
  stale?: boolean;
  staleBy?: string;
  /** Later heads with the same tree as `sha` (a force-push of identical content): the results hold for them too. */
  alsoCovers?: string[];
  /** Rebuilt from the workflow's runs after the ledger was lost: requester and time are unknown. */
  recovered?: boolean;
  /** A run on a merge group's commit (`merge_queue.tier_b: rerun`), not on the PR's head: the queue branch it checks out. */
  mergeGroup?: { ref: string };
}

export interface Ledger {
  version: 1;
  /** Oldest first. */
  dispatches: Dispatch[];
  /** The lead's: a digest of the last posted verdict, to skip identical updates. */
  verdictDigest?: string;
  /** The lead's: other small string state (e.g. public-safety finding digests), bounded by the schema. */
  extra?: Record<string, string>;
}

export function emptyLedger(): Ledger {
  return { version: 1, dispatches: [] };
}
