/** Criterion: the PR's head branch matches the contract's `branch` rule (`research/*`, `issue/{id}-{slug}`). */
import { code } from "../../render/markdown.js";
import { validContract } from "../derived.js";
import type { Criterion } from "../types.js";
import { contractRules, unreadableRule } from "./path-rules.js";

export const branchCriterion: Criterion = {
  id: "branch",
  title: "Branch",
  // The head branch is fixed when the PR opens (GitHub cannot rename it); only the contract can change the answer.
  triggers: ["contract"],
  appliesTo: (f) => validContract(f)?.branch !== undefined,
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    const list = contractRules(f)?.branch;
    if (!list) return unreadableRule(base, "branch");
    const shown = list.patterns.map((p) => code(p)).join(" or ");
    const ref = f.pr.headRef;
    if (ref === undefined || ref === "")
      return { ...base, status: "unverified", summary: "the PR's head branch is not known", details: [] };
    const matched = list.match(ref);
    if (matched !== undefined)
      return { ...base, status: "pass", summary: `${code(ref)} matches ${code(matched)}`, details: [] };
    return {
      ...base,
      status: "fail",
      summary: `the head branch ${code(ref)} does not match ${shown}`,
      details: [],
      fix: `push the commits to a branch matching ${shown} and open the PR from it (a PR's head branch cannot be renamed)`,
    };
  },
};
