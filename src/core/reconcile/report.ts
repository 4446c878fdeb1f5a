/** What a reconciler run did, as data, and its wording: the log line for operators and the reply to `/recheck` on an issue. */
import type { StopReason } from "./plan.js";

export interface RepoReport {
  repo: string;
  openPulls: number;
  /** PRs whose check was looked up (the rest were confirmed earlier with the same inputs). */
  looked: number;
  missing: number;
  stale: number;
  /** Checks that were current but whose sticky comment was never written for the head. */
  comments: number;
  runs: number;
  stopped?: StopReason | "config-invalid" | "failed";
}

export interface RunReport {
  repos: RepoReport[];
  /** API calls that counted against the rate limit, and 304s. */
  counted: number;
  revalidated: number;
  stopped?: StopReason | "failed";
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

function stopWords(stopped: RepoReport["stopped"]): string {
  switch (stopped) {
    case undefined:
      return "";
    case "budget":
      return " It stopped at its API-call budget; the next run continues.";
    case "rate-limit":
      return " It stopped early to stay well inside GitHub's rate limit; the next run continues.";
    case "config-invalid":
      return " The repository's merge-captain config is invalid, so only missing checks were written (saying so).";
    case "failed":
      return " GitHub's API failed during the recheck; the next run tries again.";
  }
}

/** The reply to `/recheck` on an issue. */
export function recheckReply(report: RepoReport): string {
  const repaired = report.missing + report.stale + report.comments;
  const what =
    repaired + report.runs === 0
      ? "every check was up to date"
      : [
          report.missing > 0 ? `wrote the missing \`merge-captain\` check on ${plural(report.missing, "PR")}` : "",
          report.stale > 0 ? `re-judged ${plural(report.stale, "PR")} whose check was older than its inputs` : "",
          report.comments > 0 ? `wrote the missing comment on ${plural(report.comments, "PR")}` : "",
          report.runs > 0 ? `caught up on ${plural(report.runs, "Tier-B run")}` : "",
        ]
          .filter((s) => s !== "")
          .join(", ");
  return `🔁 Rechecked ${plural(report.openPulls, "open PR")} (${report.looked} looked at): ${what}.${stopWords(report.stopped)}`;
}

/** One log line per run, for operators. */
export function runSummary(report: RunReport): string {
  const sum = (f: (r: RepoReport) => number): number => report.repos.reduce((n, r) => n + f(r), 0);
  return (
    `reconciler: ${plural(report.repos.length, "repository", "repositories")}, ${sum((r) => r.openPulls)} open PRs, ` +
    `${sum((r) => r.looked)} looked at; repaired ${sum((r) => r.missing)} missing and ${sum((r) => r.stale)} stale checks, ` +
    `${sum((r) => r.comments)} missing comments, ` +
    `${sum((r) => r.runs)} Tier-B runs; ${report.counted} API calls (+${report.revalidated} 304s)` +
    (report.stopped ? `; stopped: ${report.stopped}` : "")
  );
}
