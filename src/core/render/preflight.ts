/** The verdict as `merge-captain check` shows it before a PR exists: the outcome, and the table as plain terminal text. */
import type { Verdict } from "../verdict/evaluate.js";
import type { CriterionResult } from "../verdict/types.js";
import { plainText } from "./markdown.js";
import { headline, ICON } from "./verdict.js";

/** Offline, ⏳ rows wait for the bot and do not stop the PR from being opened; ❌ and ❔ do. */
export type PreflightOutcome = "ready-to-open" | "blocked" | "not-verified";

export function preflightOutcome(verdict: Verdict): PreflightOutcome {
  switch (verdict.outcome) {
    case "blocked":
      return "blocked";
    case "unverified":
      return "not-verified";
    case "waiting":
    case "green":
      return "ready-to-open";
  }
}

/** The rows as the JSON output carries them: plain text, no annotations (those are for the check run). */
export function preflightRows(verdict: Verdict): Omit<CriterionResult, "annotations">[] {
  return verdict.results.map(({ annotations: _annotations, ...r }) => ({
    ...r,
    summary: plainText(r.summary),
    details: r.details.map(plainText),
    ...(r.fix === undefined ? {} : { fix: plainText(r.fix) }),
  }));
}

export function preflightText(verdict: Verdict, maxDetails = 20): string {
  const outcome = preflightOutcome(verdict);
  const lines = [
    outcome === "ready-to-open"
      ? `${ICON.pass} Ready to open the PR (the bot checks the rest)`
      : `${outcome === "blocked" ? ICON.fail : ICON.unverified} ${headline(verdict.outcome, verdict.results)}`,
    "",
  ];
  for (const r of preflightRows(verdict)) {
    lines.push(`${ICON[r.status]} ${r.title}: ${r.summary}`);
    for (const d of r.details.slice(0, maxDetails)) lines.push(`    - ${d}`);
    if (r.details.length > maxDetails) lines.push(`    - … and ${r.details.length - maxDetails} more`);
    if (r.fix && r.status !== "pass") lines.push(`    → ${r.fix}`);
  }
  return lines.join("\n") + "\n";
}
