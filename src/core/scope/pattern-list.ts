/**
 * A named list of path globs other than the scope (`read_only`, `artifacts_under`,
 * `scope.require`, `branch`), compiled through the scope matcher's own API so every list shares
 * its caps, its refusals and its matching — and its errors name the list the author wrote.
 */
import { problem, type Problem, type Result, fail, ok } from "../problem.js";
import { compileScope } from "./match.js";

export interface PatternList {
  readonly patterns: readonly string[];
  /** The first pattern that matches `path`, or undefined. */
  match(path: string): string | undefined;
}

/**
 * `field` is how the author wrote the list (`read_only`, `scope.require`); `at(i)` is the JSON
 * pointer of its i-th entry. Errors come from the scope matcher, re-addressed to this list.
 */
export function compilePatterns(
  field: string,
  patterns: readonly string[],
  at: (i: number) => string,
): Result<PatternList> {
  const compiled = compileScope({ allow: patterns });
  if (!compiled.ok) return fail(...compiled.errors.map((e) => readdress(e, field, at)));
  const matcher = compiled.value;
  return ok({
    patterns: [...patterns],
    match: (path) => {
      const d = matcher.decide(path);
      return d.inScope ? d.pattern : undefined;
    },
  });
}

/** Does the pattern contain glob syntax, or is it one literal path? */
export function isLiteralPath(pattern: string): boolean {
  return !/[*?[\]]/.test(pattern) && !pattern.endsWith("/");
}

function readdress(p: Problem, field: string, at: (i: number) => string): Problem {
  const index = /^\/scope\/allow\/(\d+)$/.exec(p.path);
  const message = p.message
    .replace(/^the allow pattern\b/, `the ${field} pattern`)
    .replace(/`scope\.allow`/g, `\`${field}\``);
  const path = index ? at(Number(index[1])) : at(0).replace(/\/0$/, "");
  // The scope's hint for `!x` points at scope.deny, which means nothing for this list.
  const hint = p.code === "scope.negation" ? "remove the `!`: list only the paths the rule applies to" : p.hint;
  return hint === undefined ? problem(p.code, path, message) : problem(p.code, path, message, hint);
}
