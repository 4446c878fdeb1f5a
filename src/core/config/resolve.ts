/** Validate the raw `.github/merge-captain.yml` value and fill every missing key from the defaults. */
import type { Registry } from "../gates/registry.js";
import { fail, ok, pointer, problem, show, type Problem, type Result } from "../problem.js";
import { compilePathPattern } from "../scope/match.js";
import { repoConfigSchema, type RepoConfig } from "../schemas/config.generated.js";
import { validateAgainst } from "../schemas/validate.js";
import { DEFAULT_CONFIG, type ResolvedConfig } from "./defaults.js";

export type { ResolvedConfig } from "./defaults.js";

export const CONFIG_PATH = ".github/merge-captain.yml";

/**
 * `raw` is the parsed file as Probot's `context.config` returns it when called WITHOUT defaults
 * (with defaults it concatenates arrays, so a repo could never shorten a default list); null or
 * undefined means there is no file. An invalid file is an error, never silently defaulted.
 */
export function resolveConfig(raw: unknown): Result<ResolvedConfig> {
  if (raw === null || raw === undefined) return ok(DEFAULT_CONFIG);
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return fail(
      problem(
        "config.type",
        "",
        `${CONFIG_PATH} must be a mapping of sections such as \`contract:\` and \`tier_b:\`, but it is ${show(raw)}`,
        "start from the example in configs/, or delete the file to use the defaults",
      ),
    );
  }
  const errors = validateAgainst(repoConfigSchema, raw);
  if (errors.length > 0) return fail(...errors.map(inConfigTerms));
  const config = raw as RepoConfig;
  const globErrors = policyGlobProblems(config);
  if (globErrors.length > 0) return fail(...globErrors);
  // Spread per section: a repo that sets one key keeps the defaults of its siblings.
  return ok(
    Object.freeze({
      contract: Object.freeze({ ...DEFAULT_CONFIG.contract, ...config.contract }),
      attestation: Object.freeze({ ...DEFAULT_CONFIG.attestation, ...config.attestation }),
      registry: Object.freeze({ ...DEFAULT_CONFIG.registry, ...config.registry }),
      labels: Object.freeze({ ...DEFAULT_CONFIG.labels, ...config.labels }),
      tier_b: Object.freeze({ ...DEFAULT_CONFIG.tier_b, ...config.tier_b }),
      policy: Object.freeze({ ...DEFAULT_CONFIG.policy, ...config.policy }),
      experiment: Object.freeze({ ...DEFAULT_CONFIG.experiment, ...config.experiment }),
      public_safety: Object.freeze({ ...DEFAULT_CONFIG.public_safety, ...config.public_safety }),
      merge_plan: config.merge_plan ?? DEFAULT_CONFIG.merge_plan,
      merge_queue: Object.freeze({ ...DEFAULT_CONFIG.merge_queue, ...config.merge_queue }),
    }),
  );
}

/** The file exists but Probot could not read or parse it; `why` is the first line of its error. */
export function configUnreadable(why: string): Result<ResolvedConfig> {
  return fail(
    problem(
      "config.unreadable",
      "",
      `${CONFIG_PATH} could not be read: ${why}`,
      "fix the YAML syntax of the file on the default branch",
    ),
  );
}

/** The registry is not on the default branch: an error, never an empty registry. */
export function registryMissing(path: string, branch: string): Result<Registry> {
  return fail(
    problem(
      "registry.missing",
      "",
      `the gate registry ${path} does not exist on ${branch}`,
      `add it, or set \`registry.path\` in ${CONFIG_PATH}`,
    ),
  );
}

/** Schema messages say "the block"; here the block is the config file. */
function inConfigTerms(p: Problem): Problem {
  return {
    ...p,
    message: p.message
      .replace(/^the block\b/, CONFIG_PATH)
      .replace(/ in the block$/, ` at the top level of ${CONFIG_PATH}`),
  };
}

/** The policy's globs follow the same rules as a contract's scope; each bad one is named with its place in the file. */
function policyGlobProblems(config: RepoConfig): Problem[] {
  const problems: Problem[] = [];
  const check = (pattern: string, at: string): void => {
    const compiled = compilePathPattern(pattern, at);
    if (!compiled.ok) problems.push(...compiled.errors.map((e) => ({ ...e, message: `${CONFIG_PATH}: ${e.message}` })));
  };
  (config.policy?.protected_paths ?? []).forEach((p, i) => check(p, pointer("policy", "protected_paths", i)));
  (config.policy?.path_gates ?? []).forEach((g, i) =>
    g.paths.forEach((p, j) => check(p, pointer("policy", "path_gates", i, "paths", j))),
  );
  return problems;
}
