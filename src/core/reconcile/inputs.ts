/**
 * A verdict's inputs as one key: what the `merge-captain` check of a head was judged on (the
 * head, the PR body, the linked contract issue, the repo config and the registry). The check run
 * records the key it was written with; the reconciler computes it from lists it already read,
 * and a different key means the check is older than its inputs.
 */
import { createHash } from "node:crypto";
import type { ResolvedConfig } from "../config/defaults.js";
import type { Registry } from "../gates/registry.js";
import type { Result } from "../problem.js";

export interface VerdictInputs {
  headSha: string;
  body: string | null;
  draft: boolean;
  /** `settingsKey` of the config and registry read from the default branch. */
  settings: string;
  /** The linked contract issue and its body as listed among open issues; null when unlinked or not open. */
  contractIssue: { number: number; body: string | null } | null;
}

/** Maps serialize as their entries, so two registries with the same gates give the same key. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Map ? [...(v as Map<unknown, unknown>).entries()] : v,
  );
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The part of the key that changes when the config or the registry on the default branch does. */
export function settingsKey(config: ResolvedConfig, registry: Result<Registry>): string {
  return digest(canonical({ config, registry: registry.ok ? registry.value : { errors: registry.errors } }));
}

/** The key of every PR while the repository's config does not validate: it changes with the problems. */
export function invalidConfigKey(problems: readonly unknown[]): string {
  return `config-invalid:${digest(canonical(problems))}`;
}

export function verdictInputsKey(inputs: VerdictInputs): string {
  return digest(
    canonical([inputs.headSha, inputs.body ?? "", inputs.draft, inputs.settings, inputs.contractIssue ?? null]),
  );
}
