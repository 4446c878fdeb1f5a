/** The opening of every handler: the per-event RepoClient from a Probot context, with the repo's config applied. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Problem, Result } from "../core/problem.js";
import type { LedgerKey } from "../core/ledger/codec.js";
import type { ReconcilerSettings } from "../core/reconcile/settings.js";
import type { RepoClient } from "./client.js";
import { loadConfig, loadRepoConfig } from "./settings.js";

export interface AppOptions {
  /** Our GitHub App's id (from APP_ID): how we recognise our own comments and check runs. */
  appId: number;
  /** Our App's bot account, `<slug>[bot]` (APP_SLUG, or `GET /app` at start-up): its events are skipped, and runs count only when it started them. */
  botLogin: string;
  /** The key ledgers are sealed with: from LEDGER_KEY, else derived from WEBHOOK_SECRET (src/server.ts). */
  ledgerKey: LedgerKey;
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
    botLogin: app.botLogin,
    ledgerKey: app.ledgerKey,
    sanitize: {},
    permissionCache: new Map(),
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

/** Did our own App send this event? (Its comments, labels and check runs must never trigger it again.) */
export function sentByUs(context: Context, app: AppOptions): boolean {
  const sender = (context.payload as { sender?: { login?: string; type?: string } }).sender;
  return sender?.type === "Bot" && (sender.login ?? "").toLowerCase() === app.botLogin.toLowerCase();
}
