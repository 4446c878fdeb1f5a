/** A push to the PR: earlier Tier-B dispatches become stale (kept and shown), runs not yet started are to be cancelled. */
import { MAX_ALSO_COVERS, NOT_STARTED_STATES, type Dispatch, type Ledger } from "../ledger/types.js";

/** Whether a dispatch's results speak for this head: pinned to it, or to an earlier commit with the same tree. */
export function coversHead(d: Dispatch, headSha: string): boolean {
  return d.stale !== true && (d.sha === headSha || (d.alsoCovers ?? []).includes(headSha));
}

export interface StaleOutcome {
  ledger: Ledger;
  /** Runs that have not started and will never be valid: cancel through the API (those with a run id). */
  cancel: Dispatch[];
  /** Dispatches whose results were kept because the new head has the same tree. */
  keptSameTree: Dispatch[];
}

/**
 * The PR head moved to `newHeadSha`. Without a tree match every dispatch not on the new head
 * becomes stale, and the not-started ones are cancelled. With `sameTree` (the new head's tree
 * equals the previous head's — a rebase-free force-push or amend of the message), completed and
 * running dispatches on the previous head keep counting and are noted as covering the new head;
 * not-started ones are still cancelled, because the workflow pins the exact SHA and would refuse
 * to run them. Dispatches that were already stale stay as they are.
 */
export function markStale(ledger: Ledger, newHeadSha: string, opts: { sameTree: boolean }, now: Date): StaleOutcome {
  const cancel: Dispatch[] = [];
  const keptSameTree: Dispatch[] = [];
  const at = now.toISOString();
  const dispatches = ledger.dispatches.map((d): Dispatch => {
    if (d.stale === true || coversHead(d, newHeadSha)) return d;
    const notStarted = NOT_STARTED_STATES.includes(d.state);
    if (opts.sameTree && !notStarted && (d.state === "completed" || d.state === "in_progress")) {
      const alsoCovers = [...(d.alsoCovers ?? []), newHeadSha].slice(-MAX_ALSO_COVERS);
      const kept = { ...d, alsoCovers, updatedAt: at };
      keptSameTree.push(kept);
      return kept;
    }
    const stale: Dispatch = { ...d, stale: true, staleBy: newHeadSha, updatedAt: at };
    if (notStarted) {
      if (d.runId !== undefined) cancel.push(d);
      stale.state = "cancelled";
      stale.endReason = "head-moved";
    }
    return stale;
  });
  return { ledger: { ...ledger, dispatches }, cancel, keptSameTree };
}
