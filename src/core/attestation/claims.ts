/** Check what an attestation claims against what is true: the PR head, the linked contract, the gate registry. */
import { sameId } from "../ids.js";
import { pointer, problem, show, type Problem } from "../problem.js";
import type { Attestation } from "../schemas/attestation.generated.js";
import type { Contract } from "../schemas/contract.generated.js";
import { didYouMean } from "../text/closest.js";
import { SCHEMA_HEADER_KEY } from "./parse.js";

/** What the claims need from the gate registry (read from the default branch): each gate's tier. */
export interface GateTiers {
  gates: ReadonlyMap<string, { tier: "a" | "b" }>;
}

export interface ClaimFacts {
  /** The PR's current head SHA; undefined when unknown (the CLI without `--head-sha`). */
  headSha: string | undefined;
  /** The linked issue's contract; undefined when none was found or it is invalid. */
  contract: Contract | undefined;
  /** undefined when the registry is not available: Tier-A tiers cannot be known then. */
  registry: GateTiers | undefined;
  /** The attestation's header key as the author writes it, for paths and messages. */
  headerKey?: string;
}

export interface TierAClaim {
  /** False when there was no contract or no registry to check against. */
  checked: boolean;
  /** Tier-A gates in the contract's `gates.required`, in contract order. */
  required: string[];
  /** `gates_passed.tier_a` as written (duplicates dropped). */
  attested: string[];
  /** Required Tier-A gates the attestation does not list. */
  missing: string[];
  /** Attested ids the registry does not know. */
  unknown: string[];
}

export interface ClaimCheck {
  errors: Problem[];
  warnings: Problem[];
  /** pr_sha names the PR's current head. False when the head is unknown. */
  aboutHead: boolean;
  tierA: TierAClaim;
}

export function checkClaims(a: Attestation, facts: ClaimFacts): ClaimCheck {
  const key = facts.headerKey ?? SCHEMA_HEADER_KEY;
  const at = (field: string): string => pointer(key, field);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const header = a.nmoe_pr;

  let aboutHead = false;
  if (facts.headSha === undefined) {
    warnings.push(
      problem(
        "attestation.head-unknown",
        at("pr_sha"),
        "`pr_sha` was not compared with the PR head: the head SHA is not known",
        "pass `--head-sha $(git rev-parse HEAD)` to check it",
      ),
    );
  } else {
    const claimed = header.pr_sha.toLowerCase();
    const head = facts.headSha.toLowerCase();
    // Either may be abbreviated: pr_sha often is, and so is a `--head-sha` typed into the CLI.
    const abbreviated = (s: string) => s.length >= 7 && s.length < 40;
    aboutHead = (claimed.length >= 7 && head.startsWith(claimed)) || (abbreviated(head) && claimed.startsWith(head));
    if (!aboutHead) {
      errors.push(
        problem(
          "attestation.stale-sha",
          at("pr_sha"),
          `attestation is about ${header.pr_sha}, the PR head is ${facts.headSha} — update pr_sha`,
          `set \`${key}.pr_sha: ${facts.headSha}\` after your last push`,
        ),
      );
    }
  }

  const contract = facts.contract;
  if (contract) {
    if (!sameId(header.issue, contract.nmoe.issue)) {
      errors.push(
        problem(
          "attestation.issue-mismatch",
          at("issue"),
          `the attestation is for issue ${show(header.issue)}, but the linked contract is issue ${show(contract.nmoe.issue)}`,
          `set \`${key}.issue: ${contract.nmoe.issue}\`, or link the PR to the issue it implements`,
        ),
      );
    }
    const needsBaseline =
      contract.nmoe.risk === "hot"
        ? "the contract's risk is `hot`"
        : contract.gates.perf
          ? "the contract has a perf gate (`gates.perf`)"
          : undefined;
    if (needsBaseline && !header.baseline_sha) {
      errors.push(
        problem(
          "attestation.baseline-required",
          at("baseline_sha"),
          `\`${key}.baseline_sha\` is required: ${needsBaseline}`,
          "set it to the base commit you measured against (`git merge-base origin/HEAD HEAD`)",
        ),
      );
    }
    if (header.risk !== undefined && header.risk !== contract.nmoe.risk) {
      warnings.push(
        problem(
          "attestation.risk-mismatch",
          at("risk"),
          `the attestation says risk ${show(header.risk)}, the contract says ${show(contract.nmoe.risk)}`,
          `set \`${key}.risk: ${contract.nmoe.risk}\`; the contract's risk is the one that counts`,
        ),
      );
    }
  }

  const tierA = checkTierA(a, facts, errors, warnings);

  const tierB = a.gates_passed.tier_b ?? [];
  if (tierB.length > 0) {
    warnings.push(
      problem(
        "attestation.tier-b-claimed",
        "/gates_passed/tier_b",
        "Tier-B results come from the Tier-B run, not from the PR body",
        "leave `gates_passed.tier_b: []`; a maintainer starts the Tier-B run with `/tier-b <bundle>`",
      ),
    );
  }
  return { errors, warnings, aboutHead, tierA };
}

function checkTierA(a: Attestation, facts: ClaimFacts, errors: Problem[], warnings: Problem[]): TierAClaim {
  const attested = [...new Set(a.gates_passed.tier_a ?? [])];
  const registry = facts.registry;
  const unknown: string[] = [];
  if (registry) {
    const known = [...registry.gates.keys()];
    (a.gates_passed.tier_a ?? []).forEach((id, i) => {
      const gate = registry.gates.get(id);
      if (!gate) {
        if (!unknown.includes(id)) unknown.push(id);
        errors.push(
          problem(
            "attestation.unknown-gate",
            pointer("gates_passed", "tier_a", i),
            `\`gates_passed.tier_a\` names the gate ${show(id)}, which the gate registry does not define`,
            didYouMean(id, known) ?? "use gate ids from the gate registry (configs/gates/gates.toml)",
          ),
        );
      } else if (gate.tier === "b") {
        warnings.push(
          problem(
            "attestation.tier-b-in-tier-a",
            pointer("gates_passed", "tier_a", i),
            `${show(id)} is a Tier-B gate; Tier-B results come from the Tier-B run, not from the PR body`,
            "remove it from `gates_passed.tier_a`",
          ),
        );
      }
    });
  }
  if (!facts.contract || !registry) {
    if (facts.contract && !registry)
      warnings.push(
        problem(
          "attestation.tier-a-unchecked",
          "/gates_passed/tier_a",
          "the Tier-A gates were not checked: the gate registry is not available",
          "pass `--registry configs/gates/gates.toml` to check them",
        ),
      );
    return { checked: false, required: [], attested, missing: [], unknown };
  }
  const required = [...new Set(facts.contract.gates.required)].filter((id) => registry.gates.get(id)?.tier === "a");
  const missing = required.filter((id) => !attested.includes(id));
  if (missing.length > 0) {
    errors.push(
      problem(
        "attestation.tier-a-missing",
        "/gates_passed/tier_a",
        `the contract requires the Tier-A gate${missing.length === 1 ? "" : "s"} ${missing.map((m) => "`" + m + "`").join(", ")}, which \`gates_passed.tier_a\` does not list`,
        "run them locally and add each id to `gates_passed.tier_a`",
      ),
    );
  }
  return { checked: true, required, attested, missing, unknown };
}
