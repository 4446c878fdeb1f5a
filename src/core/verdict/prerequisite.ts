/**
 * The row of a criterion that cannot judge because the contract or attestation it reads is not
 * valid: a failure in one wording (that row already says what is wrong), never a guess.
 */
import { rowOf } from "./row.js";
import type { CriterionResult } from "./types.js";

/** `needs: "contract"` may say what the contract was for ("to check the diff against"). */
export function needsValid(
  criterion: Pick<CriterionResult, "id" | "title">,
  needs: "contract" | "attestation",
  purpose?: string,
): CriterionResult {
  const row = rowOf(criterion);
  switch (needs) {
    case "contract":
      return row("fail", purpose === undefined ? "no valid contract" : `no valid contract ${purpose}`);
    case "attestation":
      return row("fail", "no valid attestation", { fix: "fix the attestation first" });
  }
}
