/** Criterion: every Tier-B gate the contract requires passed in a Tier-B run on this head. */
import { needsValid } from "../prerequisite.js";
import { tierBCoverage } from "../../tierb/verdict-rows.js";
import { effectiveContract, unavailable } from "../derived.js";
import { registryUnverified } from "../registry-unverified.js";
import type { Criterion } from "../types.js";

/** Offline, where no Tier-B run can exist yet. */
export const TIER_B_LATER = "runs on the PR after a maintainer's `/tier-b`";

export const tierBCriterion: Criterion = {
  id: "tier-b",
  title: "Tier-B green on this head",
  triggers: ["pr.head", "contract", "tier_b", "registry"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    // Without the registry no gate's tier is known.
    if (!f.registry.ok) return registryUnverified(this, f);
    const contract = effectiveContract(f);
    if (!contract) return needsValid(this, "contract", "to read the required gates from");
    const c = tierBCoverage(f.ledger, f.pr.headSha, contract.gates.required, f.registry.value);
    if (c.status === "pass") return { ...base, status: "pass", summary: c.summary, details: [] };
    if (unavailable(f, "tier_b"))
      return { ...base, status: "pending", summary: c.summary, details: [], fix: TIER_B_LATER };
    // A run on this head that has not finished is a wait, not a failure.
    const waiting = c.running.length > 0 && c.running.length === c.missing.length;
    return {
      ...base,
      status: waiting ? "pending" : "fail",
      summary: c.summary,
      details: [],
      ...(c.fix ? { fix: c.fix } : {}),
    };
  },
};
