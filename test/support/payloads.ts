/** Webhook payload builders shaped like GitHub's (fields as in @octokit/webhooks-examples), with only what varies as options. */
import { INSTALLATION_ID, OWNER, REPO } from "./probot.js";

export const repository = {
  id: 1296269,
  node_id: "R_kgDOAAAAAQ",
  name: REPO,
  full_name: `${OWNER}/${REPO}`,
  private: false,
  owner: { login: OWNER, id: 9919, type: "Organization" },
  html_url: `https://github.com/${OWNER}/${REPO}`,
  default_branch: "main",
};

export function aUser(login = "alice", type: "User" | "Bot" = "User") {
  return { login, id: login.length * 1000 + 7, node_id: `U_${login}`, type, site_admin: false };
}

/** Labels as an issue or PR carries them. */
function labelsJson(names: string[] = []) {
  return names.map((name, i) => ({ id: i + 1, node_id: `LA_${i}`, name, color: "ededed", default: false }));
}

/** A PR's `head` or `base`: a branch of the repository at a commit. */
function branchJson(ref: string, sha: string) {
  return { label: `${OWNER}:${ref}`, ref, sha, repo: repository, user: aUser(OWNER) };
}

export interface IssueOptions {
  number?: number;
  title?: string;
  body?: string | null;
  labels?: string[];
  state?: "open" | "closed";
  sender?: ReturnType<typeof aUser>;
}

export function anIssue(o: IssueOptions = {}) {
  const number = o.number ?? 7;
  return {
    id: 100000 + number,
    node_id: `I_${number}`,
    number,
    title: o.title ?? "[07] Fused all-gather",
    body: o.body === undefined ? "" : o.body,
    state: o.state ?? "open",
    labels: labelsJson(o.labels),
    user: aUser("alice"),
    html_url: `https://github.com/${OWNER}/${REPO}/issues/${number}`,
    created_at: "2026-11-23T10:00:00Z",
    updated_at: "2026-11-23T10:00:00Z",
  };
}

export function issuesEvent(
  action: "opened" | "edited" | "reopened",
  o: IssueOptions & { previousBody?: string } = {},
) {
  return {
    action,
    issue: anIssue(o),
    ...(action === "edited"
      ? {
          changes: o.previousBody === undefined ? { title: { from: "old title" } } : { body: { from: o.previousBody } },
        }
      : {}),
    repository,
    sender: o.sender ?? aUser("alice"),
    installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" },
  };
}

export interface PullOptions {
  number?: number;
  title?: string;
  body?: string | null;
  headSha?: string;
  headRef?: string;
  draft?: boolean;
  changedFiles?: number;
  labels?: string[];
  sender?: ReturnType<typeof aUser>;
}

export const HEAD = "9f2c4b1e8d7a6c5b4a3f2e1d0c9b8a7f6e5d4c3b";

export function aPull(o: PullOptions = {}) {
  const number = o.number ?? 12;
  return {
    id: 200000 + number,
    node_id: `PR_${number}`,
    number,
    state: "open",
    locked: false,
    draft: o.draft ?? false,
    title: o.title ?? "Fused all-gather",
    body: o.body === undefined ? "" : o.body,
    user: aUser("alice"),
    labels: labelsJson(o.labels),
    head: branchJson(o.headRef ?? "issue/07-fused-allgather", o.headSha ?? HEAD),
    base: branchJson("main", "1111111111111111111111111111111111111111"),
    merged: false,
    merged_at: null,
    changed_files: o.changedFiles ?? 1,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/${number}`,
  };
}

/** The `changes` GitHub sends with `pull_request.edited`: the old value of the field that changed. */
const EDIT = {
  body: { body: { from: "old body" } },
  title: { title: { from: "old" } },
  base: { base: { ref: { from: "develop" }, sha: { from: "0000000000000000000000000000000000000002" } } },
} as const;

export function pullRequestEvent(
  action: "opened" | "edited" | "synchronize" | "reopened" | "ready_for_review",
  o: PullOptions & { before?: string; changed?: "body" | "title" | "base" } = {},
) {
  return {
    action,
    number: o.number ?? 12,
    pull_request: aPull(o),
    ...(action === "edited" ? { changes: EDIT[o.changed ?? "body"] } : {}),
    ...(action === "synchronize"
      ? { before: o.before ?? "0000000000000000000000000000000000000001", after: o.headSha ?? HEAD }
      : {}),
    repository,
    sender: o.sender ?? aUser("alice"),
    installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" },
  };
}

export interface CommentOptions extends IssueOptions {
  commentId?: number;
  text?: string;
  /** Who writes the comment (the sender too). */
  by?: ReturnType<typeof aUser>;
  /** The comment's creation time. */
  at?: string;
  assignees?: string[];
  /** An App's comment: its id in `performed_via_github_app`. */
  viaApp?: number;
}

/** `issue_comment.created` on an issue (not a PR). */
export function issueCommentCreated(o: CommentOptions = {}) {
  const by = o.by ?? aUser("alice");
  const at = o.at ?? "2026-11-23T12:00:00Z";
  return {
    action: "created",
    issue: { ...anIssue(o), assignees: (o.assignees ?? []).map((login) => aUser(login)) },
    comment: {
      id: o.commentId ?? 3001,
      node_id: `IC_${o.commentId ?? 3001}`,
      body: o.text ?? "Status: sweep 3 of 5 done. Blockers: none. Next ETA: 18:00 UTC.",
      user: by,
      created_at: at,
      updated_at: at,
      performed_via_github_app: o.viaApp === undefined ? null : { id: o.viaApp, slug: "agent" },
    },
    repository,
    sender: by,
    installation: { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" },
  };
}
