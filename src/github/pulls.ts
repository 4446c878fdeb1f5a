/** Read pull requests and issues: the PR, its changed files (fail closed at GitHub's 3000-file cap), open issues and PRs. */
import type { ChangedFile } from "../core/scope/check.js";
import type { FileFacts } from "../core/verdict/types.js";
import { type RepoClient } from "./client.js";
import { isNotFound } from "./errors.js";
import { labelNames } from "./labels.js";

/** GitHub lists at most this many files of a PR. */
export const MAX_LISTED_FILES = 3000;

export interface PullSnapshot {
  number: number;
  state: "open" | "closed";
  draft: boolean;
  merged: boolean;
  title: string;
  body: string | null;
  headSha: string;
  headRef: string;
  headRepoFullName: string | null;
  baseRef: string;
  changedFiles: number;
  /** Additions plus deletions; undefined when GitHub did not say (the PR list omits them). */
  changedLines: number | undefined;
  author: string;
  labels: string[];
}

export type FileList = FileFacts;

interface PullLike {
  number: number;
  state: string;
  draft?: boolean | undefined;
  merged?: boolean | null | undefined;
  merged_at?: string | null | undefined;
  title: string;
  body: string | null;
  head: { sha: string; ref: string; repo?: { full_name: string } | null };
  base: { ref: string };
  changed_files?: number | undefined;
  additions?: number | undefined;
  deletions?: number | undefined;
  user: { login: string } | null;
  labels?: Array<{ name?: string } | string> | undefined;
}

export function toSnapshot(p: PullLike): PullSnapshot {
  return {
    number: p.number,
    state: p.state === "open" ? "open" : "closed",
    draft: p.draft === true,
    merged: p.merged === true || Boolean(p.merged_at),
    title: p.title,
    body: p.body,
    headSha: p.head.sha,
    headRef: p.head.ref,
    headRepoFullName: p.head.repo?.full_name ?? null,
    baseRef: p.base.ref,
    changedFiles: p.changed_files ?? -1,
    changedLines:
      typeof p.additions === "number" && typeof p.deletions === "number" ? p.additions + p.deletions : undefined,
    author: p.user?.login ?? "ghost",
    labels: labelNames(p.labels),
  };
}

/** Re-read a PR (one call): webhook payloads can be stale by the time we act. */
export async function getPull(client: RepoClient, number: number): Promise<PullSnapshot | undefined> {
  try {
    const res = await client.octokit.rest.pulls.get({ owner: client.owner, repo: client.repo, pull_number: number });
    return toSnapshot(res.data);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Every changed file of the PR, 100 per page. "Not verifiable" when GitHub cannot list them all
 * (≥ 3000 files) or the count fetched differs from the PR's `changed_files` — never a silent pass.
 */
export async function listPullFiles(client: RepoClient, pr: PullSnapshot): Promise<FileList> {
  if (pr.changedFiles >= MAX_LISTED_FILES) {
    return { ok: false, unlisted: { kind: "too-many", changed: pr.changedFiles, limit: MAX_LISTED_FILES } };
  }
  const files: ChangedFile[] = [];
  const pages = client.octokit.paginate.iterator(client.octokit.rest.pulls.listFiles, {
    owner: client.owner,
    repo: client.repo,
    pull_number: pr.number,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const f of page.data) {
      files.push(
        f.previous_filename
          ? { path: f.filename, status: f.status, previous_filename: f.previous_filename }
          : { path: f.filename, status: f.status },
      );
    }
  }
  if (pr.changedFiles >= 0 && files.length !== pr.changedFiles) {
    return { ok: false, unlisted: { kind: "count-mismatch", listed: files.length, reported: pr.changedFiles } };
  }
  return { ok: true, files };
}

export interface IssueSummary {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  labels: string[];
  /**
   * Who wrote it: the login (a bot is judged like anyone, but never trusted on its own), and for a
   * Bot acting for an App, the App's id (how we recognise our own issues).
   */
  author: { login: string; type: string | undefined; appId: number | undefined };
}

interface IssueLike {
  user?: { login?: string; type?: string | null } | null;
  performed_via_github_app?: { id?: number | null } | null;
}

export function authorOf(i: IssueLike): IssueSummary["author"] {
  return {
    login: i.user?.login ?? "ghost",
    type: i.user?.type ?? undefined,
    appId: i.performed_via_github_app?.id ?? undefined,
  };
}

/** An issue as the REST API returns it (listed or read alone), as the bot keeps it. */
function issueSummary(
  i: IssueLike & { number: number; title: string; body?: string | null; state: string } & {
    labels: Parameters<typeof labelNames>[0];
  },
): IssueSummary {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? null,
    state: i.state === "open" ? "open" : "closed",
    labels: labelNames(i.labels),
    author: authorOf(i),
  };
}

/**
 * At most this many pages of open issues or PRs are read per event (1000 items): a repo with more
 * pays no unbounded cost. Beyond it, linking by id finds no issue (a failure, never a pass; a
 * closing keyword still links), and `depends_on` falls back to search.
 */
export const MAX_LIST_PAGES = 10;

/** The rows of the first MAX_LIST_PAGES pages of a list: the iterator is not asked for the page after. */
async function boundedPages<T>(pages: AsyncIterable<{ data: T[] }>): Promise<T[]> {
  const out: T[] = [];
  let read = 0;
  for await (const page of pages) {
    out.push(...page.data);
    if (++read >= MAX_LIST_PAGES) break;
  }
  return out;
}

/** Open issues (not PRs), newest first, paginated. Used to link PRs to contracts and to resolve `depends_on`. */
export async function listOpenIssues(client: RepoClient): Promise<IssueSummary[]> {
  const rows = await boundedPages(
    client.octokit.paginate.iterator(client.octokit.rest.issues.listForRepo, {
      owner: client.owner,
      repo: client.repo,
      state: "open",
      per_page: 100,
    }),
  );
  return rows.filter((i) => !i.pull_request).map(issueSummary);
}

/** One issue, or undefined when it does not exist (or is a PR). */
export async function getIssue(client: RepoClient, number: number): Promise<IssueSummary | undefined> {
  try {
    const res = await client.octokit.rest.issues.get({ owner: client.owner, repo: client.repo, issue_number: number });
    return res.data.pull_request ? undefined : issueSummary(res.data);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/** Open PRs (paginated): for same-head detection, hotspots, and re-checking PRs when a contract changes. */
export async function listOpenPulls(client: RepoClient): Promise<PullSnapshot[]> {
  const rows = await boundedPages(
    client.octokit.paginate.iterator(client.octokit.rest.pulls.list, {
      owner: client.owner,
      repo: client.repo,
      state: "open",
      per_page: 100,
    }),
  );
  return rows.map((p) => toSnapshot(p));
}

/** Tree SHA of a commit: a force-push to a commit with the same tree keeps Tier-B results. */
export async function treeOf(client: RepoClient, sha: string): Promise<string | undefined> {
  try {
    const res = await client.octokit.rest.git.getCommit({ owner: client.owner, repo: client.repo, commit_sha: sha });
    return res.data.tree.sha;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
