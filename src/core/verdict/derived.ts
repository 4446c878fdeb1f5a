/** Facts several criteria need, computed once per evaluation (pure, cached by the facts object). */
import { checkClaims, type ClaimCheck } from "../attestation/claims.js";
import type { Contract } from "../schemas/contract.generated.js";
import { compileScope } from "../scope/match.js";
import { checkScope, type ScopeCheck } from "../scope/check.js";
import type { Problem } from "../problem.js";
import { withFloorGates } from "../trust/floor.js";
import type { PullFacts, Trigger, Unlisted } from "./types.js";

/** The caller could not gather this fact (offline): the criterion waits for the bot. */
export function unavailable(f: PullFacts, fact: Trigger): boolean {
  return f.unavailable?.includes(fact) === true;
}

/** The contract as its issue states it, when valid (whether it counts is `contractCounts`). */
export function validContract(f: PullFacts): Contract | undefined {
  return f.contract?.status === "valid" ? f.contract.contract : undefined;
}

/**
 * The contract the gate rows check: its own `gates.required` plus the repository floor's
 * (`policy.required_gates`, and `policy.path_gates` whose paths the PR touches).
 */
export function effectiveContract(f: PullFacts): Contract | undefined {
  const contract = validContract(f);
  return contract ? withFloorGates(contract, f.floor, f.files.ok ? f.files.files : undefined) : undefined;
}

/** The contract is policy: valid, on an open issue, and written or accepted by a user with write permission. */
export function contractCounts(f: PullFacts): boolean {
  return validContract(f) !== undefined && f.contractIssue?.state !== "closed" && f.standing?.status === "accepted";
}

const claimsCache = new WeakMap<PullFacts, ClaimCheck | undefined>();

/** The attestation's claims against the PR head, the contract and the registry; undefined without a valid attestation. */
export function claimsOf(f: PullFacts): ClaimCheck | undefined {
  if (claimsCache.has(f)) return claimsCache.get(f);
  const claims =
    f.attestation.status === "valid"
      ? checkClaims(f.attestation.attestation, {
          headSha: f.pr.headSha === "" ? undefined : f.pr.headSha,
          contract: effectiveContract(f),
          registry: f.registry.ok ? f.registry.value : undefined,
          headerKey: f.attestationHeaderKey,
        })
      : undefined;
  claimsCache.set(f, claims);
  return claims;
}

export type ScopeOutcome =
  | { kind: "checked"; check: ScopeCheck }
  | { kind: "bad-patterns"; errors: Problem[] }
  | { kind: "unverifiable"; unlisted: Unlisted }
  /** The matching work budget ran out: the patterns × files were too costly to decide in one event. */
  | { kind: "over-budget"; limit: number; files: number }
  | { kind: "no-contract" };

const scopeCache = new WeakMap<PullFacts, ScopeOutcome>();

export function scopeOf(f: PullFacts): ScopeOutcome {
  const cached = scopeCache.get(f);
  if (cached) return cached;
  const contract = validContract(f);
  let out: ScopeOutcome;
  if (!contract) out = { kind: "no-contract" };
  else if (!f.files.ok) out = { kind: "unverifiable", unlisted: f.files.unlisted };
  else {
    const matcher = compileScope(contract.scope);
    if (!matcher.ok) out = { kind: "bad-patterns", errors: matcher.errors };
    else {
      const check = checkScope(matcher.value, f.files.files);
      out = check.overBudget ? { kind: "over-budget", ...check.overBudget } : { kind: "checked", check };
    }
  }
  scopeCache.set(f, out);
  return out;
}
