/** Which verdict triggers a webhook event fires: the handler evaluates only when a criterion reads one of them. */
import type { Trigger } from "./types.js";

/** Written as a record so that a new Trigger does not compile until it is listed here. */
const EVERY: Record<Trigger, true> = {
  "pr.body": true,
  "pr.title": true,
  "pr.head": true,
  "pr.base": true,
  contract: true,
  registry: true,
  tier_b: true,
  comment: true,
  dependency: true,
  other_pulls: true,
};

/** Every trigger: for an event after which the verdict may be missing or wrong in any row. */
export const ALL_TRIGGERS = Object.keys(EVERY) as readonly Trigger[];

export interface PullRequestEvent {
  action: "opened" | "edited" | "synchronize" | "reopened" | "ready_for_review";
  /** On `edited`: which fields changed (GitHub sends the old value of each). */
  changes?: { title?: unknown; body?: unknown; base?: unknown };
}

export function pullRequestTriggers(event: PullRequestEvent): readonly Trigger[] {
  switch (event.action) {
    // A new or reopened PR has no current verdict; leaving draft is a good moment to make sure it has one.
    case "opened":
    case "reopened":
    case "ready_for_review":
      return ALL_TRIGGERS;
    case "synchronize":
      return ["pr.head"];
    case "edited": {
      const c = event.changes ?? {};
      return [
        // The body holds the closing keywords and the attestation's issue id: it decides which contract is linked.
        ...(c.body !== undefined ? (["pr.body", "contract"] as const) : []),
        ...(c.title !== undefined ? (["pr.title"] as const) : []),
        ...(c.base !== undefined ? (["pr.base"] as const) : []),
      ];
    }
  }
}
