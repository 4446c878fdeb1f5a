/**
 * Resolve a contract's `depends_on` ids against issues: open ones block, closed ones are done,
 * unknown ones fail closed. The lookup order is decided here; the handler only runs the lookups.
 */
import { byContractId, type OpenIssue } from "../linking/link.js";
import type { DependencyFact } from "./types.js";

/**
 * First pass over the open issues (already fetched for linking). Ids no open issue carries come
 * back as `unresolved`, to be looked up one by one with `nextLookup`.
 */
export function classifyDependencies(
  ids: readonly string[],
  openIssues: readonly OpenIssue[],
): { facts: DependencyFact[]; unresolved: string[] } {
  const facts: DependencyFact[] = [];
  const unresolved: string[] = [];
  for (const id of ids) {
    const open = byContractId(openIssues, id)[0];
    if (open) facts.push({ id, state: "open", issue: open.number });
    else unresolved.push(id);
  }
  return { facts, unresolved };
}

/** The nmoe form calls `depends_on` "issue numbers": a purely numeric id may also be an issue number. */
export function asIssueNumber(id: string): number | undefined {
  return /^\d{1,9}$/.test(id) ? Number(id) : undefined;
}

/** One way to find the issue behind an id: GitHub's search for `[id]` in titles, or the issue with that number. */
export type DependencyLookup = { kind: "title-search"; id: string } | { kind: "issue-number"; number: number };

/** What a lookup answered: the issue it found, nothing, or (search has its own tight rate limit) a failure. */
export type LookupAnswer =
  { kind: "found"; number: number; state: "open" | "closed" } | { kind: "none" } | { kind: "failed" };

/**
 * The next lookup for an unresolved id, given the answers so far, or the fact once it is decided.
 * Order: the title id first (ids such as `03a` are titles, not numbers), then the issue number.
 * The first issue found decides; a failed lookup is "not verified", never "missing".
 */
export function nextLookup(
  id: string,
  answers: readonly LookupAnswer[],
): { lookup: DependencyLookup } | { fact: DependencyFact } {
  const n = asIssueNumber(id);
  const order: DependencyLookup[] = [
    { kind: "title-search", id },
    ...(n === undefined ? [] : [{ kind: "issue-number" as const, number: n }]),
  ];
  for (const answer of answers) {
    switch (answer.kind) {
      case "failed":
        return { fact: { id, state: "unknown" } };
      case "found":
        return { fact: { id, state: answer.state === "open" ? "open" : "done", issue: answer.number } };
      case "none":
        continue;
    }
  }
  const next = order[answers.length];
  return next ? { lookup: next } : { fact: { id, state: "missing" } };
}
