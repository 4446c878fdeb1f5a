/** The repo config every key falls back to: the one place defaults live. */
import type { RepoConfig } from "../schemas/config.generated.js";

/** One config section with every key present; lists read-only so shared defaults cannot be mutated. */
type ResolvedSection<T> = {
  readonly [K in keyof T]-?: NonNullable<T[K]> extends Array<infer E> ? readonly E[] : NonNullable<T[K]>;
};

/** A top-level key is a section (an object) or a plain value such as `merge_plan: true`. */
type Resolved<T> = T extends object ? ResolvedSection<T> : T;

/** A repo config with every section and key filled in. */
export type ResolvedConfig = { readonly [S in keyof RepoConfig]-?: Resolved<NonNullable<RepoConfig[S]>> };

/**
 * Paths no lazy glob may open: what steers CI and the bot (`.github/`), what steers coding agents
 * (their instruction files), who must review (CODEOWNERS) and what pins dependencies (lockfiles).
 * A repo's own `policy.protected_paths` replaces this list; the registry, the bot's config and the
 * Tier-B workflow are protected whatever it says (see `floorOf`).
 */
export const DEFAULT_PROTECTED_PATHS: readonly string[] = Object.freeze([
  ".github/**",
  ".github/copilot-instructions.md",
  "**/AGENTS.md",
  "**/CLAUDE.md",
  "**/GEMINI.md",
  ".cursorrules",
  ".cursor/**",
  ".claude/**",
  "CODEOWNERS",
  "docs/CODEOWNERS",
  "**/package-lock.json",
  "**/npm-shrinkwrap.json",
  "**/yarn.lock",
  "**/pnpm-lock.yaml",
  "**/bun.lock",
  "**/bun.lockb",
  "**/Cargo.lock",
  "**/go.sum",
  "**/poetry.lock",
  "**/uv.lock",
  "**/Pipfile.lock",
  "**/pdm.lock",
  "**/Gemfile.lock",
  "**/composer.lock",
  "**/flake.lock",
]);

/** Defaults match the nmoe repository's files, so it needs no config file at all. */
export const DEFAULT_CONFIG: ResolvedConfig = Object.freeze({
  contract: Object.freeze({ heading: "Agent Contract (YAML, required)", header_key: "nmoe", all_issues: false }),
  attestation: Object.freeze({ heading: "PR Attestation", header_key: "nmoe_pr" }),
  registry: Object.freeze({ path: "configs/gates/gates.toml" }),
  labels: Object.freeze({
    contract_valid: "contract: valid",
    contract_invalid: "contract: invalid",
    public_safety: "public-safety",
    contract_unaccepted: "contract: needs acceptance",
  }),
  tier_b: Object.freeze({
    workflow: "tier-b.yml",
    artifact: "tier-b-results",
    allow_draft: false,
    require_valid_contract: true,
    require_scope: true,
    users: Object.freeze([]),
    teams: Object.freeze([]),
  }),
  policy: Object.freeze({
    protected_paths: DEFAULT_PROTECTED_PATHS,
    required_gates: Object.freeze([]),
    path_gates: Object.freeze([]),
    // 0: no limit (what a repo writes is at least 1).
    max_files: 0,
    max_changed_lines: 0,
    trusted_bots: Object.freeze([]),
  }),
  experiment: Object.freeze({
    // Off unless asked for: only `kind: experiment` contracts are experiment issues by default, so
    // nmoe's research notes (titled "[RESEARCH] ") get no reminders until a repo sets the prefix.
    title_prefix: "",
    sections: Object.freeze(["TL;DR", "Scope", "Decision log", "Negative results index", "Current baseline"]),
    logbook: ".agents/logbooks/{slug}.md",
    claim_sections: Object.freeze(["TL;DR", "Decision log", "Negative results index", "Current baseline"]),
    confidence_labels: Object.freeze(["exploratory", "replicated", "stable"]),
    cadence_hours: 6,
    updates_from: "owners",
    label: "experiment",
    stale_label: "experiment: stale",
  }),
  public_safety: Object.freeze({
    internal_domains: Object.freeze([]),
    internal_hosts: Object.freeze([]),
    minimize_leaks: false,
  }),
  merge_plan: false,
  merge_queue: Object.freeze({ tier_b: "trust_pr_heads" }),
});
