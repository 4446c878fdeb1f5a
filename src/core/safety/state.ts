/**
 * Public-safety findings remembered in a sticky comment, per source (the body, each comment),
 * so an edit that cleans one comment clears just its warning. Stored as base64url JSON in a
 * hidden marker: user text can never forge or break out of it.
 */
import type { Finding } from "../sanitize/sanitize.js";

export type SafetyState = Record<string, Finding[]>;

/** Bound on what is remembered: sources and findings per source. */
const MAX_SOURCES = 100;
const MAX_FINDINGS = 20;

/** Compact JSON for the state, at most `max` characters: the newest sources are kept. */
export function encodeSafety(state: SafetyState, max = 500): string {
  let entries = Object.entries(state)
    .filter(([, f]) => f.length > 0)
    .slice(-MAX_SOURCES);
  const encode = () =>
    JSON.stringify(
      Object.fromEntries(
        entries.map(([src, f]) => [src, f.slice(0, MAX_FINDINGS).map((x) => [x.rule, x.line, x.column])]),
      ),
    );
  let json = encode();
  while (json.length > max && entries.length > 0) {
    const [src, f] = entries[0]!;
    // Drop findings of the oldest source first, keeping one so the warning (and the ❌) survives.
    entries = f.length > 1 ? [[src, f.slice(0, 1)], ...entries.slice(1)] : entries.slice(1);
    json = encode();
  }
  return entries.length === 0 ? "" : json;
}

/** Parse what `encodeSafety` wrote; anything malformed reads as no findings for that entry. */
export function decodeSafety(text: string | undefined): SafetyState {
  if (!text) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) return {};
  const out: SafetyState = {};
  for (const [source, list] of Object.entries(json as Record<string, unknown>).slice(0, MAX_SOURCES)) {
    if (!/^(?:body|comment:\d{1,20})$/.test(source) || !Array.isArray(list)) continue;
    const findings = list
      .filter(
        (f): f is [string, number, number] =>
          Array.isArray(f) &&
          typeof f[0] === "string" &&
          /^[a-z0-9-]{1,40}$/.test(f[0]) &&
          Number.isInteger(f[1]) &&
          Number.isInteger(f[2]),
      )
      .slice(0, MAX_FINDINGS)
      .map(([rule, line, column]) => ({ rule, line, column }));
    if (findings.length > 0) out[source] = findings;
  }
  return out;
}

const OPEN = "<!-- merge-captain:safety ";
const CLOSE = " -->";

/** The issue sticky keeps the state in its own hidden marker (base64url: cannot close the comment). */
export function readSafetyState(body: string | undefined): SafetyState {
  const m = body === undefined ? null : /<!-- merge-captain:safety ([A-Za-z0-9_-]{1,4000}) -->/.exec(body);
  return m ? decodeSafety(Buffer.from(m[1]!, "base64url").toString("utf8")) : {};
}

export function writeSafetyState(state: SafetyState): string {
  const json = encodeSafety(state, 2000);
  return json === "" ? "" : OPEN + Buffer.from(json, "utf8").toString("base64url") + CLOSE;
}

/** The state with `source` set to `findings` (removed when empty). */
export function withSource(state: SafetyState, source: string, findings: readonly Finding[]): SafetyState {
  const next: SafetyState = { ...state };
  if (findings.length > 0)
    next[source] = findings.slice(0, MAX_FINDINGS).map((f) => ({ rule: f.rule, line: f.line, column: f.column }));
  else delete next[source];
  return next;
}

/** "the issue body", "the PR body", "comment 123" */
export function describeSource(source: string, kind: "issue" | "PR"): string {
  if (source === "body") return `the ${kind} body`;
  const m = /^comment:(\d+)$/.exec(source);
  return m ? `comment ${m[1]}` : source;
}
