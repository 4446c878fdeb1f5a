/** Compile a contract's scope globs safely, once, into a matcher that says whether a path is in scope and why not. */
import { fail, ok, pointer, problem, show, type Problem, type Result } from "../problem.js";
import { compileGlob, pathSegments, WorkBudget, type Glob } from "./glob.js";

export { DEFAULT_MATCH_BUDGET, WorkBudget } from "./glob.js";

/** Patterns come from contributors: both caps bound the work one contract can ask of the matcher. */
export const MAX_PATTERNS_PER_LIST = 200;
export const MAX_PATTERN_LENGTH = 256;

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
  /**
   * The matching work this matcher may still do, shared by all its decisions. Once it is
   * `exceeded`, decisions are no longer reliable: the caller reports "not verified".
   */
  readonly budget: WorkBudget;
}

export interface ScopeOptions {
  /** Shared work budget (one per evaluation); a fresh default budget when absent. */
  budget?: WorkBudget;
}

interface CompiledPattern {
  pattern: string;
  glob: Glob;
}

/** Compile both lists; every bad pattern is reported, not only the first. */
export function compileScope(scope: ScopeInput, opts: ScopeOptions = {}): Result<ScopeMatcher> {
  const errors: Problem[] = [];
  const allow = compileList(scope.allow, "allow", errors);
  const deny = compileList(scope.deny ?? [], "deny", errors);
  if (errors.length > 0) return fail(...errors);
  const budget = opts.budget ?? new WorkBudget();
  const denyIndex = new PatternIndex(deny);
  const allowIndex = new PatternIndex(allow);
  const decide = (path: string): ScopeDecision => {
    const segments = pathSegments(path);
    const denied = denyIndex.first(path, segments, budget);
    if (denied) return { inScope: false, reason: "denied", pattern: denied.pattern };
    const allowed = allowIndex.first(path, segments, budget);
    if (allowed) return { inScope: true, pattern: allowed.pattern };
    return { inScope: false, reason: "not-allowed" };
  };
  return ok({ allow: [...scope.allow], deny: [...(scope.deny ?? [])], decide, budget });
}

/**
 * Patterns by their first folder name, so a path is tested only against the patterns that can
 * match it: `pkg7/**` never looks at `pkg8/x`. Those starting with a wildcard are tried on every
 * path. The first match in contract order is the answer, as if every pattern had been tried.
 */
class PatternIndex {
  private readonly byFirst = new Map<string, Array<{ order: number; p: CompiledPattern }>>();
  private readonly wild: Array<{ order: number; p: CompiledPattern }> = [];

  constructor(patterns: readonly CompiledPattern[]) {
    patterns.forEach((p, order) => {
      const first = p.glob.source.split("/", 1)[0]!;
      // A path equal to the whole pattern text matches too (picomatch's rule), so index by that as well.
      if (/[*?[]/.test(first)) this.wild.push({ order, p });
      else this.byFirst.set(first, [...(this.byFirst.get(first) ?? []), { order, p }]);
    });
  }

  first(path: string, segments: readonly string[], budget: WorkBudget): CompiledPattern | undefined {
    let best: { order: number; p: CompiledPattern } | undefined;
    for (const list of [this.byFirst.get(segments[0] ?? "") ?? [], this.wild]) {
      for (const c of list) {
        if (best !== undefined && c.order > best.order) break;
        if (c.p.glob.test(path, budget, segments)) {
          best = c;
          break;
        }
      }
    }
    return best?.p;
  }
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
  const out: CompiledPattern[] = [];
  patterns.forEach((pattern, i) => {
    const at = pointer("scope", list, i);
    const bad = patternProblem(pattern, at, list);
    if (bad) {
      errors.push(bad);
      return;
    }
    out.push({ pattern, glob: compilePattern(pattern) });
  });
  return out;
}

function compilePattern(pattern: string): Glob {
  // `dir/` covers everything below dir; `dir/**/*` (unlike `dir/**`) does not match a file named `dir`.
  return compileGlob(pattern.endsWith("/") ? pattern + "**/*" : pattern);
}

/** One glob compiled with the rules scope patterns follow, e.g. for the repository policy's paths. */
export interface PathPattern {
  readonly pattern: string;
  /** What the pattern spells out before its first wildcard (`.github/workflows/` for `.github/workflows/*.yml`). */
  readonly literal: string;
  /** Whether `path` matches, its work counted against `budget` (an answer is unreliable once the budget is `exceeded`). */
  test(path: string, budget: WorkBudget): boolean;
}

/** The characters of a pattern before its first `*`, `?` or `[` (all of it when it has none). */
export function literalPrefix(pattern: string): string {
  const at = pattern.search(/[*?[]/);
  return at < 0 ? pattern : pattern.slice(0, at);
}

/** Compile one pattern checked as scope patterns are; `at` is the field's JSON pointer for the error. */
export function compilePathPattern(pattern: string, at: string): Result<PathPattern> {
  const bad = patternProblem(pattern, at, "path");
  if (bad) return fail(bad);
  const glob = compilePattern(pattern);
  return ok({ pattern, literal: literalPrefix(pattern), test: (path, budget) => glob.test(path, budget) });
}

/** `path`: a pattern outside a contract's scope lists (the repository policy's). */
type PatternList = "allow" | "deny" | "path";

/** Reject what is not a plain path glob (or what other glob dialects read differently), with the fix in the author's terms. */
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
    // Other glob dialects read these as alternatives or repetition; here they would silently be literal.
    return bad(
      "scope.unsupported-syntax",
      "uses `(`, `)`, `{`, `}` or `|`; brace expansion and extglobs are not supported",
      "list each alternative as its own pattern, or use `?` for a literal parenthesis in a file name",
    );
  }
  if (pattern.includes("***"))
    return bad(
      "scope.triple-star",
      "contains `***`",
      "use `*` for any name inside one folder, or `**` as a whole folder name for any depth",
    );
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
  return classProblem(pattern, bad);
}

/** Character classes that other glob dialects read differently are refused rather than guessed at. */
function classProblem(pattern: string, bad: (code: string, why: string, hint: string) => Problem): Problem | undefined {
  for (let open = pattern.indexOf("["); open !== -1; open = pattern.indexOf("[", open + 1)) {
    let i = open + 1;
    if (pattern[i] === "^" || pattern[i] === "!") i++;
    // A `]` right after the opening is a member; the class ends at the next one.
    const close = pattern.indexOf("]", i + 1);
    if (close === -1) return undefined; // never closed: the rest is literal
    const body = pattern.slice(open + 1, close);
    const fix = "write classes like `[abc]`, `[a-z]` or `[^a]` inside one folder name";
    if (body.startsWith("]") || body.startsWith("^]"))
      return bad("scope.class-bracket", "starts a `[…]` class with `]`, which glob dialects read differently", fix);
    if (body.startsWith("!"))
      return bad("scope.class-negation", `uses \`[!…]\``, `write \`[^${body.slice(1)}]\` to exclude characters`);
    if (body.includes("/")) return bad("scope.class-slash", "has a `/` inside `[…]`", fix);
    if (body.includes("[:")) return bad("scope.class-posix", "uses a POSIX class such as `[:alpha:]`", fix);
    // Ranges are read as the matcher reads them: `x-y` where `y` is not the closing `]`.
    const members = body.startsWith("^") ? body.slice(1) : body;
    for (let j = 0; j < members.length; j++) {
      if (members[j + 1] !== "-" || j + 2 >= members.length) continue;
      if (members.charCodeAt(j) > members.charCodeAt(j + 2))
        return bad("scope.class-range", `has the backwards range \`${members.slice(j, j + 3)}\``, fix);
      j += 2;
    }
    open = close;
  }
  return undefined;
}
