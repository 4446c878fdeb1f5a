/** The custom deployment protection rule: approve a Tier-B run only for a known dispatch whose PR head is still the pinned SHA. */
import type { Ledger } from "../ledger/types.js";
import { matchRun, type RunRef } from "./runs.js";

export type ProtectionDecision =
  { approve: true; dispatchId: string } | { approve: false; code: ProtectionRejectCode; reason: string };

export type ProtectionRejectCode =
  "unknown-run" | "recovered" | "not-pending" | "stale" | "pr-closed" | "head-moved" | "group-moved" | "no-permission";

export interface ProtectionInput {
  ledger: Ledger;
  /** The run waiting for approval (id from the callback URL; the name when the id is not yet in the ledger). */
  run: RunRef;
  pr: { state: "open" | "closed"; headSha: string };
  /** Re-read from the collaborator-permission API (or the configured users/teams), for the dispatch's requester. */
  requesterHasPermission: boolean;
  /** For a run on a merge group: where its queue branch points now (undefined: the branch is gone). */
  groupBranchSha?: string | undefined;
}

/** Every check must pass; the first that fails is the reason GitHub shows the approver. */
export function decideProtectionRule(input: ProtectionInput): ProtectionDecision {
  const d = matchRun(input.ledger, input.run);
  if (d === undefined)
    return reject(
      "unknown-run",
      "merge-captain has no record of dispatching this run; start Tier-B with `/tier-b <bundle>` on the PR",
    );
  if (d.recovered === true)
    return reject(
      "recovered",
      "merge-captain's record of this run was rebuilt and does not say who asked for it; ask again with `/tier-b`",
    );
  if (d.stale === true)
    return reject(
      "stale",
      `the PR has a newer head (${(d.staleBy ?? "").slice(0, 7)}) than the approved ${d.sha.slice(0, 7)}; ask again with \`/tier-b\``,
    );
  if (d.state !== "dispatched" && d.state !== "queued" && d.state !== "waiting" && d.state !== "recorded") {
    return reject("not-pending", `the dispatch is ${d.state}, not waiting for approval`);
  }
  if (input.pr.state !== "open") return reject("pr-closed", "the PR is closed");
  if (d.mergeGroup !== undefined) {
    // The run tests the group's commit, not the PR head: that commit must still be the queue's.
    if (input.groupBranchSha !== d.sha)
      return reject(
        "group-moved",
        `the merge group ${d.sha.slice(0, 7)} is no longer in the queue (it merged, failed or was rebuilt)`,
      );
  } else if (input.pr.headSha !== d.sha) {
    return reject(
      "head-moved",
      `the PR head moved from ${d.sha.slice(0, 7)} to ${input.pr.headSha.slice(0, 7)} after \`/tier-b\`; ask again to test the new head`,
    );
  }
  if (!input.requesterHasPermission)
    return reject("no-permission", `@${d.requester} no longer has write access to run Tier-B`);
  return { approve: true, dispatchId: d.id };
}

function reject(code: ProtectionRejectCode, reason: string): ProtectionDecision {
  return { approve: false, code, reason };
}
