/** The opening of every handler: the per-event RepoClient from a Probot context, with the repo's config applied. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Problem, Result } from "../core/problem.js";
import type { ReconcilerSettings } from "../core/reconcile/settings.js";
import type { RepoClient } from "./client.js";
import { loadConfig, loadRepoConfig } from "./settings.js";

export interface AppOptions {
  /** Our GitHub App's id (from APP_ID): how we recognise our own comments and check runs. */
  appId: number;
  /** Set by the server: the reconciler runs at start-up and periodically with these (tests leave it off). */
  reconciler?: ReconcilerSettings;
}

interface RepoPayload {
  repository: { name: string; owner: { login: string }; default_branch: string };
}

export function repoClient(context: Context, app: AppOptions): RepoClient {
  const { repository } = context.payload as unknown as RepoPayload;
  return {
    octokit: context.octokit,
    owner: repository.owner.login,
    repo: repository.name,
    defaultBranch: repository.default_branch,
    appId: app.appId,
    sanitize: {},
  };
}

/** Once the config is known, the sanitizer also learns the repo's internal domains and hosts. */
export function withConfig(client: RepoClient, config: ResolvedConfig): RepoClient {
  return {
    ...client,
    sanitize: {
      internalDomains: config.public_safety.internal_domains,
      internalHosts: config.public_safety.internal_hosts,
    },
  };
}

/** The client and the config, or the config's problems with the bare client to report them through. */
export type ConfiguredRepo =
  { ok: true; client: RepoClient; config: ResolvedConfig } | { ok: false; client: RepoClient; errors: Problem[] };

/** Client → config (default branch) → the client that sanitizes with the config's internal domains. */
export async function configuredRepo(context: Context, app: AppOptions): Promise<ConfiguredRepo> {
  return configured(repoClient(context, app), await loadConfig(context));
}

/** The same opening for work outside a webhook (the reconciler, the heartbeat): from an installation's client. */
export async function configuredClient(base: RepoClient): Promise<ConfiguredRepo> {
  return configured(base, await loadRepoConfig(base));
}

function configured(base: RepoClient, cfg: Result<ResolvedConfig>): ConfiguredRepo {
  return cfg.ok
    ? { ok: true, client: withConfig(base, cfg.value), config: cfg.value }
    : { ok: false, client: base, errors: cfg.errors };
}
