/** Criterion: no other open PR shares this head commit (check runs belong to commits, not PRs). */
import { unavailable } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

/** Offline, where the other open PRs are not known. */
export const OTHER_PULLS_LATER = "the bot compares this PR with the other open PRs";

export const sameHeadCriterion: Criterion = {
  id: "same-head",
  title: "Unique head commit",
  triggers: ["pr.head", "other_pulls"],
  evaluate(f) {
    const row = rowOf(this);
    if (unavailable(f, "other_pulls")) return row("pending", OTHER_PULLS_LATER);
    if (f.sameHead.length === 0) return row("pass", "no other open PR has this head");
    const list = f.sameHead.map((n) => `#${n}`).join(", ");
    return row("fail", `PR ${list} has the same head`, { fix: "close the duplicate PR, or push a distinct commit" });
  },
};
