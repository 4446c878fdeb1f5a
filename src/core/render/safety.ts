/** The public-safety warning: which rule fired on which line, never the text that fired it. */
import type { Finding } from "../sanitize/sanitize.js";
import { describeSource, type SafetyState } from "../safety/state.js";
import { bullets, code } from "./markdown.js";

export interface SafetyReport {
  /** What was scanned ("the issue body", "comment 123"), each with its findings. */
  sources: { what: string; findings: readonly Finding[] }[];
}

/**
 * What the PR's public-safety row is decided on: its body, the comments remembered in its ledger,
 * and the body of the linked contract issue (`number` 0: the CLI's --issue file). Only sources
 * with findings are kept.
 */
export function pullSafetyReport(scanned: {
  body: Finding[];
  comments: SafetyState;
  issue?: { number: number; findings: Finding[] };
}): SafetyReport {
  const { body, comments, issue } = scanned;
  return {
    sources: [
      { what: "the PR body", findings: body },
      ...Object.entries(comments).map(([source, findings]) => ({ what: describeSource(source, "PR"), findings })),
      ...(issue
        ? [{ what: issue.number > 0 ? `the body of issue #${issue.number}` : "the issue", findings: issue.findings }]
        : []),
    ].filter((s) => s.findings.length > 0),
  };
}

export function hasFindings(report: SafetyReport): boolean {
  return report.sources.some((s) => s.findings.length > 0);
}

export function safetySection(report: SafetyReport): string | undefined {
  const items = report.sources.flatMap((s) => s.findings.map((f) => `${s.what}, line ${f.line}: ${code(f.rule)}`));
  if (items.length === 0) return undefined;
  return [
    "### ⚠️ Public safety",
    "",
    "This is a public repository. The text below looks like internal infrastructure or a credential; please edit it out (and rotate any credential that was posted):",
    "",
    bullets(items, 30),
  ].join("\n");
}
