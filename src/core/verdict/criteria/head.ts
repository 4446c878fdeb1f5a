/** Criterion: the attestation is about the PR's current head commit. */
import { needsValid } from "../prerequisite.js";
import { claimsOf } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

export const headCriterion: Criterion = {
  id: "head",
  title: "Attestation about this head",
  triggers: ["pr.body", "pr.head"],
  evaluate(f) {
    const row = rowOf(this);
    if (f.attestation.status !== "valid") return needsValid(this, "attestation");
    const claims = claimsOf(f);
    // Offline with no head SHA: say how to give one, rather than compare pr_sha with nothing.
    const unknown = claims?.warnings.find((w) => w.code === "attestation.head-unknown");
    if (unknown) return row("unverified", unknown.message, { fix: unknown.hint });
    const short = f.pr.headSha.slice(0, 12);
    if (claims?.aboutHead) return row("pass", `pr_sha matches the head \`${short}\``);
    return row(
      "fail",
      `attestation is about \`${f.attestation.attestation.nmoe_pr.pr_sha}\`, the PR head is \`${short}\``,
      { fix: `update pr_sha to ${f.pr.headSha} after your last push` },
    );
  },
};
