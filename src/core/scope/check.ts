/** Check a PR's changed files against a compiled scope: every path a change touches must be in scope. */
import { problem, type Problem } from "../problem.js";
import type { ScopeMatcher } from "./match.js";

/** GitHub's statuses for a PR's files (`GET /pulls/{n}/files`). */
export type FileStatus = "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";

export interface ChangedFile {
  path: string;
  status: FileStatus;
  /** The old path of a renamed (or copied) file. */
  previous_filename?: string | undefined;
}

export interface ScopeViolation {
  /** The path that is out of scope (for the old side of a rename, the old path). */
  path: string;
  reason: "denied" | "not-allowed";
  /** The deny pattern that matched; absent when the path is simply not allowed. */
  pattern?: string;
  status: FileStatus;
  /** For renames: which of the two paths this is. */
  side?: "old" | "new";
  /** For renames: the other path, so a reader sees both ends of the move. */
  renamedFrom?: string;
  renamedTo?: string;
}

export interface ScopeCheck {
  /** How many changed files were checked. */
  checked: number;
  /** Sorted by path (then side), whatever order the files came in. */
  violations: ScopeViolation[];
  /**
   * Present when the matcher's work budget ran out before every file was decided: the check is
   * then no answer at all (`violations` is empty), and callers report "not verified".
   */
  overBudget?: { limit: number; files: number };
}

/** The problem a spent work budget is, for callers that report problems (the CLI). */
export function overBudgetProblem(over: NonNullable<ScopeCheck["overBudget"]>): Problem {
  return problem(
    "scope.work-budget",
    "/scope",
    `matching ${over.files} changed files against the contract's scope patterns needs more than the ${over.limit} steps one check may take`,
    "use fewer `*` per file name in scope.allow / scope.deny (e.g. `dir/**` instead of `*a*b*c*`), or split the PR",
  );
}

/**
 * Renamed: both the old and the new path must be in scope (moving a file out of a denied folder
 * changes that folder). Copied: only the new path (the original is untouched). Removed: the
 * deleted path. Everything else: the path.
 */
export function checkScope(matcher: ScopeMatcher, files: readonly ChangedFile[]): ScopeCheck {
  const violations: ScopeViolation[] = [];
  const check = (path: string, file: ChangedFile, side?: "old" | "new"): void => {
    const decision = matcher.decide(path);
    if (decision.inScope) return;
    const v: ScopeViolation = { path, reason: decision.reason, status: file.status };
    if (decision.reason === "denied") v.pattern = decision.pattern;
    if (side !== undefined) {
      v.side = side;
      if (side === "old") v.renamedTo = file.path;
      else if (file.previous_filename !== undefined) v.renamedFrom = file.previous_filename;
    }
    violations.push(v);
  };
  for (const file of files) {
    if (matcher.budget.exceeded) break;
    switch (file.status) {
      case "renamed":
        if (file.previous_filename !== undefined && file.previous_filename !== file.path) {
          check(file.previous_filename, file, "old");
          check(file.path, file, "new");
        } else {
          check(file.path, file);
        }
        break;
      case "copied":
      case "added":
      case "modified":
      case "removed":
      case "changed":
      case "unchanged":
        check(file.path, file);
        break;
      default: {
        const never: never = file.status;
        throw new Error(`unhandled file status ${String(never)}`);
      }
    }
  }
  if (matcher.budget.exceeded)
    return { checked: files.length, violations: [], overBudget: { limit: matcher.budget.limit, files: files.length } };
  violations.sort(compareViolations);
  return { checked: files.length, violations: dedupe(violations) };
}

function compareViolations(a: ScopeViolation, b: ScopeViolation): number {
  return (
    cmp(a.path, b.path) ||
    cmp(a.side ?? "", b.side ?? "") ||
    cmp(a.status, b.status) ||
    cmp(a.renamedFrom ?? "", b.renamedFrom ?? "") ||
    cmp(a.renamedTo ?? "", b.renamedTo ?? "")
  );
}

/** Code-unit order, not locale order, so the result is the same on every machine. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The same file listed twice (a files list pasted twice) is one violation. */
function dedupe(sorted: ScopeViolation[]): ScopeViolation[] {
  return sorted.filter((v, i) => i === 0 || compareViolations(sorted[i - 1]!, v) !== 0);
}
