/** The bot's one sticky comment per issue or PR: found by marker AND authorship, edited in place, written only when it changed. */
import { opensWithMarker, type Marker } from "../core/markers.js";
import { LIMITS, outgoingComment, outgoingField, type CommentParts, type RepoClient } from "./client.js";
import { atPriority, type WritePriority } from "./priority.js";

export interface StickyComment {
  id: number;
  body: string;
}

interface CommentLike {
  id: number;
  body?: string | null | undefined;
  user?: { type?: string | null | undefined } | null | undefined;
  performed_via_github_app?: { id?: number | null | undefined } | null | undefined;
}

/** A comment is ours only if our app wrote it: a marker pasted by anyone else is ignored. */
export function isOurs(client: RepoClient, comment: CommentLike): boolean {
  return comment.user?.type === "Bot" && comment.performed_via_github_app?.id === client.appId;
}

/** Our sticky comment with `marker`: written by our app AND opening with the marker (a marker pasted anywhere else is not ours). */
export function isOurSticky(client: RepoClient, comment: CommentLike, marker: Marker): boolean {
  return isOurs(client, comment) && typeof comment.body === "string" && opensWithMarker(comment.body, marker);
}

/** The comments on an issue or PR, oldest first, 100 a page (with `since`: only those updated after it); read lazily. */
export function commentPages(client: RepoClient, issueNumber: number, since?: string) {
  return client.octokit.paginate.iterator(client.octokit.rest.issues.listComments, {
    owner: client.owner,
    repo: client.repo,
    issue_number: issueNumber,
    ...(since !== undefined ? { since } : {}),
    per_page: 100,
  });
}

/** Find our sticky comment with `marker` on an issue or PR (paginated, stops at the first). */
export async function findSticky(
  client: RepoClient,
  issueNumber: number,
  marker: Marker,
): Promise<StickyComment | undefined> {
  for await (const page of commentPages(client, issueNumber)) {
    for (const c of page.data) {
      if (isOurSticky(client, c, marker)) return { id: c.id, body: c.body ?? "" };
    }
  }
  return undefined;
}

/**
 * Create or edit the sticky comment so that it reads `body`. Makes no write when the comment
 * already says exactly that (edits and redeliveries that change nothing cost nothing).
 * Returns the comment as it now stands.
 */
export async function upsertSticky(
  client: RepoClient,
  issueNumber: number,
  existing: StickyComment | undefined,
  parts: CommentParts,
  priority: WritePriority = "refresh",
): Promise<StickyComment> {
  const text = outgoingComment(client, parts);
  if (existing && existing.body === text) return existing;
  if (existing) {
    await client.octokit.rest.issues.updateComment({
      owner: client.owner,
      repo: client.repo,
      comment_id: existing.id,
      body: text,
      ...atPriority(priority),
    });
    return { id: existing.id, body: text };
  }
  return { id: await postComment(client, issueNumber, text, priority), body: text };
}

/**
 * A one-off reply that opens with one of our markers (a heartbeat reminder): the marker byte-exact,
 * the rest through the choke point. Nobody is waiting on a reminder, so it yields to commands and verdicts.
 */
export async function replyMarked(
  client: RepoClient,
  issueNumber: number,
  parts: CommentParts,
  priority: WritePriority = "refresh",
): Promise<void> {
  await postComment(client, issueNumber, outgoingComment(client, parts), priority);
}

/** A one-off reply (refusals, help). Sanitized like everything else. The answer to a command: a person waits for it. */
export async function reply(
  client: RepoClient,
  issueNumber: number,
  body: string,
  priority: WritePriority = "command",
): Promise<void> {
  await postComment(client, issueNumber, outgoingField(client, body, LIMITS.commentBody), priority);
}

/** `body` has already passed the choke point. Returns the new comment's id. */
async function postComment(
  client: RepoClient,
  issueNumber: number,
  body: string,
  priority: WritePriority,
): Promise<number> {
  const res = await client.octokit.rest.issues.createComment({
    owner: client.owner,
    repo: client.repo,
    issue_number: issueNumber,
    body,
    ...atPriority(priority),
  });
  return res.data.id;
}

export type Reaction = "eyes" | "rocket" | "confused" | "+1";

export async function react(
  client: RepoClient,
  commentId: number,
  content: Reaction,
  priority: WritePriority = "refresh",
): Promise<void> {
  await client.octokit.rest.reactions.createForIssueComment({
    owner: client.owner,
    repo: client.repo,
    comment_id: commentId,
    content,
    ...atPriority(priority),
  });
}

/** Hide a comment that leaked a credential (GraphQL only: REST has no minimize). */
export async function minimizeComment(client: RepoClient, nodeId: string): Promise<void> {
  await client.octokit.graphql(
    `mutation($id: ID!) { minimizeComment(input: { subjectId: $id, classifier: OUTDATED }) { minimizedComment { isMinimized } } }`,
    { id: nodeId, ...atPriority("refresh") },
  );
}
