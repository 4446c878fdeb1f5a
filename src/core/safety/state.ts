/**
 * Public-safety findings remembered in a sticky comment's ledger, per source (the body, each
 * comment), so an edit that cleans one comment clears just its warning. Rule and position only.
 */
import type { Finding } from "../sanitize/sanitize.js";
import { MAX_FINDINGS_PER_SOURCE, MAX_SAFETY_SOURCES, type Ledger } from "../ledger/types.js";

/** Source (`body`, `comment:<id>`) → its findings, as the ledger keeps them. */
export type SafetyState = Readonly<Record<string, readonly Finding[]>>;

export function safetyOf(ledger: Ledger): SafetyState {
  const out: Record<string, Finding[]> = {};
  for (const [source, findings] of Object.entries(ledger.safety ?? {})) if (findings) out[source] = findings;
  return out;
}

/** The ledger with `state` as its findings (the newest sources kept within the bound). */
export function withSafety(ledger: Ledger, state: SafetyState): Ledger {
  const entries = Object.entries(state)
    .filter(([, f]) => f.length > 0)
    .slice(-MAX_SAFETY_SOURCES)
    .map(([source, f]): [string, Finding[]] => [
      source,
      f.slice(0, MAX_FINDINGS_PER_SOURCE).map((x) => ({ rule: x.rule, line: x.line, column: x.column })),
    ]);
  const next: Ledger = { ...ledger };
  if (entries.length === 0) delete next.safety;
  else next.safety = Object.fromEntries(entries);
  return next;
}

/** The state with `source` set to `findings` (removed when empty). */
export function withSource(state: SafetyState, source: string, findings: readonly Finding[]): SafetyState {
  const next: Record<string, readonly Finding[]> = { ...state };
  if (findings.length > 0) next[source] = findings.slice(0, MAX_FINDINGS_PER_SOURCE);
  else delete next[source];
  return next;
}

export function sameSafety(a: SafetyState, b: SafetyState): boolean {
  const key = (s: SafetyState) =>
    JSON.stringify(
      Object.entries(s)
        .filter(([, f]) => f.length > 0)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([src, f]) => [src, f.map((x) => [x.rule, x.line, x.column])]),
    );
  return key(a) === key(b);
}

/** "the issue body", "the PR body", "comment 123" */
export function describeSource(source: string, kind: "issue" | "PR"): string {
  if (source === "body") return `the ${kind} body`;
  const m = /^comment:(\d+)$/.exec(source);
  return m ? `comment ${m[1]}` : source;
}
