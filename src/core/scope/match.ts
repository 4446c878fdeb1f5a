/** Compile a contract's scope globs safely, once, into a matcher that says whether a path is in scope and why not. */
import picomatch from "picomatch";
import { fail, ok, pointer, problem, show, type Problem, type Result } from "../problem.js";

/** Patterns come from contributors: both caps bound the work one contract can ask of the matcher. */
export const MAX_PATTERNS_PER_LIST = 200;
export const MAX_PATTERN_LENGTH = 256;

/**
 * picomatch options that keep a glob a glob: dotfiles included, case-sensitive, POSIX paths,
 * and none of the constructs that expand (braces) or nest (extglobs), or invert (`!`).
 */
const OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  nocase: false,
  noextglob: true,
  nobrace: true,
  nonegate: true,
  windows: false,
};

export interface ScopeInput {
  allow: readonly string[];
  deny?: readonly string[] | undefined;
}

export type ScopeDecision =
  | { inScope: true; pattern: string }
  | { inScope: false; reason: "denied"; pattern: string }
  | { inScope: false; reason: "not-allowed" };

export interface ScopeMatcher {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /** Deny wins over allow; a path no allow pattern matches is not allowed (so an empty allow list allows nothing). */
  decide(path: string): ScopeDecision;
}

interface CompiledPattern {
  pattern: string;
  test: (path: string) => boolean;
}

/** Compile both lists; every bad pattern is reported, not only the first. */
export function compileScope(scope: ScopeInput): Result<ScopeMatcher> {
  const errors: Problem[] = [];
  const allow = compileList(scope.allow, "allow", errors);
  const deny = compileList(scope.deny ?? [], "deny", errors);
  if (errors.length > 0) return fail(...errors);
  const decide = (path: string): ScopeDecision => {
    const denied = deny.find((d) => d.test(path));
    if (denied) return { inScope: false, reason: "denied", pattern: denied.pattern };
    const allowed = allow.find((a) => a.test(path));
    if (allowed) return { inScope: true, pattern: allowed.pattern };
    return { inScope: false, reason: "not-allowed" };
  };
  return ok({ allow: [...scope.allow], deny: [...(scope.deny ?? [])], decide });
}

function compileList(patterns: readonly string[], list: "allow" | "deny", errors: Problem[]): CompiledPattern[] {
  if (patterns.length > MAX_PATTERNS_PER_LIST) {
    errors.push(
      problem(
        "scope.too-many-patterns",
        pointer("scope", list),
        `\`scope.${list}\` lists ${patterns.length} patterns, more than the ${MAX_PATTERNS_PER_LIST} allowed`,
        "cover whole folders with `dir/**` instead of listing files one by one",
      ),
    );
    return [];
  }
  return patterns.flatMap((pattern, i) => compileOne(pattern, pointer("scope", list, i), list, errors));
}

/** One glob compiled with the rules scope patterns follow, e.g. for the repository policy's paths. */
export interface PathPattern {
  readonly pattern: string;
  /** What the pattern spells out before its first wildcard (`.github/workflows/` for `.github/workflows/*.yml`). */
  readonly literal: string;
  test(path: string): boolean;
}

/** The characters of a pattern before its first `*`, `?` or `[` (all of it when it has none). */
export function literalPrefix(pattern: string): string {
  const at = pattern.search(/[*?[]/);
  return at < 0 ? pattern : pattern.slice(0, at);
}

/** Compile one pattern checked as scope patterns are; `at` is the field's JSON pointer for the error. */
export function compilePathPattern(pattern: string, at: string): Result<PathPattern> {
  const errors: Problem[] = [];
  const [compiled] = compileOne(pattern, at, "path", errors);
  if (!compiled) return fail(...errors);
  return ok({ pattern, literal: literalPrefix(pattern), test: compiled.test });
}

function compileOne(pattern: string, at: string, list: PatternList, errors: Problem[]): CompiledPattern[] {
  const bad = patternProblem(pattern, at, list);
  if (bad) {
    errors.push(bad);
    return [];
  }
  // `dir/` covers everything below dir; `dir/**/*` (unlike `dir/**`) does not match a file named `dir`.
  const source = pattern.endsWith("/") ? pattern + "**/*" : pattern;
  try {
    return [{ pattern, test: picomatch(source, OPTIONS) }];
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : "unknown error";
    errors.push(
      problem(
        "scope.bad-pattern",
        at,
        `the ${list} pattern ${show(pattern)} could not be compiled: ${why}`,
        "write a plain glob using `*`, `**`, `?` and `[abc]` only",
      ),
    );
    return [];
  }
}

/** `path`: a pattern outside a contract's scope lists (the repository policy's). */
type PatternList = "allow" | "deny" | "path";

/** Reject what picomatch would read as something other than a path glob, with the fix in the author's terms. */
export function patternProblem(pattern: string, at: string, list: PatternList): Problem | undefined {
  const name = list === "path" ? `the pattern ${show(pattern)}` : `the ${list} pattern ${show(pattern)}`;
  const bad = (code: string, why: string, hint: string): Problem => problem(code, at, `${name} ${why}`, hint);
  if (pattern.length === 0) return bad("scope.empty-pattern", "is empty", "remove the empty entry");
  if (pattern.length > MAX_PATTERN_LENGTH)
    return bad(
      "scope.pattern-too-long",
      `is ${pattern.length} characters long, more than the ${MAX_PATTERN_LENGTH} allowed`,
      "use `**` to cover deep folders instead of spelling the path out",
    );
  if (pattern.startsWith("!")) {
    return bad(
      "scope.negation",
      "starts with `!`; negated patterns are not supported",
      list === "allow"
        ? `move \`${pattern.slice(1)}\` to \`scope.deny\` instead`
        : list === "deny"
          ? `remove it from \`scope.deny\`, or add \`${pattern.slice(1)}\` to \`scope.allow\``
          : "list only the paths it covers, without `!`",
    );
  }
  if (pattern.includes("\\"))
    return bad(
      "scope.backslash",
      "contains a backslash",
      "write repo-relative POSIX paths with `/` separators; escapes are not supported",
    );
  if (pattern.startsWith("/"))
    return bad(
      "scope.absolute",
      "is absolute",
      `write it relative to the repository root: \`${pattern.replace(/^\/+/, "")}\``,
    );
  if (/[(){}|]/.test(pattern)) {
    // picomatch passes these to the regex it builds, so `x{1,3}` or `(a|b)` would not mean what they say.
    return bad(
      "scope.unsupported-syntax",
      "uses `(`, `)`, `{`, `}` or `|`; brace expansion and extglobs are not supported",
      "list each alternative as its own pattern, or use `?` for a literal parenthesis in a file name",
    );
  }
  const segments = pattern.replace(/\/$/, "").split("/");
  if (segments.includes(".."))
    return bad(
      "scope.parent-segment",
      "contains a `..` segment",
      "write the path from the repository root without `..`",
    );
  if (segments.includes("."))
    return bad(
      "scope.dot-segment",
      "contains a `.` segment",
      `drop the \`./\`: \`${segments.filter((s) => s !== ".").join("/")}${pattern.endsWith("/") ? "/" : ""}\``,
    );
  if (segments.includes("")) return bad("scope.empty-segment", "contains `//`", "use a single `/` between folders");
  return undefined;
}
