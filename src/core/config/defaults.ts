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

/** Defaults match the nmoe repository's files, so it needs no config file at all. */
export const DEFAULT_CONFIG: ResolvedConfig = Object.freeze({
  contract: Object.freeze({ heading: "Agent Contract (YAML, required)", header_key: "nmoe", all_issues: false }),
  attestation: Object.freeze({ heading: "PR Attestation", header_key: "nmoe_pr" }),
  registry: Object.freeze({ path: "configs/gates/gates.toml" }),
  labels: Object.freeze({
    contract_valid: "contract: valid",
    contract_invalid: "contract: invalid",
    public_safety: "public-safety",
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
