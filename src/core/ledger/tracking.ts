/**
 * Which ledger changes may wait for the next visible change of the sticky comment. A run moving
 * between in-flight states (recorded → dispatched → queued → waiting → in_progress), its run id,
 * URL and attempt: each is shown by the `Tier-B` check run, and each is found again from the run
 * itself (the dispatch id in its name, checked by provenance), so writing the comment for them
 * would be a write nobody sees. Everything else (a new or ended dispatch, results, the check run's
 * id, acceptances, safety findings, refusals) is written at once.
 */
import { canonicalJson } from "../canonical-json.js";
import { isActive, type Dispatch, type Ledger } from "./types.js";

/** The fields of an in-flight dispatch that a later run event can tell again. */
const TRACKING: ReadonlySet<keyof Dispatch> = new Set<keyof Dispatch>([
  "state",
  "updatedAt",
  "runId",
  "runUrl",
  "runAttempt",
]);

function sameExceptTracking(a: Dispatch, b: Dispatch): boolean {
  if (!isActive(a) || !isActive(b)) return canonicalJson(a) === canonicalJson(b);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof Dispatch>);
  for (const key of keys) {
    if (TRACKING.has(key)) continue;
    if (canonicalJson(a[key] ?? null) !== canonicalJson(b[key] ?? null)) return false;
  }
  return true;
}

/** True when `next` differs from `stored` (the ledger the comment holds) only in what may wait. */
export function onlyTrackingChanged(stored: Ledger, next: Ledger): boolean {
  const { dispatches: a, ...restA } = stored;
  const { dispatches: b, ...restB } = next;
  if (canonicalJson(restA) !== canonicalJson(restB)) return false;
  if (a.length !== b.length) return false;
  return a.every((d, i) => {
    const other = b[i];
    return other !== undefined && d.id === other.id && sameExceptTracking(d, other);
  });
}
