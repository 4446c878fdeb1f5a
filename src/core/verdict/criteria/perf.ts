/** Criterion: the contract's perf budget holds on this head (a missing measurement is ❌, not ✅). */
import { perfWithinBudget } from "../../tierb/verdict-rows.js";
import { validContract } from "../derived.js";
import type { Criterion } from "../types.js";

export const perfCriterion: Criterion = {
  id: "perf",
  title: "Perf within budget",
  triggers: ["contract", "tier_b"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    const contract = validContract(f);
    if (!contract && !f.registry.ok)
      return {
        ...base,
        status: "unverified",
        summary: "the gate registry is broken, so the contract could not be checked",
        details: [],
      };
    if (!contract) return { ...base, status: "fail", summary: "no valid contract", details: [] };
    // A run that includes the perf gate and has not finished is a wait (⏳), not a failure.
    const row = perfWithinBudget(
      f.ledger,
      f.pr.headSha,
      contract.gates.perf,
      f.registry.ok ? f.registry.value : undefined,
    );
    return { ...base, status: row.status, summary: row.summary, details: [], ...(row.fix ? { fix: row.fix } : {}) };
  },
};
