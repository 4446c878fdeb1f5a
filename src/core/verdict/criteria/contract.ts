/** Criterion: the PR is linked to an open issue whose contract is valid and counts (written or accepted by a write user). */
import { code } from "../../render/markdown.js";
import { problemLine } from "../../render/problems.js";
import { registryUnverified } from "../registry-unverified.js";
import { rowOf, type Row } from "../row.js";
import type { Authority } from "../../trust/acceptance.js";
import type { Criterion, CriterionResult } from "../types.js";

/** How the PR was linked, in words. */
const ROUTE: Record<string, string> = {
  "closing-keyword": "a closing keyword",
  attestation: "the attestation's issue id",
  branch: "the branch name",
};

/** Who made the contract count, in words (logins as code: a check or comment never pings them). */
function countedBy(a: Extract<Authority, { status: "accepted" }>): string {
  switch (a.via) {
    case "author":
      return `written by ${code(a.by)}`;
    case "edit":
      return `last edited by ${code(a.by)}`;
    case "command":
      return `accepted by ${code(a.by)}`;
    case "trusted-bot":
      return `written by the trusted bot ${code(a.by)}`;
  }
}

function unaccepted(
  row: Row,
  a: Extract<Authority, { status: "unaccepted" }>,
  issue: string,
  author: string | undefined,
): CriterionResult {
  const when = a.changedAt ? `, ${a.changedAt.slice(0, 10)}` : "";
  if (a.everAccepted) {
    return row(
      "fail",
      a.changedBy
        ? `the contract in ${issue} changed since it was accepted (by ${code(a.changedBy)}${when})`
        : `the contract in ${issue} changed since it was accepted (the bot did not see who changed it)`,
      {
        details: ["only a change by someone with write access keeps a contract accepted"],
        fix: `a maintainer reviews the change and comments \`/accept\` on ${issue}, or reverts it`,
      },
    );
  }
  const wrote = author ? `${code(author)} wrote it without write access` : "nobody with write access wrote it";
  const changed = a.changedBy && a.changedBy !== author ? `; last changed by ${code(a.changedBy)}${when}` : "";
  return row("fail", `the contract in ${issue} is not accepted: ${wrote}${changed}`, {
    details: ["a contract is policy only when someone with write access wrote it, edited it, or accepted it"],
    fix: `a maintainer reviews the contract and comments \`/accept\` on ${issue}`,
  });
}

export const contractCriterion: Criterion = {
  id: "contract",
  title: "Contract found & valid",
  triggers: ["pr.body", "contract", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    if (!f.link.ok)
      return row("fail", "no contract issue linked", {
        details: [problemLine(f.link.problem)],
        fix: f.link.problem.hint ?? "add `Fixes #<issue>` to the PR body",
      });
    const n = f.link.issue;
    // Offline (the CLI) there is no issue number, only the file the contract came from.
    const issue = n > 0 ? `issue #${n}` : f.link.via;
    const linked = n > 0 ? ` (linked by ${ROUTE[f.link.via] ?? f.link.via})` : "";
    // The first row that needs the registry, so the one that lists its errors.
    if (!f.registry.ok) return registryUnverified(this, f, { withErrors: true });
    if (f.contractIssue?.state === "closed")
      return row("fail", `${issue}${linked} is closed, so its contract does not apply to a new verdict`, {
        fix: `reopen ${issue} if the work is still wanted, or link the open issue this PR implements`,
      });
    const report = f.contract;
    if (report === undefined || report.status === "absent")
      return row("fail", `${issue}${linked} carries no contract`, { fix: `add an Agent Contract block to ${issue}` });
    if (report.status === "invalid")
      return row("fail", `the contract in ${issue} is invalid`, {
        details: report.errors.map(problemLine),
        fix:
          n > 0 ? `fix the contract in ${issue} (its sticky comment lists the errors)` : `fix the contract in ${issue}`,
      });
    const id = `contract ${code(report.contract.nmoe.issue)}`;
    const standing = f.standing ?? { status: "unknown" as const };
    switch (standing.status) {
      case "unknown":
        return row(
          "pending",
          `${issue}, ${id}: valid; the bot checks on the PR that someone with write access wrote or accepted it`,
        );
      case "unaccepted":
        return unaccepted(row, standing, issue, f.contractIssue?.author);
      case "accepted":
        return row("pass", `${issue}${linked}, ${id}, ${countedBy(standing)}`);
    }
  },
};
