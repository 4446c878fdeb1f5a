/**
 * Check an experiment issue's body: the required sections are there and filled, it links to its
 * logbook, and which claims carry no confidence label. Linear in the body, which is capped first.
 */
import { MAX_BODY_CHARS } from "../contract/extract.js";
import { headingMatches, normalizeBody, outline, sectionOf } from "../markdown/blocks.js";
import { problem, type Problem } from "../problem.js";
import { compilePatterns } from "../scope/pattern-list.js";
import type { ExperimentSettings } from "./settings.js";

/** How many claims without a label are listed (the count says how many more there are). */
export const MAX_CLAIMS_LISTED = 30;
/** Path-like tokens looked at for the logbook link, and suffixes tried per token. */
const MAX_LINK_TOKENS = 2000;
const MAX_SUFFIXES = 20;

export interface UnlabeledClaim {
  section: string;
  /** 1-based line in the body. */
  line: number;
  text: string;
}

export type LogbookCheck =
  | { required: false }
  | { required: true; pattern: string; found: string | undefined }
  | { required: true; pattern: string; problem: Problem };

export interface ExperimentCheck {
  /** Required sections with no heading. */
  missing: string[];
  /** Required sections whose heading is there with nothing (or `_No response_`) under it. */
  empty: string[];
  logbook: LogbookCheck;
  unlabeled: UnlabeledClaim[];
  /** All claims without a label, including those not listed. */
  unlabeledCount: number;
  claims: number;
}

/** Complete: every section filled and the logbook linked. Unlabeled claims are listed, not blocking. */
export function isComplete(c: ExperimentCheck): boolean {
  const logbookOk = !c.logbook.required || ("found" in c.logbook && c.logbook.found !== undefined);
  return c.missing.length === 0 && c.empty.length === 0 && logbookOk;
}

// One blank, then the rest (trimmed by the caller), with `s`: nothing to trade between quantifiers (regexp lint).
const LIST_ITEM = /^( {0,1})(?:[-*+]|\d{1,9}[.)])[ \t](.*)$/s;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const NO_RESPONSE = /^_no response_$/i;

export function checkExperimentBody(rawBody: string, settings: ExperimentSettings): ExperimentCheck {
  const body = normalizeBody(rawBody).slice(0, MAX_BODY_CHARS);
  const lines = body.split("\n");
  const o = outline(body);
  const sectionLines = (wanted: string): { heading: string; from: number; to: number } | undefined => {
    const h = o.headings.find((x) => headingMatches(x.text, wanted));
    if (!h) return undefined;
    const { start, end } = sectionOf(o, h);
    return { heading: h.text, from: start, to: Math.min(end - 1, lines.length) };
  };
  const inFence = fencedLines(lines);

  const missing: string[] = [];
  const empty: string[] = [];
  for (const wanted of settings.sections) {
    const s = sectionLines(wanted);
    if (!s) {
      missing.push(wanted);
      continue;
    }
    const content = lines
      .slice(s.from, s.to)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !NO_RESPONSE.test(l));
    if (content.length === 0) empty.push(wanted);
  }

  const labelWord = new RegExp(
    `(?<![A-Za-z0-9_-])(?:${settings.confidenceLabels.map((l) => l.replace(/[-]/g, "\\-")).join("|")})(?![A-Za-z0-9_-])`,
    "i",
  );
  const unlabeled: UnlabeledClaim[] = [];
  let unlabeledCount = 0;
  let claims = 0;
  const seen = new Set<number>();
  for (const wanted of settings.claimSections) {
    const s = sectionLines(wanted);
    if (!s) continue;
    for (let i = s.from; i < s.to; i++) {
      if (seen.has(i) || inFence.has(i)) continue;
      seen.add(i);
      const m = LIST_ITEM.exec(lines[i]!);
      if (!m) continue;
      const text = m[2]!.trim();
      if (text === "" || NO_RESPONSE.test(text)) continue;
      claims++;
      if (labelWord.test(text)) continue;
      unlabeledCount++;
      if (unlabeled.length < MAX_CLAIMS_LISTED) unlabeled.push({ section: s.heading, line: i + 1, text });
    }
  }

  return { missing, empty, logbook: logbookLink(body, settings.logbook), unlabeled, unlabeledCount, claims };
}

/** Line indexes (0-based) inside fenced code blocks, fences included: a list item there is code, not a claim. */
function fencedLines(lines: readonly string[]): Set<number> {
  const out = new Set<number>();
  let open: string | undefined;
  lines.forEach((line, i) => {
    const m = FENCE.exec(line);
    if (open === undefined) {
      if (m) {
        open = m[1]!;
        out.add(i);
      }
      return;
    }
    out.add(i);
    if (m && m[1]![0] === open[0] && m[1]!.length >= open.length && line.trim() === m[1]) open = undefined;
  });
  return out;
}

/**
 * Does the body link to the logbook? A Markdown link, a bare path or a blob URL all count: each
 * path-like token is tried from every `/` onwards, so `https://…/blob/research/x/.agents/logbooks/x.md`
 * and `./.agents/logbooks/x.md` both match `.agents/logbooks/x.md`.
 */
function logbookLink(body: string, pattern: string | undefined): LogbookCheck {
  if (pattern === undefined) return { required: false };
  const list = compilePatterns("logbook", [pattern], () => "/experiment/logbook");
  if (!list.ok) return { required: true, pattern, problem: list.errors[0]! };
  let tokens = 0;
  // Whole runs of link characters, from their start only (a run without `/` made the old regex quadratic).
  for (const m of body.matchAll(/(?<![A-Za-z0-9._~%/:+@-])[A-Za-z0-9._~%/:+@-]+/g)) {
    if (!m[0].includes("/")) continue;
    if (++tokens > MAX_LINK_TOKENS) break;
    let end = m[0].length;
    while (end > 0 && (m[0][end - 1] === "." || m[0][end - 1] === ":")) end--;
    const token = m[0].slice(0, end);
    const starts = [0];
    for (let i = token.indexOf("/"); i >= 0 && starts.length < MAX_SUFFIXES; i = token.indexOf("/", i + 1))
      starts.push(i + 1);
    for (const s of starts) {
      const candidate = token.slice(s);
      if (candidate !== "" && list.value.match(candidate) !== undefined)
        return { required: true, pattern, found: candidate };
    }
  }
  return { required: true, pattern, found: undefined };
}

/**
 * The check as problems, for the CLI's `--json` and text: missing or empty sections and a missing
 * logbook link are errors; claims without a confidence label are warnings (listed, not blocking).
 */
export function experimentProblems(
  c: ExperimentCheck,
  settings: ExperimentSettings,
): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [
    ...c.missing.map((s) =>
      problem(
        "experiment.missing-section",
        "",
        `the section "${s}" is missing`,
        `add a "## ${s}" heading with its content`,
      ),
    ),
    ...c.empty.map((s) =>
      problem("experiment.empty-section", "", `the section "${s}" is empty`, `write the ${s} under its heading`),
    ),
  ];
  const l = c.logbook;
  if (l.required && "problem" in l) errors.push(l.problem);
  else if (l.required && l.found === undefined)
    errors.push(
      problem(
        "experiment.no-logbook-link",
        "",
        `the issue does not link to its logbook ${l.pattern}`,
        "link the thread's append-only logbook from the issue (a path or a blob URL), and the issue from the logbook",
      ),
    );
  const labels = settings.confidenceLabels.join(", ");
  const warnings = c.unlabeled.map((u) =>
    problem(
      "experiment.unlabeled-claim",
      `/line/${u.line}`,
      `the claim "${u.text.length > 120 ? u.text.slice(0, 119) + "…" : u.text}" (${u.section}) carries no confidence label`,
      `mark it ${labels}`,
    ),
  );
  if (c.unlabeledCount > c.unlabeled.length)
    warnings.push(
      problem(
        "experiment.unlabeled-claim",
        "",
        `… and ${c.unlabeledCount - c.unlabeled.length} more claims without a confidence label`,
        `mark them ${labels}`,
      ),
    );
  return { errors, warnings };
}
