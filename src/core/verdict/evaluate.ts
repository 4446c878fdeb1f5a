/** The verdict: run every criterion over the facts and decide what the `merge-captain` check says. */
import { artifactsCriterion } from "./criteria/artifacts.js";
import { attestationCriterion } from "./criteria/attestation.js";
import { branchCriterion } from "./criteria/branch.js";
import { contractCriterion } from "./criteria/contract.js";
import { dependsOnCriterion } from "./criteria/depends-on.js";
import { headCriterion } from "./criteria/head.js";
import { hotspotsCriterion } from "./criteria/hotspots.js";
import { metricsCriterion } from "./criteria/metrics.js";
import { perfCriterion } from "./criteria/perf.js";
import { protectedPathsCriterion } from "./criteria/protected-paths.js";
import { publicSafetyCriterion } from "./criteria/public-safety.js";
import { readOnlyCriterion } from "./criteria/read-only.js";
import { requiredFilesCriterion } from "./criteria/required-files.js";
import { sameHeadCriterion } from "./criteria/same-head.js";
import { scopeCriterion } from "./criteria/scope.js";
import { sizeCriterion } from "./criteria/size.js";
import { tierACriterion } from "./criteria/tier-a.js";
import { tierBCriterion } from "./criteria/tier-b.js";
import type { Criterion, CriterionResult, PullFacts, Trigger } from "./types.js";

/** In the order the table shows them (rows for contract rules that are not used are left out). */
export const CRITERIA: readonly Criterion[] = [
  contractCriterion,
  attestationCriterion,
  headCriterion,
  branchCriterion,
  tierACriterion,
  scopeCriterion,
  protectedPathsCriterion,
  sizeCriterion,
  readOnlyCriterion,
  artifactsCriterion,
  requiredFilesCriterion,
  tierBCriterion,
  perfCriterion,
  metricsCriterion,
  dependsOnCriterion,
  publicSafetyCriterion,
  sameHeadCriterion,
  hotspotsCriterion,
];

/** `blocked`: something failed; `unverified`: nothing failed but something could not be checked; `waiting`: only pending rows. */
export type Outcome = "green" | "blocked" | "unverified" | "waiting";

export interface Verdict {
  outcome: Outcome;
  results: CriterionResult[];
}

export function evaluateVerdict(facts: PullFacts): Verdict {
  const results = CRITERIA.filter((c) => c.appliesTo?.(facts) ?? true).map((c) => c.evaluate(facts));
  const has = (s: CriterionResult["status"]) => results.some((r) => r.status === s);
  const outcome: Outcome = has("fail")
    ? "blocked"
    : has("unverified")
      ? "unverified"
      : has("pending")
        ? "waiting"
        : "green";
  return { outcome, results };
}

/** Can an event that fires these triggers change any criterion's answer? If not, the handler need not evaluate. */
export function touches(fired: readonly Trigger[], criteria: readonly Criterion[] = CRITERIA): boolean {
  return criteria.some((c) => c.triggers.some((t) => fired.includes(t)));
}
