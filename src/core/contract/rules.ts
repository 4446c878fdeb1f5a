/**
 * The contract's branch and path rules — `branch`, `read_only`, `artifacts_under`,
 * `scope.require` — with `{id}` and `{slug}` filled in from the header and every glob compiled,
 * so a bad rule is a contract error the author sees on the issue, not a surprise on a PR.
 */
import { fail, ok, pointer, problem, show, type Problem, type Result } from "../problem.js";
import type { Contract, Header } from "../schemas/contract.generated.js";
import { compileScope } from "../scope/match.js";
import { compilePatterns, isLiteralPath, type PatternList } from "../scope/pattern-list.js";

/** One `scope.require` entry: as written, with its placeholders filled in, compiled on its own (each is reported on its own). */
export interface Companion {
  written: string;
  pattern: string;
  list: PatternList;
}

export interface PathRules {
  branch: PatternList | undefined;
  readOnly: PatternList | undefined;
  artifacts: PatternList | undefined;
  require: Companion[] | undefined;
}

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** `issue/{id}-{slug}` → `issue/03a-attention`; an unknown name or a missing slug is a problem at `at`. */
export function fillPlaceholders(text: string, header: Header, at: string): Result<string> {
  const errors: Problem[] = [];
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case "id":
        return header.issue;
      case "slug":
        if (header.slug !== undefined) return header.slug;
        errors.push(
          problem(
            "contract.missing-slug",
            at,
            `${show(text)} uses \`{slug}\`, but the header has no \`slug\``,
            "add `slug:` to the header, or write the name out",
          ),
        );
        return whole;
      default:
        errors.push(
          problem(
            "contract.unknown-placeholder",
            at,
            `${show(text)} uses the unknown placeholder \`{${name}}\``,
            "the placeholders are `{id}` (the issue id) and `{slug}` (the header's slug)",
          ),
        );
        return whole;
    }
  });
  if (errors.length > 0) return fail(...errors);
  if (/[{}]/.test(filled))
    return fail(
      problem(
        "contract.unbalanced-brace",
        at,
        `${show(text)} has a \`{\` or \`}\` that is not part of \`{id}\` or \`{slug}\``,
        "remove the stray brace",
      ),
    );
  return ok(filled);
}

function branchList(contract: Contract): string[] {
  const b = contract.branch;
  return b === undefined ? [] : typeof b === "string" ? [b] : [...b];
}

/** Fill and compile one list; `field` is its name as written, `at(i)` the pointer of entry i. */
function compileList(
  field: string,
  written: readonly string[],
  header: Header,
  at: (i: number) => string,
  errors: Problem[],
): { list: PatternList; filled: string[] } | undefined {
  if (written.length === 0) return undefined;
  const filled: string[] = [];
  let bad = false;
  written.forEach((w, i) => {
    const r = fillPlaceholders(w, header, at(i));
    if (r.ok) filled.push(r.value);
    else {
      errors.push(...r.errors);
      bad = true;
    }
  });
  if (bad) return undefined;
  const compiled = compilePatterns(field, filled, at);
  if (!compiled.ok) {
    errors.push(...compiled.errors);
    return undefined;
  }
  return { list: compiled.value, filled };
}

/** Every rule compiled, or every problem with them. */
export function compileRules(contract: Contract, headerKey = "nmoe"): Result<PathRules> {
  const errors: Problem[] = [];
  const h = contract.nmoe;
  const branches = branchList(contract);
  const branch = compileList(
    "branch",
    branches,
    h,
    (i) => (typeof contract.branch === "string" ? pointer("branch") : pointer("branch", i)),
    errors,
  );
  const readOnly = compileList("read_only", contract.read_only ?? [], h, (i) => pointer("read_only", i), errors);
  const artifacts = compileList(
    "artifacts_under",
    contract.artifacts_under ?? [],
    h,
    (i) => pointer("artifacts_under", i),
    errors,
  );
  const written = contract.scope.require ?? [];
  const require = compileList("scope.require", written, h, (i) => pointer("scope", "require", i), errors);
  if (require) errors.push(...companionsOutOfScope(contract, require.filled));
  const companions: Companion[] = [];
  require?.filled.forEach((pattern, i) => {
    const one = compilePatterns("scope.require", [pattern], () => pointer("scope", "require", i));
    if (one.ok) companions.push({ written: written[i]!, pattern, list: one.value });
  });
  const logbook = contract.experiment?.logbook;
  if (logbook !== undefined)
    compileList("experiment.logbook", [logbook], h, () => pointer("experiment", "logbook"), errors);
  if (contract.experiment !== undefined && h.kind !== "experiment")
    errors.push(
      problem(
        "contract.experiment-kind",
        pointer("experiment"),
        `the contract has an \`experiment\` section, but its kind is ${show(h.kind)}`,
        `set \`${headerKey}.kind: experiment\`, or remove the section`,
      ),
    );
  if (errors.length > 0) return fail(...errors);
  return ok({
    branch: branch?.list,
    readOnly: readOnly?.list,
    artifacts: artifacts?.list,
    require: require ? companions : undefined,
  });
}

/** A required companion the scope refuses could never be touched by a passing PR: say so now. */
function companionsOutOfScope(contract: Contract, filled: readonly string[]): Problem[] {
  const scope = compileScope(contract.scope);
  if (!scope.ok) return []; // the scope's own patterns are reported by the scope check
  return filled.flatMap((path, i) => {
    if (!isLiteralPath(path)) return [];
    const d = scope.value.decide(path);
    if (d.inScope) return [];
    return [
      problem(
        "contract.require-out-of-scope",
        pointer("scope", "require", i),
        d.reason === "denied"
          ? `the required file ${show(path)} is denied by \`${d.pattern}\`, so no PR could both touch it and stay in scope`
          : `the required file ${show(path)} is not allowed by any scope.allow pattern, so no PR could both touch it and stay in scope`,
        `add \`${path}\` to scope.allow`,
      ),
    ];
  });
}

const cache = new WeakMap<Contract, Result<PathRules>>();

/** `compileRules`, once per contract object (the verdict asks from several criteria). */
export function rulesOf(contract: Contract): Result<PathRules> {
  let r = cache.get(contract);
  if (!r) {
    r = compileRules(contract);
    cache.set(contract, r);
  }
  return r;
}
