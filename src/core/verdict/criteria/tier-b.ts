/** Criterion: every Tier-B gate the contract requires passed in a Tier-B run on this head. */
import { needsValid } from "../prerequisite.js";
import { tierBCoverage } from "../../tierb/verdict-rows.js";
import { effectiveContract, unavailable } from "../derived.js";
import { registryUnverified } from "../registry-unverified.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

/** Offline, where no Tier-B run can exist yet. */
export const TIER_B_LATER = "runs on the PR after a maintainer's `/tier-b`";

export const tierBCriterion: Criterion = {
  id: "tier-b",
  title: "Tier-B green on this head",
  triggers: ["pr.head", "contract", "tier_b", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    // Without the registry no gate's tier is known.
    if (!f.registry.ok) return registryUnverified(this, f);
    const contract = effectiveContract(f);
    if (!contract) return needsValid(this, "contract", "to read the required gates from");
    const c = tierBCoverage(f.ledger, f.pr.headSha, contract.gates.required, f.registry.value);
    if (c.status === "pass") return row("pass", c.summary);
    if (unavailable(f, "tier_b")) return row("pending", c.summary, { fix: TIER_B_LATER });
    // A run on this head that has not finished is a wait, not a failure.
    const waiting = c.running.length > 0 && c.running.length === c.missing.length;
    return row(waiting ? "pending" : "fail", c.summary, { fix: c.fix });
  },
};
