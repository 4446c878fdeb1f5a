/** Criterion: every Tier-A gate the contract requires is attested as run. */
import { needsValid } from "../prerequisite.js";
import { claimsOf, validContract } from "../derived.js";
import { registryUnverified } from "../registry-unverified.js";
import type { Criterion } from "../types.js";

export const tierACriterion: Criterion = {
  id: "tier-a",
  title: "Tier-A attested",
  triggers: ["pr.body", "contract", "registry"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    // Without the registry no gate's tier is known.
    if (!f.registry.ok) return registryUnverified(this, f);
    if (!validContract(f)) return needsValid(this, "contract", "to read the required gates from");
    const claims = claimsOf(f);
    if (!claims) return needsValid(this, "attestation");
    const { required, missing, unknown } = claims.tierA;
    const details = [
      ...missing.map((g) => `\`${g}\` is required by the contract but not in \`gates_passed.tier_a\``),
      ...unknown.map((g) => `\`${g}\` is not a gate in the registry`),
    ];
    if (missing.length > 0 || unknown.length > 0) {
      return {
        ...base,
        status: "fail",
        summary: `${missing.length} missing, ${unknown.length} unknown`,
        details,
        fix:
          missing.length > 0
            ? `run ${missing.map((g) => `\`${g}\``).join(", ")} (\`merge-captain gates run --tier a\`) and list them under gates_passed.tier_a`
            : "remove or correct the unknown gate ids",
      };
    }
    if (required.length === 0)
      return { ...base, status: "pass", summary: "the contract requires no Tier-A gate", details: [] };
    return { ...base, status: "pass", summary: `${required.map((g) => `\`${g}\``).join(", ")}`, details: [] };
  },
};
