/** Criterion: the PR body carries a valid attestation, and what it claims is true. */
import { problemLine } from "../../render/problems.js";
import { claimsOf } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

/** Judged by the "about this head" and "Tier-A attested" rows. */
const ROWS_OF_THEIR_OWN = ["attestation.stale-sha", "attestation.unknown-gate", "attestation.tier-a-missing"];

export const attestationCriterion: Criterion = {
  id: "attestation",
  title: "Attestation valid",
  triggers: ["pr.body", "contract", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    const a = f.attestation;
    if (a.status === "absent")
      return row("fail", "no attestation block in the PR body", {
        fix: "start the PR body with the `## PR Attestation` YAML block from the PR template",
      });
    if (a.status === "invalid")
      return row("fail", `the attestation has ${a.errors.length === 1 ? "a problem" : `${a.errors.length} problems`}`, {
        details: a.errors.map(problemLine),
        fix: a.errors[0]?.hint ?? "fix the attestation block",
      });
    const claims = claimsOf(f);
    // pr_sha and Tier-A have rows of their own; the rest of the claims are judged here.
    const errors = (claims?.errors ?? []).filter((e) => !ROWS_OF_THEIR_OWN.includes(e.code));
    const warnings = [...a.warnings, ...(claims?.warnings ?? [])].filter((w) => w.code !== "attestation.head-unknown");
    if (errors.length > 0)
      return row("fail", errors.length === 1 ? "a claim does not hold" : `${errors.length} claims do not hold`, {
        details: [...errors, ...warnings].map(problemLine),
        fix: errors[0]?.hint ?? "correct the attestation",
      });
    if (warnings.length > 0) return row("warn", "valid, with warnings", { details: warnings.map(problemLine) });
    return row("pass", `attests issue \`${a.attestation.nmoe_pr.issue}\``);
  },
};
