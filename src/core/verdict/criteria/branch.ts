/** Criterion: the PR's head branch matches the contract's `branch` rule (`research/*`, `issue/{id}-{slug}`). */
import { code } from "../../render/markdown.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";
import { contractRules, unreadableRule } from "./path-rules.js";

export const branchCriterion: Criterion = {
  id: "branch",
  title: "Branch",
  // The head branch is fixed when the PR opens (GitHub cannot rename it); only the contract can change the answer.
  triggers: ["contract"],
  appliesTo: (f) => validContract(f)?.branch !== undefined,
  evaluate(f) {
    const row = rowOf(this);
    const list = contractRules(f)?.branch;
    if (!list) return unreadableRule(this, "branch");
    const shown = list.patterns.map((p) => code(p)).join(" or ");
    const ref = f.pr.headRef;
    if (ref === undefined || ref === "") return row("unverified", "the PR's head branch is not known");
    const matched = list.match(ref);
    if (matched !== undefined) return row("pass", `${code(ref)} matches ${code(matched)}`);
    return row("fail", `the head branch ${code(ref)} does not match ${shown}`, {
      fix: `push the commits to a branch matching ${shown} and open the PR from it (a PR's head branch cannot be renamed)`,
    });
  },
};
