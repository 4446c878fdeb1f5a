/** The PR's sticky comment: the same verdict as the check run, for people who do not open the Checks tab. */
import type { Ledger } from "../ledger/types.js";
import type { Verdict } from "../verdict/evaluate.js";
import { rebuiltNotice } from "./rebuilt.js";
import { headline, ICON, verdictDetails, verdictTable } from "./verdict.js";

/** The PR's sticky comment before its first verdict (the bot saves its ledger first, e.g. for a dispatch). */
export const PR_COMMENT_PLACEHOLDER = "### merge-captain\n\nWorking on it…";

/** The line that names the head a sticky comment speaks for. */
function headLine(headSha: string): string {
  return `For head \`${headSha.slice(0, 12)}\`. The required check \`merge-captain\` says the same.`;
}

/** Whether a sticky comment's body speaks for `headSha` (the reconciler's test for a publish cut off before the comment). */
export function commentIsForHead(body: string, headSha: string): boolean {
  return body.split("\n").includes(headLine(headSha));
}

export function renderPrComment(
  verdict: Verdict,
  headSha: string,
  tierB: string | undefined,
  rebuilt?: Ledger["rebuilt"],
): string {
  const icon =
    verdict.outcome === "green"
      ? ICON.pass
      : verdict.outcome === "waiting"
        ? ICON.pending
        : verdict.outcome === "unverified"
          ? ICON.unverified
          : ICON.fail;
  const parts = [
    `### ${icon} merge-captain: ${headline(verdict.outcome, verdict.results)}`,
    "",
    headLine(headSha),
    "",
    verdictTable(verdict.results),
  ];
  const details = verdictDetails(verdict.results, 30);
  if (details) parts.push("", "<details><summary>Details</summary>", "", details, "", "</details>");
  if (tierB) parts.push("", tierB);
  if (rebuilt) parts.push("", rebuiltNotice(rebuilt, "pr"));
  parts.push(
    "",
    "<sub>Commands (maintainers): `/tier-b <bundle>` · `/tier-b single <gate>` · `/tier-b cancel` · `/recheck` · `/help`</sub>",
  );
  return parts.join("\n");
}
