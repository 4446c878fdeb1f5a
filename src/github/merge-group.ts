/** Read a merge group from GitHub: the commits it adds to its base branch (the compare API, paginated and bounded) and the queue's live entry branches. */
import { parseQueueRef, type GroupCommit, type QueueEntryRef } from "../core/queue/members.js";
import type { RepoClient } from "./client.js";
import { isNotFound } from "./errors.js";

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

/** Queue entries beyond this are not read (GitHub's queues are far shorter). */
export const MAX_QUEUE_REFS = 500;

/** The queue's entry branches on `baseBranch` (one call): which commit is which PR's group head. */
export async function queueRefs(client: RepoClient, baseBranch: string): Promise<QueueEntryRef[]> {
  const res = await client.octokit.rest.git.listMatchingRefs({
    owner: client.owner,
    repo: client.repo,
    ref: `heads/gh-readonly-queue/${baseBranch}/`,
  });
  return res.data.slice(0, MAX_QUEUE_REFS).flatMap((r) => {
    const parsed = parseQueueRef(r.ref);
    return parsed && parsed.baseBranch === baseBranch ? [{ pr: parsed.lastPr, sha: r.object.sha }] : [];
  });
}

/** Where a queue branch points now, or undefined when it is gone (merged, dequeued, rebuilt). */
export async function branchSha(client: RepoClient, branch: string): Promise<string | undefined> {
  try {
    const res = await client.octokit.rest.git.getRef({
      owner: client.owner,
      repo: client.repo,
      ref: `heads/${branch}`,
    });
    return res.data.object.sha;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
