/** Criterion: no other open PR shares this head commit (check runs belong to commits, not PRs). */
import { unavailable } from "../derived.js";
import type { Criterion } from "../types.js";

/** Offline, where the other open PRs are not known. */
export const OTHER_PULLS_LATER = "the bot compares this PR with the other open PRs";

export const sameHeadCriterion: Criterion = {
  id: "same-head",
  title: "Unique head commit",
  triggers: ["pr.head", "other_pulls"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    if (unavailable(f, "other_pulls")) return { ...base, status: "pending", summary: OTHER_PULLS_LATER, details: [] };
    if (f.sameHead.length === 0)
      return { ...base, status: "pass", summary: "no other open PR has this head", details: [] };
    const list = f.sameHead.map((n) => `#${n}`).join(", ");
    return {
      ...base,
      status: "fail",
      summary: `PR ${list} has the same head`,
      details: [],
      fix: "close the duplicate PR, or push a distinct commit",
    };
  },
};
