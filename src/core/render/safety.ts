/** The public-safety warning: which rule fired on which line, never the text that fired it. */
import type { Finding } from "../sanitize/sanitize.js";
import { bullets, code } from "./markdown.js";

export interface SafetyReport {
  /** What was scanned ("the issue body", "comment 123"), each with its findings. */
  sources: { what: string; findings: readonly Finding[] }[];
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
