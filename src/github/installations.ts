/** The App's installations and each installation's repositories, for the reconciler (bounded like every other list). */
import type { Octokit } from "./client.js";

/** At most this many pages (100 each) of installations, and of one installation's repositories, per run. */
export const MAX_INSTALLATION_PAGES = 10;

export interface InstallationRef {
  id: number;
  suspended: boolean;
}

export interface RepositoryRef {
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Archived or disabled repositories take no new checks; the reconciler skips them. */
  active: boolean;
}

/** `GET /app/installations` with the App's JWT. */
export async function listInstallations(app: Octokit): Promise<InstallationRef[]> {
  const out: InstallationRef[] = [];
  let pages = 0;
  for await (const page of app.paginate.iterator(app.rest.apps.listInstallations, { per_page: 100 })) {
    for (const i of page.data) out.push({ id: i.id, suspended: Boolean(i.suspended_at) });
    if (++pages >= MAX_INSTALLATION_PAGES) break;
  }
  return out;
}

/** `GET /installation/repositories` with an installation's token. */
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
    if (++pages >= MAX_INSTALLATION_PAGES) break;
  }
  return out;
}
