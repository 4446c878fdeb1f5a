/** What the path-rule criteria (branch, read-only, artifacts, required files) and scope share: the linked contract's compiled rules, and "not verifiable". */
import { rulesOf, type PathRules } from "../../contract/rules.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { CriterionResult, PullFacts, Unlisted } from "../types.js";

/** The linked contract's rules; undefined without a valid contract (its parse already compiled them, so they compile). */
export function contractRules(f: PullFacts): PathRules | undefined {
  const contract = validContract(f);
  const rules = contract ? rulesOf(contract) : undefined;
  return rules?.ok ? rules.value : undefined;
}

/** The row when the contract's rule is missing after all (it cannot be, once the contract parsed): fail closed. */
export function unreadableRule(criterion: Pick<CriterionResult, "id" | "title">, rule: string): CriterionResult {
  return rowOf(criterion)("fail", `the contract's ${rule} rule could not be read`);
}

function unlistedText(u: Unlisted): string {
  switch (u.kind) {
    case "too-many":
      return `the PR changes ${u.changed} files; GitHub lists at most ${u.limit}, so scope cannot be verified`;
    case "count-mismatch":
      return `GitHub listed ${u.listed} files but the PR reports ${u.reported} changed files, so scope cannot be verified`;
  }
}

/** The row when GitHub could not list every changed file (scope, and every path rule): not verified, never a pass. */
export function filesUnverified(
  criterion: Pick<CriterionResult, "id" | "title">,
  what: string,
  unlisted: Unlisted,
): CriterionResult {
  return rowOf(criterion)("unverified", `${what} not verifiable`, {
    details: [unlistedText(unlisted)],
    fix: "split the PR into smaller ones",
  });
}
