/** Criterion: the contract's perf budget holds on this head (a missing measurement is ❌, not ✅). */
import { needsValid } from "../prerequisite.js";
import { perfWithinBudget } from "../../tierb/verdict-rows.js";
import { unavailable, validContract } from "../derived.js";
import { TIER_B_LATER } from "./tier-b.js";
import { registryUnverified } from "../registry-unverified.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

export const perfCriterion: Criterion = {
  id: "perf",
  title: "Perf within budget",
  triggers: ["pr.head", "contract", "tier_b", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    const contract = validContract(f);
    // With a broken registry every contract reads as invalid: that is "not verified", not the author's fault.
    if (!contract && !f.registry.ok) return registryUnverified(this, f);
    if (!contract) return needsValid(this, "contract");
    // A run that includes the perf gate and has not finished is a wait (⏳), not a failure.
    const budget = perfWithinBudget(
      f.ledger,
      f.pr.headSha,
      contract.gates.perf,
      f.registry.ok ? f.registry.value : undefined,
    );
    if (budget.status === "fail" && unavailable(f, "tier_b"))
      return row("pending", budget.summary, { fix: TIER_B_LATER });
    return row(budget.status, budget.summary, { fix: budget.fix });
  },
};
