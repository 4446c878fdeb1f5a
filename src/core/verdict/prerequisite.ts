/**
 * The row of a criterion that cannot judge because the contract or attestation it reads is not
 * valid: a failure in one wording (that row already says what is wrong), never a guess.
 */
import type { CriterionResult } from "./types.js";

/** `needs: "contract"` may say what the contract was for ("to check the diff against"). */
export function needsValid(
  criterion: { id: string; title: string },
  needs: "contract" | "attestation",
  purpose?: string,
): CriterionResult {
  const base = { id: criterion.id, title: criterion.title, status: "fail" as const, details: [] };
  switch (needs) {
    case "contract":
      return { ...base, summary: purpose === undefined ? "no valid contract" : `no valid contract ${purpose}` };
    case "attestation":
      return { ...base, summary: "no valid attestation", fix: "fix the attestation first" };
  }
}
