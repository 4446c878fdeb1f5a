/** Criterion: every Tier-A gate the contract requires is attested as run. */
import { needsValid } from "../prerequisite.js";
import { code } from "../../render/markdown.js";
import { unknownFloorGates } from "../../trust/floor.js";
import { claimsOf, validContract } from "../derived.js";
import { registryUnverified } from "../registry-unverified.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

export const tierACriterion: Criterion = {
  id: "tier-a",
  title: "Tier-A attested",
  triggers: ["pr.body", "contract", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    // Without the registry no gate's tier is known.
    if (!f.registry.ok) return registryUnverified(this, f);
    const registry = f.registry.value;
    const unknownFloor = unknownFloorGates(f.floor, (id) => registry.gates.has(id));
    if (unknownFloor.length > 0)
      return row("unverified", "the repository policy requires gates the registry does not define", {
        details: unknownFloor.map(
          (id) => `${code(id)} (in \`policy\` of .github/merge-captain.yml) is not in the gate registry`,
        ),
        fix: "a maintainer adds the gate to the registry or removes it from the policy, on the default branch",
      });
    if (!validContract(f)) return needsValid(this, "contract", "to read the required gates from");
    const claims = claimsOf(f);
    if (!claims) return needsValid(this, "attestation");
    const { required, missing, unknown } = claims.tierA;
    const details = [
      ...missing.map((g) => `${code(g)} is required by the contract but not in \`gates_passed.tier_a\``),
      ...unknown.map((g) => `${code(g)} is not a gate in the registry`),
    ];
    if (missing.length > 0 || unknown.length > 0)
      return row("fail", `${missing.length} missing, ${unknown.length} unknown`, {
        details,
        fix:
          missing.length > 0
            ? `run ${missing.map((g) => `${code(g)}`).join(", ")} (\`merge-captain gates run --tier a\`) and list them under gates_passed.tier_a`
            : "remove or correct the unknown gate ids",
      });
    if (required.length === 0) return row("pass", "the contract requires no Tier-A gate");
    return row("pass", `${required.map((g) => `${code(g)}`).join(", ")}`);
  },
};
