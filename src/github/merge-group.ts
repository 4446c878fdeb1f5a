/** Read a merge group from GitHub: the commits it adds to its base branch (the compare API), paginated and bounded. */
import type { GroupCommit } from "../core/queue/members.js";
import type { RepoClient } from "./client.js";

/** 3 pages of 100: a group with more commits is "cannot tell", never guessed. */
export const MAX_COMPARE_PAGES = 3;

/**
 * The commits on `headSha` that `baseBranch` does not have (three-dot compare), oldest first.
 * `truncated` when GitHub has more than we read.
 */
export async function groupCommits(
  client: RepoClient,
  baseBranch: string,
  headSha: string,
): Promise<{ commits: GroupCommit[]; truncated: boolean }> {
  const commits: GroupCommit[] = [];
  for (let page = 1; page <= MAX_COMPARE_PAGES; page++) {
    const res = await client.octokit.rest.repos.compareCommitsWithBasehead({
      owner: client.owner,
      repo: client.repo,
      basehead: `${baseBranch}...${headSha}`,
      per_page: 100,
      page,
    });
    for (const c of res.data.commits)
      commits.push({ sha: c.sha, message: c.commit.message, parents: c.parents.map((p) => p.sha) });
    if (commits.length >= res.data.total_commits || res.data.commits.length < 100)
      return { commits, truncated: commits.length < res.data.total_commits };
  }
  return { commits, truncated: true };
}
