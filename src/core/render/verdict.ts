/** The verdict for people: the `merge-captain` check run's output and the PR comment's table. */
import type { Outcome, Verdict } from "../verdict/evaluate.js";
import type { CriterionResult, Status } from "../verdict/types.js";
import { bullets, table } from "./markdown.js";
import type { Marker } from "../markers.js";
import { verdictMarker } from "./verdict-marker.js";

export const CHECK_NAME = "merge-captain";

export const ICON: Record<Status, string> = { pass: "✅", fail: "❌", warn: "⚠️", pending: "⏳", unverified: "❔" };

export function headline(outcome: Outcome, results: readonly CriterionResult[]): string {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  switch (outcome) {
    case "green":
      return "Ready to merge";
    case "blocked":
      return `Not ready: ${count("fail")} ${count("fail") === 1 ? "criterion" : "criteria"} failed`;
    case "unverified":
      return `Not verified: ${count("unverified")} ${count("unverified") === 1 ? "criterion" : "criteria"} could not be checked`;
    case "waiting":
      return `Waiting: ${results
        .filter((r) => r.status === "pending")
        .map((r) => r.title)
        .join(", ")}`;
  }
}

export function verdictTable(results: readonly CriterionResult[]): string {
  return table(
    ["", "Criterion", "Result", "Next step"],
    results.map((r) => [ICON[r.status], r.title, r.summary, r.status === "pass" ? "" : (r.fix ?? "")]),
  );
}

/** Per-row details (violations, errors), for rows that have any. */
export function verdictDetails(results: readonly CriterionResult[], maxPerRow = 50): string {
  return results
    .filter((r) => r.details.length > 0)
    .map((r) => `#### ${ICON[r.status]} ${r.title}\n\n${bullets(r.details, maxPerRow)}`)
    .join("\n\n");
}

export interface CheckOutput {
  status: "in_progress" | "completed";
  conclusion?: "success" | "failure";
  title: string;
  summary: string;
  text: string;
  /** The hidden line that opens the text: which criteria did not pass (see core/markers.ts). */
  textMarker: Marker;
  annotations: { path: string; start_line: number; end_line: number; annotation_level: "failure"; message: string }[];
}

export function checkOutput(verdict: Verdict): CheckOutput {
  const title = headline(verdict.outcome, verdict.results);
  const annotations = verdict.results.flatMap((r) =>
    (r.annotations ?? []).map((a) => ({
      path: a.path,
      start_line: 1,
      end_line: 1,
      annotation_level: "failure" as const,
      message: a.message,
    })),
  );
  const legend = "✅ pass · ❌ fail · ⚠️ warning · ⏳ waiting · ❔ not verified (the bot could not check; never green)";
  const base = {
    title,
    summary: `${verdictTable(verdict.results)}\n\n${legend}`,
    // The marker goes first: a long text is cut at its end to fit GitHub's limit.
    // The marker opens the text; the choke point lets only markers added after it through.
    textMarker: verdictMarker(verdict.results),
    text: verdictDetails(verdict.results, 1000),
    annotations,
  };
  switch (verdict.outcome) {
    case "green":
      return { status: "completed", conclusion: "success", ...base };
    case "blocked":
    case "unverified":
      return { status: "completed", conclusion: "failure", ...base };
    case "waiting":
      return { status: "in_progress", ...base };
  }
}
