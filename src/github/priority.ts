/**
 * How urgent a write is, said by the adapter that makes it (never guessed from the URL): the
 * write queue (src/runtime/write-queue.ts) hands the throttle's next slot to the most urgent one.
 */

/**
 * - `command`: a person is waiting for it — a command's dispatch, its Tier-B check run, the
 *   answer to a command, a protection-rule review;
 * - `verdict`: the `merge-captain` check run, which branch protection waits for;
 * - `refresh`: sticky-comment refreshes, labels, reactions — informative, not blocking.
 */
export type WritePriority = "command" | "verdict" | "refresh";

/** Most urgent first. */
export const WRITE_PRIORITIES: readonly WritePriority[] = ["command", "verdict", "refresh"];

/** The key under Octokit's `request` options (which Octokit ignores and passes to hooks). */
export const PRIORITY_OPTION = "mergeCaptainPriority";

/** Spread into an Octokit call's parameters: `{ ...params, ...atPriority("command") }`. */
export function atPriority(priority: WritePriority, request: Record<string, unknown> = {}) {
  return { request: { ...request, [PRIORITY_OPTION]: priority } };
}

/** The priority a request was given, or undefined when none was (an adapter that forgot, a plugin's own call). */
export function priorityOf(request: unknown): WritePriority | undefined {
  if (typeof request !== "object" || request === null) return undefined;
  const value = (request as Record<string, unknown>)[PRIORITY_OPTION];
  return WRITE_PRIORITIES.find((p) => p === value);
}
