/**
 * Read an experiment issue's comment thread for the heartbeat (our status comment, updates, our
 * reminders) in as few calls as a long thread allows, and list a repository's experiment issues.
 */
import { reminderFor } from "../core/experiment/render.js";
import type { ThreadComment } from "../core/experiment/heartbeat.js";
import type { Marker } from "../core/markers.js";
import type { RepoClient } from "./client.js";
import { commentPages, isOurs, isOurSticky, type StickyComment } from "./comments.js";
import { labelNames } from "./labels.js";
import { MAX_LIST_PAGES } from "./pulls.js";

/** Pages of comments read when the thread must be read from the start (1,000 comments). */
export const MAX_THREAD_PAGES = 10;

export interface Thread {
  /** Our status comment (marker and authorship), if any. */
  sticky: StickyComment | undefined;
  comments: ThreadComment[];
}

interface RawComment {
  id: number;
  body?: string | null | undefined;
  created_at: string;
  user?: { login?: string | null; type?: string | null } | null;
  performed_via_github_app?: { id?: number | null } | null;
}

function toThreadComment(client: RepoClient, c: RawComment): ThreadComment {
  const ours = isOurs(client, c);
  const out: ThreadComment = {
    id: c.id,
    at: c.created_at,
    login: c.user?.login ?? "ghost",
    bot: c.user?.type === "Bot" || Boolean(c.performed_via_github_app),
    ours,
  };
  const about = ours ? reminderFor(c.body) : undefined;
  if (about !== undefined) out.reminderFor = about;
  return out;
}

function hasNextPage(link: string | undefined): boolean {
  return link !== undefined && /rel="next"/.test(link);
}

/**
 * The thread from its first page. Our status comment is normally on page 1 (the bot answers when
 * the issue opens): once it is found and `since(sticky)` names what it remembers, the rest of a
 * long thread is read with `since` (comments updated after that time) instead of page by page.
 * A thread of up to 100 comments costs one call.
 */
export async function readThread(
  client: RepoClient,
  issueNumber: number,
  stickyMarker: Marker,
  since: (sticky: StickyComment) => string | undefined,
): Promise<Thread> {
  const byId = new Map<number, ThreadComment>();
  let sticky: StickyComment | undefined;
  let after: string | undefined;
  let pages = 0;
  for await (const page of commentPages(client, issueNumber)) {
    pages++;
    for (const c of page.data) {
      byId.set(c.id, toThreadComment(client, c));
      if (sticky === undefined && isOurSticky(client, c, stickyMarker)) sticky = { id: c.id, body: c.body ?? "" };
    }
    if (!hasNextPage(page.headers.link)) break;
    if (sticky !== undefined) {
      after = since(sticky);
      if (after !== undefined) break;
    }
    if (pages >= MAX_THREAD_PAGES) break;
  }
  if (after !== undefined) {
    let read = 0;
    for await (const page of commentPages(client, issueNumber, after)) {
      for (const c of page.data) byId.set(c.id, toThreadComment(client, c));
      if (++read >= MAX_THREAD_PAGES) break;
    }
  }
  return { sticky, comments: [...byId.values()] };
}

/** An open issue as the experiment handler needs it. */
export interface ExperimentIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  author: string;
  assignees: string[];
  createdAt: string;
}

interface RawIssue {
  number: number;
  title: string;
  body?: string | null;
  labels?: Array<string | { name?: string | null } | null>;
  user?: { login?: string | null } | null;
  assignees?: Array<{ login?: string | null } | null> | null;
  created_at: string;
  pull_request?: unknown;
}

export function toExperimentIssue(i: RawIssue): ExperimentIssue {
  return {
    number: i.number,
    title: i.title,
    body: i.body ?? "",
    labels: labelNames(i.labels),
    author: i.user?.login ?? "ghost",
    assignees: (i.assignees ?? []).flatMap((a) => (a?.login ? [a.login] : [])),
    createdAt: i.created_at,
  };
}

/** Open issues carrying `label` (not PRs), oldest first, at most 10 pages. */
export async function listLabelledIssues(client: RepoClient, label: string): Promise<ExperimentIssue[]> {
  const out: ExperimentIssue[] = [];
  const pages = client.octokit.paginate.iterator(client.octokit.rest.issues.listForRepo, {
    owner: client.owner,
    repo: client.repo,
    state: "open",
    labels: label,
    sort: "created",
    direction: "asc",
    per_page: 100,
  });
  let read = 0;
  for await (const page of pages) {
    for (const i of page.data) if (!i.pull_request) out.push(toExperimentIssue(i));
    if (++read >= MAX_LIST_PAGES) break;
  }
  return out;
}
