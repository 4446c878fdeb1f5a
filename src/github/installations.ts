/** Every repository the App is installed on, as a RepoClient each: for work no webhook starts (the heartbeat). */
import type { Octokit, RepoClient } from "./client.js";

/** Bounds per run: installations (pages of 100) and repositories per installation (pages of 100). */
export const MAX_INSTALLATION_PAGES = 10;
export const MAX_REPO_PAGES = 10;

/**
 * `auth()` is the App's own (JWT) Octokit, `auth(id)` an installation's — Probot's `probot.auth`.
 * Costs one call per page of installations, one token and one call per page of repositories per
 * installation. Archived repositories are skipped: nothing can be written there.
 */
export async function* installationRepos(
  auth: (installationId?: number) => Promise<Octokit>,
  appId: number,
): AsyncGenerator<RepoClient> {
  const app = await auth();
  let pages = 0;
  for await (const page of app.paginate.iterator(app.rest.apps.listInstallations, { per_page: 100 })) {
    for (const installation of page.data) {
      if (installation.suspended_at) continue;
      const octokit = await auth(installation.id);
      let repoPages = 0;
      for await (const repos of octokit.paginate.iterator(octokit.rest.apps.listReposAccessibleToInstallation, {
        per_page: 100,
      })) {
        for (const r of repos.data) {
          if (r.archived) continue;
          yield {
            octokit,
            owner: r.owner.login,
            repo: r.name,
            defaultBranch: r.default_branch,
            appId,
            sanitize: {},
          };
        }
        if (++repoPages >= MAX_REPO_PAGES) break;
      }
    }
    if (++pages >= MAX_INSTALLATION_PAGES) break;
  }
}
