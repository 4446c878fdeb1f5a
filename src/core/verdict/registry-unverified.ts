/**
 * The one answer every criterion that needs the gate registry gives when the registry does not
 * parse or is missing: not verified (❔), never the author's fault, in one wording.
 */
import { CONFIG_PATH } from "../config/resolve.js";
import { problemLine } from "../render/problems.js";
import { rowOf } from "./row.js";
import type { CriterionResult, PullFacts, RegistrySource } from "./types.js";

function where(s: RegistrySource): string {
  switch (s.kind) {
    case "default-branch":
      return `\`${s.path}\` on \`${s.branch}\``;
    case "file":
      return `\`${s.path}\``;
  }
}

function fix(s: RegistrySource, missing: boolean): string {
  switch (s.kind) {
    case "default-branch":
      // The bot never reads the registry from the PR, so the PR cannot fix it.
      return missing
        ? `a maintainer adds \`${s.path}\` to \`${s.branch}\` (or sets \`registry.path\` in \`${CONFIG_PATH}\`)`
        : `a maintainer fixes \`${s.path}\` on \`${s.branch}\``;
    case "file":
      return missing
        ? "run in the repository's root, or pass `--registry <gates.toml>`"
        : `fix \`${s.path}\` (\`merge-captain gates ${s.path}\` lists its errors)`;
  }
}

/**
 * The row for `criterion` when `!f.registry.ok`. Only the first row that needs the registry
 * (`withErrors`) lists the registry's errors, so they are shown once.
 */
export function registryUnverified(
  criterion: Pick<CriterionResult, "id" | "title">,
  f: PullFacts,
  opts: { withErrors?: boolean } = {},
): CriterionResult {
  const errors = f.registry.ok ? [] : f.registry.errors;
  const missing = errors.some((e) => e.code === "registry.missing");
  return rowOf(criterion)(
    "unverified",
    `the gate registry ${where(f.registrySource)} is ${missing ? "missing" : "invalid"}, so this could not be checked`,
    { details: opts.withErrors === true ? errors.map(problemLine) : [], fix: fix(f.registrySource, missing) },
  );
}
