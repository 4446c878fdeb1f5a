/** Criterion: no other open PR shares this head commit (check runs belong to commits, not PRs). */
import type { Criterion } from "../types.js";

export const sameHeadCriterion: Criterion = {
  id: "same-head",
  title: "Unique head commit",
  triggers: ["pr.head", "other_pulls"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
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
