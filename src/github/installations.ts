/**
 * The App's installations and each installation's repositories, for work no webhook starts (the
 * reconciler, the heartbeat), bounded like every other list.
 */
import type { Octokit, RepoClient } from "./client.js";
import type { AppOptions } from "./context.js";

/** Bounds per run: installations (pages of 100) and repositories per installation (pages of 100). */
export const MAX_INSTALLATION_PAGES = 10;
export const MAX_REPO_PAGES = 10;

export interface InstallationRef {
  id: number;
  suspended: boolean;
}

export interface RepositoryRef {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Archived or disabled repositories take no new checks or comments: work outside webhooks skips them. */
  active: boolean;
}

/** `GET /app/installations` with the App's JWT: one call per page. */
export async function listInstallations(app: Octokit): Promise<InstallationRef[]> {
  const out: InstallationRef[] = [];
  let pages = 0;
  for await (const page of app.paginate.iterator(app.rest.apps.listInstallations, { per_page: 100 })) {
    for (const i of page.data) out.push({ id: i.id, suspended: Boolean(i.suspended_at) });
    if (++pages >= MAX_INSTALLATION_PAGES) break;
  }
  return out;
}

/** `GET /installation/repositories` with an installation's token: one call per page. */
export async function listInstallationRepositories(octokit: Octokit): Promise<RepositoryRef[]> {
  const out: RepositoryRef[] = [];
  let pages = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.apps.listReposAccessibleToInstallation, {
    per_page: 100,
  })) {
    for (const r of page.data)
      out.push({
        owner: r.owner.login,
        repo: r.name,
        defaultBranch: r.default_branch,
        active: !r.archived && !r.disabled,
      });
    if (++pages >= MAX_REPO_PAGES) break;
  }
  return out;
}

/** The App's identity a RepoClient carries: how it knows its own writes and seals its ledgers. */
export type AppIdentity = Pick<AppOptions, "appId" | "botLogin" | "ledgerKey">;

/**
 * A RepoClient for one of an installation's repositories (sanitizer settings come with the repo's
 * config). Its permission cache lives as long as the client: one webhook-less run over the repository.
 */
export function installationClient(octokit: Octokit, app: AppIdentity, r: RepositoryRef): RepoClient {
  return {
    octokit,
    owner: r.owner,
    repo: r.repo,
    defaultBranch: r.defaultBranch,
    appId: app.appId,
    botLogin: app.botLogin,
    ledgerKey: app.ledgerKey,
    sanitize: {},
    permissionCache: new Map(),
  };
}

/**
 * Every active repository of every installation not suspended, as a RepoClient each. `auth()` is
 * the App's own (JWT) Octokit, `auth(id)` an installation's — Probot's `probot.auth`. Costs one
 * call per page of installations, one token and one call per page of repositories per installation.
 */
export async function* installationRepos(
  auth: (installationId?: number) => Promise<Octokit>,
  app: AppOptions,
): AsyncGenerator<RepoClient> {
  for (const installation of await listInstallations(await auth())) {
    if (installation.suspended) continue;
    const octokit = await auth(installation.id);
    for (const r of await listInstallationRepositories(octokit))
      if (r.active) yield installationClient(octokit, app, r);
  }
}
