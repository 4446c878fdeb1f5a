/** Resolve a contract's `depends_on` ids against issues: open ones block, closed ones are done, unknown ones fail closed. */
import { byContractId, type OpenIssue } from "../linking/link.js";
import type { DependencyFact } from "./types.js";

/**
 * First pass over the open issues (already fetched for linking). Ids no open issue carries come
 * back as `unresolved`, for the handler to look up among closed issues.
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
