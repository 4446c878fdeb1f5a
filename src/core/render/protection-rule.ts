/** What the deployment protection rule tells the approver: approved for which head and by whose request, or why not. */
import type { Dispatch } from "../ledger/types.js";
import type { ExpectedOrigin, ProvenanceCode } from "../trust/provenance.js";

const PREFIX = "merge-captain: ";

export function protectionApproved(d: Pick<Dispatch, "sha" | "requester">): string {
  return `${PREFIX}approved for ${d.sha.slice(0, 7)}, requested by ${d.requester}`;
}

export function protectionRejected(reason: string): string {
  return PREFIX + reason;
}

export const CONFIG_INVALID = "the merge-captain config on the default branch is invalid";

export const LEDGER_EDITED =
  "merge-captain's record on this PR was edited by hand, so it does not vouch for this run; ask again with `/tier-b`";

/** Why a run does not count, in the terms of what was expected of it. */
export function provenanceReason(code: ProvenanceCode, e: ExpectedOrigin): string {
  switch (code) {
    case "workflow-file":
      return `this run is not of the Tier-B workflow \`.github/workflows/${e.workflow}\``;
    case "branch":
      return `this run is not on the default branch \`${e.defaultBranch}\`, where merge-captain dispatches Tier-B`;
    case "event":
      return "this run was not started by workflow_dispatch";
    case "actor":
      return "this run was not started by merge-captain";
    case "run-name":
      return "this run was not started by merge-captain (its name carries no dispatch id)";
    case "unknown-dispatch":
      return "merge-captain has no record of dispatching this run; start Tier-B with `/tier-b <bundle>` on the PR";
    case "dispatch-mismatch":
      return "this run's name does not match the PR and commit merge-captain dispatched it for";
  }
}
