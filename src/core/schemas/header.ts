/**
 * Blocks whose top-level header key a repo may rename (`nmoe:` in a contract, `nmoe_pr:` in an
 * attestation): the author's key is renamed to the schema's before validation, and problems are
 * mapped back to the key the author wrote.
 */
import { pointer, problem, type Problem } from "../problem.js";
import { didYouMean } from "../text/closest.js";

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export interface HeaderNames {
  /** The key this repository uses (from its config). */
  author: string;
  /** The key the JSON Schema knows. */
  schema: string;
}

/**
 * The value with the author's header renamed to the schema's. A block that uses the schema's key
 * where the repo uses another gets `misplaced(key)` as an error instead of a silent pass.
 */
export function renameHeader(
  value: Record<string, unknown>,
  names: HeaderNames,
  misplaced: (key: string) => Problem,
): { candidate: Record<string, unknown>; errors: Problem[] } {
  if (names.author === names.schema) return { candidate: value, errors: [] };
  const candidate: Record<string, unknown> = {};
  const errors: Problem[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === names.author) candidate[names.schema] = v;
    else if (key === names.schema) errors.push(misplaced(key));
    else candidate[key] = v;
  }
  return { candidate, errors };
}

/** A schema problem in the author's terms: paths, messages and hints name the author's header key. */
export function inAuthorHeader(p: Problem, names: HeaderNames, topLevelKeys: readonly string[]): Problem {
  if (names.author === names.schema) return p;
  const prefix = "/" + names.schema;
  const path =
    p.path === prefix || p.path.startsWith(prefix + "/") ? pointer(names.author) + p.path.slice(prefix.length) : p.path;
  const rename = (s: string): string =>
    s.replace(new RegExp("`" + names.schema + "(?=[.`:])", "g"), "`" + names.author);
  let hint = p.hint === undefined ? undefined : rename(p.hint);
  // Top-level typo suggestions were computed against the schema's key; recompute them against the author's.
  if (p.code === "schema.unknown-key" && path.split("/").length === 2) {
    const known = topLevelKeys.map((k) => (k === names.schema ? names.author : k));
    const key = path.slice(1).replace(/~1/g, "/").replace(/~0/g, "~");
    hint = didYouMean(key, known) ?? `known keys here: ${known.map((k) => "`" + k + "`").join(", ")}`;
  }
  return problem(p.code, path, rename(p.message), hint);
}
