/**
 * The repository's policy floor (`policy:` in the config on the default branch), which no
 * contract can loosen: protected paths a PR may change only when its accepted contract names
 * them, gates every contract or every change under a path requires, and size limits.
 */
import type { ResolvedConfig } from "../config/defaults.js";
import { CONFIG_PATH } from "../config/resolve.js";
import { compilePathPattern, literalPrefix, WorkBudget, type PathPattern, type ScopeInput } from "../scope/match.js";
import type { ChangedFile } from "../scope/check.js";
import type { Contract } from "../schemas/contract.generated.js";

export interface PathGate {
  paths: readonly string[];
  gates: readonly string[];
}

/** The floor as plain data (the criteria compile what they need). */
export interface Floor {
  /** The config's list (or the defaults) plus the paths that are always protected. */
  protectedPaths: readonly string[];
  requiredGates: readonly string[];
  pathGates: readonly PathGate[];
  /** 0: no limit. */
  maxFiles: number;
  maxChangedLines: number;
}

/** The floor a config implies. The registry, the bot's config and the Tier-B workflow are protected whatever the list says. */
export function floorOf(config: ResolvedConfig): Floor {
  const always = [config.registry.path, CONFIG_PATH, `.github/workflows/${config.tier_b.workflow}`];
  return {
    protectedPaths: [...new Set([...config.policy.protected_paths, ...always])],
    requiredGates: [...config.policy.required_gates],
    pathGates: config.policy.path_gates.map((g) => ({ paths: [...g.paths], gates: [...g.gates] })),
    maxFiles: config.policy.max_files,
    maxChangedLines: config.policy.max_changed_lines,
  };
}

/** A floor that adds nothing (the CLI without a config, and tests that are not about the floor). */
export const NO_FLOOR: Floor = Object.freeze({
  protectedPaths: [],
  requiredGates: [],
  pathGates: [],
  maxFiles: 0,
  maxChangedLines: 0,
});

/** Every path a change touches: both sides of a rename. */
export function touchedPaths(files: readonly ChangedFile[]): string[] {
  return files.flatMap((f) =>
    f.status === "renamed" && f.previous_filename !== undefined && f.previous_filename !== f.path
      ? [f.previous_filename, f.path]
      : [f.path],
  );
}

/** Patterns that failed to compile were reported when the config was read; here they simply match nothing. */
function compileAll(patterns: readonly string[]): PathPattern[] {
  return patterns.flatMap((p) => {
    const c = compilePathPattern(p, "");
    return c.ok ? [c.value] : [];
  });
}

export interface RequiredGate {
  id: string;
  /**
   * `contract`, `floor` (every contract), the path pattern that brought it in, or `undecided`: the
   * matching work budget ran out before the path rules were decided, so every path rule's gates count.
   */
  from: "contract" | "floor" | { path: string } | "undecided";
}

/**
 * The contract's gates plus the floor's: `required_gates`, and `path_gates` whose paths the PR
 * touches. Paths are the author's and patterns can be costly: when `budget` runs out, every path
 * rule's gates are required (more gates, never fewer).
 */
export function requiredGates(
  contract: Contract,
  floor: Floor,
  files: readonly ChangedFile[] | undefined,
  budget: WorkBudget = new WorkBudget(),
): RequiredGate[] {
  const out: RequiredGate[] = contract.gates.required.map((id) => ({ id, from: "contract" }));
  const add = (id: string, from: RequiredGate["from"]): void => {
    if (!out.some((g) => g.id === id)) out.push({ id, from });
  };
  for (const id of floor.requiredGates) add(id, "floor");
  const paths = files ? touchedPaths(files) : [];
  for (const rule of floor.pathGates) {
    const patterns = compileAll(rule.paths);
    const hit = patterns.find((p) => paths.some((path) => !budget.exceeded && p.test(path, budget)));
    if (budget.exceeded) {
      for (const id of floor.pathGates.flatMap((g) => g.gates)) add(id, "undecided");
      break;
    }
    if (hit) for (const id of rule.gates) add(id, { path: hit.pattern });
  }
  return out;
}

/** The contract with the floor's gates merged into `gates.required`: what the Tier-A and Tier-B rows check. */
export function withFloorGates(contract: Contract, floor: Floor, files: readonly ChangedFile[] | undefined): Contract {
  const ids = requiredGates(contract, floor, files).map((g) => g.id);
  if (ids.length === contract.gates.required.length) return contract;
  return { ...contract, gates: { ...contract.gates, required: ids } };
}

/**
 * What a protected pattern spells out: `.github/` for `.github/**`, the whole path for a file
 * (`configs/gates/gates.toml`), nothing for a pattern that starts with a wildcard (a lockfile at any depth).
 */
function protectedBase(pattern: string): string {
  const literal = literalPrefix(pattern);
  if (literal === pattern) return pattern;
  return literal.slice(0, literal.lastIndexOf("/") + 1);
}

/**
 * Does the allow pattern name the protected file, under this protected pattern? It must match the
 * file AND spell the protected part out: its literal part reaches into the protected folder or
 * file (`.github/workflows/**` names `.github/**`; `**`, `*` and `.git*` never do), or, for
 * a protected pattern that starts with a wildcard, its last segment is the file's literal name.
 */
export function namesProtected(
  allow: PathPattern,
  protectedPattern: string,
  path: string,
  budget: WorkBudget = new WorkBudget(),
): boolean {
  if (!allow.test(path, budget)) return false;
  const base = protectedBase(protectedPattern);
  if (base !== "") return allow.literal.startsWith(base);
  const last = allow.pattern.replace(/\/$/, "").split("/").at(-1) ?? "";
  return last !== "" && literalPrefix(last) === last && path.split("/").at(-1) === last;
}

export interface ProtectedChange {
  path: string;
  /** The protected patterns it matches. */
  patterns: string[];
  /** The allow pattern that names it under every one of them, if any. */
  namedBy?: string;
}

export interface ProtectedCheck {
  /** Sorted by path. Empty when `overBudget` is set: then nothing was decided. */
  changes: ProtectedChange[];
  /** The matching work budget ran out (hostile paths or patterns): the check is no answer, and the row is not verified. */
  overBudget?: { limit: number; files: number };
}

/** The changed paths that are protected, and whether the contract's scope names each (deny is the scope row's business). */
export function protectedChanges(
  files: readonly ChangedFile[],
  floor: Floor,
  scope: ScopeInput | undefined,
  budget: WorkBudget = new WorkBudget(),
): ProtectedCheck {
  const protectedPatterns = compileAll(floor.protectedPaths);
  const allow = compileAll(scope?.allow ?? []);
  const changes: ProtectedChange[] = [];
  for (const path of [...new Set(touchedPaths(files))].sort()) {
    if (budget.exceeded) break;
    const patterns = protectedPatterns.filter((p) => p.test(path, budget)).map((p) => p.pattern);
    if (patterns.length === 0) continue;
    const namedBy = allow.find((a) => patterns.every((q) => namesProtected(a, q, path, budget)))?.pattern;
    changes.push(namedBy === undefined ? { path, patterns } : { path, patterns, namedBy });
  }
  if (budget.exceeded) return { changes: [], overBudget: { limit: budget.limit, files: files.length } };
  return { changes };
}

export interface SizeLimit {
  limit: number;
  /** Who set the limit that applies: the contract (at or under the floor) or the floor. */
  from: "contract" | "floor";
}

/** The limits that apply: the contract's, bounded by the floor's (the lower wins); undefined when neither sets one. */
export function sizeLimits(contract: Contract | undefined, floor: Floor): { files?: SizeLimit; lines?: SizeLimit } {
  const pick = (mine: number | undefined, theirs: number): SizeLimit | undefined => {
    if (mine !== undefined && (theirs === 0 || mine <= theirs)) return { limit: mine, from: "contract" };
    return theirs > 0 ? { limit: theirs, from: "floor" } : undefined;
  };
  const files = pick(contract?.scope.max_files, floor.maxFiles);
  const lines = pick(contract?.scope.max_changed_lines, floor.maxChangedLines);
  return { ...(files ? { files } : {}), ...(lines ? { lines } : {}) };
}

/** Gate ids the floor requires that the registry does not define: a setup problem, never silently dropped. */
export function unknownFloorGates(floor: Floor, known: (id: string) => boolean): string[] {
  const ids = [...floor.requiredGates, ...floor.pathGates.flatMap((g) => g.gates)];
  return [...new Set(ids)].filter((id) => !known(id));
}

/**
 * The protected patterns a contract's allow list names, judged without files (for the issue's
 * sticky comment, so whoever accepts the contract sees what it opens).
 */
export function protectedPatternsNamed(allow: readonly string[], floor: Floor): string[] {
  return floor.protectedPaths.filter((q) => {
    const base = protectedBase(q);
    const qLast = q.split("/").at(-1) ?? "";
    return allow.some((p) => {
      if (base !== "") return literalPrefix(p).startsWith(base);
      const last = p.replace(/\/$/, "").split("/").at(-1) ?? "";
      return last !== "" && literalPrefix(last) === last && literalPrefix(qLast) === qLast && last === qLast;
    });
  });
}
