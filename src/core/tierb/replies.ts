/** What the bot replies on a PR to `/tier-b` and `/tier-b cancel`: one sentence per outcome, nothing from a run's free text. */
import type { Dispatch } from "../ledger/types.js";

/** `reason` is a plan's or the pin check's own sentence (core/tierb/plan.ts), never user text. */
export function notStartedReply(reason: string): string {
  return `😕 Tier-B was not started: ${reason}.`;
}

/** A second request for a dispatch that is already queued or running. */
export function duplicateReply(d: Dispatch): string {
  const target = `${d.bundle}${d.singleGate ? " " + d.singleGate : ""}`;
  const state = d.state === "in_progress" ? "running" : "queued";
  return `Tier-B \`${target}\` on \`${d.sha.slice(0, 7)}\` is already ${state}${d.runUrl ? ` (run ${d.runUrl})` : ""}.`;
}

function http(status: number | undefined): string {
  return status ? ` (HTTP ${status})` : "";
}

/** GitHub failed on its side: the dispatch may or may not have happened, and is tracked either way. */
export function unconfirmedDispatchReply(status: number | undefined): string {
  return `⚠️ GitHub did not confirm the Tier-B dispatch${http(status)}. If the run started, merge-captain will track it; if nothing appears, \`/tier-b cancel\` and ask again.`;
}

/** GitHub refused the dispatch (4xx): nothing runs. */
export function dispatchRefusedReply(workflow: string, status: number | undefined): string {
  return `😕 GitHub refused to start the Tier-B workflow \`${workflow}\`${http(status)}. A maintainer should check that it exists on the default branch and accepts these inputs.`;
}

/** The answer to `/tier-b cancel`, from what `cancelPlan` decided. */
export function cancelReply(plan: { cancel: readonly Dispatch[]; running: readonly Dispatch[] }): string {
  const { cancel, running } = plan;
  if (cancel.length === 0 && running.length === 0) return "Nothing to cancel: no Tier-B run on this PR is queued.";
  const stillRunning =
    running.length > 0 ? ` ${running.length} already running ${running.length === 1 ? "is" : "are"} not stopped.` : "";
  return `Cancelled ${cancel.length} queued Tier-B run${cancel.length === 1 ? "" : "s"}.${stillRunning}`;
}
