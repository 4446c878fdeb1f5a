/** Check the gate ids a contract names against the gate registry read from the default branch. */
import { pointer, problem, show, type Problem, type Result } from "../problem.js";
import type { Contract } from "../schemas/contract.generated.js";
import { nearGateIds, type Registry } from "../gates/registry.js";

/**
 * Problems with the contract's gate ids. A broken registry is one problem of its own: the ids
 * cannot be checked, and the bot never falls back to a default list.
 */
export function checkContractGates(contract: Contract, registry: Result<Registry>): Problem[] {
  if (!registry.ok) {
    const first = registry.errors[0];
    const more = registry.errors.length > 1 ? ` (and ${registry.errors.length - 1} more)` : "";
    const where = first ? ` ${first.path === "" ? "" : "at " + first.path + ": "}${first.message}${more}` : "";
    return [
      problem(
        "contract.registry-broken",
        "/gates",
        `the gate registry is broken, so the contract's gate ids cannot be checked:${where}`,
        "fix the registry on the default branch; `merge-captain gates <gates.toml>` lists every error",
      ),
    ];
  }
  const reg = registry.value;
  const errors: Problem[] = [];
  const exists = (id: string, path: string, role: string): boolean => {
    if (reg.gates.has(id)) return true;
    const bundle = reg.bundles.get(id);
    const near = nearGateIds(reg, id);
    const hint = bundle
      ? `${show(id)} is a bundle; list its gates instead: ${bundle.map((g) => "`" + g + "`").join(", ")}`
      : near.length > 0
        ? `did you mean ${near.map((n) => "`" + n + "`").join(" or ")}?`
        : "use a gate id defined in the gate registry (`merge-captain gates <gates.toml>` lists them)";
    errors.push(problem("contract.unknown-gate", path, `${role} ${show(id)} is not in the gate registry`, hint));
    return false;
  };
  contract.gates.required.forEach((id, i) => exists(id, pointer("gates", "required", i), "required gate"));
  const perf = contract.gates.perf;
  if (perf) {
    if (exists(perf.gate, pointer("gates", "perf", "gate"), "perf gate")) {
      const gate = reg.gates.get(perf.gate)!;
      if (gate.kind !== "perf") {
        const perfGates = [...reg.gates.values()].filter((g) => g.kind === "perf").map((g) => "`" + g.id + "`");
        errors.push(
          problem(
            "contract.not-a-perf-gate",
            pointer("gates", "perf", "gate"),
            `${show(perf.gate)} is a ${gate.kind} gate, not a perf gate`,
            perfGates.length > 0
              ? `use a gate with kind = "perf": ${perfGates.join(", ")}`
              : 'the registry has no gate with kind = "perf"; add one or drop `gates.perf`',
          ),
        );
      }
    }
    exists(perf.compare, pointer("gates", "perf", "compare"), "perf comparison gate");
  }
  return errors;
}
