/** Webhook deliveries the way GitHub sends them (signed over the raw bytes), with payloads built from the fake's state. */
import { createHmac, randomUUID } from "node:crypto";
import type {
  CheckRunRerequestedEvent,
  DeploymentProtectionRuleRequestedEvent,
  InstallationLite,
  IssueCommentCreatedEvent,
  IssueCommentEditedEvent,
  IssuesClosedEvent,
  IssuesEditedEvent,
  IssuesOpenedEvent,
  IssuesReopenedEvent,
  MergeGroupChecksRequestedEvent,
  MergeGroupDestroyedEvent,
  Organization,
  PullRequestClosedEvent,
  PullRequestEditedEvent,
  PullRequestOpenedEvent,
  PullRequestReadyForReviewEvent,
  PullRequestReopenedEvent,
  PullRequestSynchronizeEvent,
  Repository,
  User,
  WebhookEventMap,
  WebhookEventName,
  WorkflowRunCompletedEvent,
  WorkflowRunInProgressEvent,
  WorkflowRunRequestedEvent,
} from "@octokit/webhooks-types";
import {
  checkRunJson,
  commentJson,
  issueJson,
  pullRequestJson,
  repositoryJson,
  userJson,
  workflowJson,
  workflowRunJson,
} from "./fake-github/shapes.js";
import type { FakeGitHubState, FakeRepo, FakeUser, MergeGroupState } from "./fake-github/state.js";

// ---- sending -------------------------------------------------------------------

/** How to break a delivery on purpose, to prove the app refuses it with no handler running. */
export type WebhookTamper =
  /** Signed with a different secret. */
  | "wrong-signature"
  /** No `X-Hub-Signature-256` header at all. */
  | "no-signature"
  /** Signed over compact JSON, but the bytes sent are the same JSON re-serialised (pretty-printed). */
  | "reserialized-body";

export interface SendWebhookOptions {
  tamper?: WebhookTamper;
  deliveryId?: string;
}

export interface WebhookDelivery {
  deliveryId: string;
  status: number;
  /** The app's response body, as text. */
  body: string;
}

export function signBody(secret: string, bytes: Uint8Array | string): string {
  return `sha256=${createHmac("sha256", secret).update(bytes).digest("hex")}`;
}

/** POST `payload` to the app as GitHub does: JSON body, event/delivery headers, HMAC-SHA256 of the exact bytes. */
export async function sendWebhook<E extends WebhookEventName>(
  appUrl: string,
  secret: string,
  event: E,
  payload: WebhookEventMap[E],
  opts: SendWebhookOptions = {},
): Promise<WebhookDelivery> {
  const deliveryId = opts.deliveryId ?? randomUUID();
  const signed = JSON.stringify(payload);
  const sent = opts.tamper === "reserialized-body" ? JSON.stringify(payload, null, 2) : signed;
  const installation = (payload as { installation?: InstallationLite }).installation;
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/fake0001",
    "x-github-event": event,
    "x-github-delivery": deliveryId,
    "x-github-hook-id": "1",
    "x-github-hook-installation-target-type": "integration",
    "x-github-hook-installation-target-id": String(installation?.id ?? 1),
  };
  if (opts.tamper !== "no-signature") {
    headers["x-hub-signature-256"] = signBody(
      opts.tamper === "wrong-signature" ? `${secret}-but-wrong` : secret,
      signed,
    );
  }
  const response = await fetch(appUrl, { method: "POST", headers, body: sent });
  return { deliveryId, status: response.status, body: await response.text() };
}

// ---- payloads ----------------------------------------------------------------------

interface Envelope {
  repository: Repository;
  sender: User;
  installation: InstallationLite;
  organization?: Organization;
}

function organizationJson(world: FakeGitHubState, owner: FakeUser): Organization {
  const user = userJson(world, owner);
  const api = `${world.apiUrl}/orgs/${owner.login}`;
  return {
    login: owner.login,
    id: owner.id,
    node_id: user.node_id,
    url: api,
    repos_url: `${api}/repos`,
    events_url: `${api}/events`,
    hooks_url: `${api}/hooks`,
    issues_url: `${api}/issues`,
    members_url: `${api}/members{/member}`,
    public_members_url: `${api}/public_members{/member}`,
    avatar_url: user.avatar_url,
    description: null,
  };
}

function envelope(world: FakeGitHubState, repo: FakeRepo, sender: FakeUser | string): Envelope {
  const who = typeof sender === "string" ? world.user(sender) : sender;
  const base: Envelope = {
    repository: repositoryJson(world, repo),
    sender: userJson(world, who),
    installation: { id: world.installationId, node_id: `MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u${world.installationId}` },
  };
  return repo.owner.type === "Organization" ? { ...base, organization: organizationJson(world, repo.owner) } : base;
}

export function issuesOpened(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): IssuesOpenedEvent {
  const issue = repo.issue(number);
  return {
    action: "opened",
    issue: { ...issueJson(world, repo, issue), state: "open", closed_at: null },
    ...envelope(world, repo, sender ?? issue.user),
  };
}

/** `changes` is what `repo.editIssue` returned: the previous title/body. */
export function issuesEdited(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  changes: IssuesEditedEvent["changes"],
  sender?: FakeUser | string,
): IssuesEditedEvent {
  const issue = repo.issue(number);
  return {
    action: "edited",
    issue: issueJson(world, repo, issue),
    changes,
    ...envelope(world, repo, sender ?? issue.user),
  };
}

/** Builders never change state: a driver reopens with `repo.setIssueState(n, "open")` first; a mismatch is a driver bug. */
function requireOpen(repo: FakeRepo, number: number): void {
  if (repo.issue(number).state !== "open")
    throw new Error(`fake GitHub: ${repo.fullName}#${number} is closed; reopen it in the state first`);
}

export function issuesReopened(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): IssuesReopenedEvent {
  requireOpen(repo, number);
  const issue = repo.issue(number);
  return {
    action: "reopened",
    issue: { ...issueJson(world, repo, issue), state: "open" },
    ...envelope(world, repo, sender ?? issue.user),
  };
}

function openPullJson(world: FakeGitHubState, repo: FakeRepo, number: number): PullRequestOpenedEvent["pull_request"] {
  const { issue } = repo.pull(number);
  return {
    ...pullRequestJson(world, repo, issue),
    state: "open",
    closed_at: null,
    merged_at: null,
    active_lock_reason: null,
    merged_by: null,
  };
}

export function pullRequestOpened(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): PullRequestOpenedEvent {
  return {
    action: "opened",
    number,
    pull_request: openPullJson(world, repo, number),
    ...envelope(world, repo, sender ?? repo.issue(number).user),
  };
}

export function pullRequestEdited(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  changes: PullRequestEditedEvent["changes"],
  sender?: FakeUser | string,
): PullRequestEditedEvent {
  return {
    action: "edited",
    number,
    changes,
    pull_request: pullRequestJson(world, repo, repo.issue(number)),
    ...envelope(world, repo, sender ?? repo.issue(number).user),
  };
}

/** `before`/`after` are what `repo.pushToPullRequest` returned. */
export function pullRequestSynchronize(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  push: { before: string; after: string },
  sender?: FakeUser | string,
): PullRequestSynchronizeEvent {
  return {
    action: "synchronize",
    number,
    before: push.before,
    after: push.after,
    pull_request: pullRequestJson(world, repo, repo.issue(number)),
    ...envelope(world, repo, sender ?? repo.issue(number).user),
  };
}

export function pullRequestReopened(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): PullRequestReopenedEvent {
  requireOpen(repo, number);
  return {
    action: "reopened",
    number,
    pull_request: { ...openPullJson(world, repo, number), merged: false },
    ...envelope(world, repo, sender ?? repo.issue(number).user),
  };
}

/** After `repo.editPullRequest(n, {draft: false})`. */
export function pullRequestReadyForReview(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): PullRequestReadyForReviewEvent {
  if (repo.pull(number).pull.draft)
    throw new Error(`fake GitHub: ${repo.fullName}#${number} is still a draft; set draft: false in the state first`);
  return {
    action: "ready_for_review",
    number,
    pull_request: { ...openPullJson(world, repo, number), draft: false, merged: false },
    ...envelope(world, repo, sender ?? repo.issue(number).user),
  };
}

function commentIssueJson(world: FakeGitHubState, repo: FakeRepo, number: number): IssueCommentCreatedEvent["issue"] {
  const json = issueJson(world, repo, repo.issue(number));
  return {
    ...json,
    assignee: json.assignee ?? null,
    state: json.state ?? "open",
    locked: json.locked ?? false,
    labels: json.labels ?? [],
  };
}

export function issueCommentCreated(
  world: FakeGitHubState,
  repo: FakeRepo,
  commentId: number,
  sender?: FakeUser | string,
): IssueCommentCreatedEvent {
  const comment = repo.comments.get(commentId);
  if (!comment) throw new Error(`fake GitHub: ${repo.fullName} has no comment ${commentId}`);
  return {
    action: "created",
    issue: commentIssueJson(world, repo, comment.issueNumber),
    comment: commentJson(world, repo, comment),
    ...envelope(world, repo, sender ?? comment.user),
  };
}

/** `changes` is what `repo.editComment` returned. */
export function issueCommentEdited(
  world: FakeGitHubState,
  repo: FakeRepo,
  commentId: number,
  changes: IssueCommentEditedEvent["changes"],
  sender?: FakeUser | string,
): IssueCommentEditedEvent {
  const comment = repo.comments.get(commentId);
  if (!comment) throw new Error(`fake GitHub: ${repo.fullName} has no comment ${commentId}`);
  return {
    action: "edited",
    changes,
    issue: commentIssueJson(world, repo, comment.issueNumber),
    comment: commentJson(world, repo, comment),
    ...envelope(world, repo, sender ?? comment.user),
  };
}

function workflowParts(
  world: FakeGitHubState,
  repo: FakeRepo,
  runId: number,
): Pick<WorkflowRunRequestedEvent, "workflow" | "workflow_run"> {
  const run = repo.run(runId);
  const workflow = repo.workflows.get(run.workflowId);
  if (!workflow) throw new Error(`fake GitHub: run ${runId} has no workflow`);
  return { workflow: workflowJson(world, repo, workflow), workflow_run: workflowRunJson(world, repo, run) };
}

export function workflowRunRequested(world: FakeGitHubState, repo: FakeRepo, runId: number): WorkflowRunRequestedEvent {
  return { action: "requested", ...workflowParts(world, repo, runId), ...envelope(world, repo, repo.run(runId).actor) };
}

export function workflowRunInProgress(
  world: FakeGitHubState,
  repo: FakeRepo,
  runId: number,
): WorkflowRunInProgressEvent {
  return {
    action: "in_progress",
    ...workflowParts(world, repo, runId),
    ...envelope(world, repo, repo.run(runId).actor),
  };
}

/** For a run finished with `repo.completeWorkflowRun`. */
export function workflowRunCompleted(world: FakeGitHubState, repo: FakeRepo, runId: number): WorkflowRunCompletedEvent {
  const parts = workflowParts(world, repo, runId);
  const conclusion = parts.workflow_run.conclusion;
  if (conclusion === null)
    throw new Error(`fake GitHub: run ${runId} is not completed; call completeWorkflowRun first`);
  return {
    action: "completed",
    workflow: parts.workflow,
    workflow_run: { ...parts.workflow_run, conclusion },
    ...envelope(world, repo, repo.run(runId).actor),
  };
}

/**
 * The delivery GitHub sends when a run's job targets an environment protected by this app
 * (call `repo.requestDeploymentReview(runId, environment)` first so the fake accepts the review).
 * The callback URL carries the run id, as GitHub's does.
 */
export function deploymentProtectionRuleRequested(
  world: FakeGitHubState,
  repo: FakeRepo,
  runId: number,
  environment: string,
): DeploymentProtectionRuleRequestedEvent {
  const run = repo.run(runId);
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  const deploymentId = run.id + 3_000_000;
  return {
    action: "requested",
    environment,
    event: run.event,
    deployment_callback_url: `${api}/actions/runs/${run.id}/deployment_protection_rule`,
    deployment: {
      url: `${api}/deployments/${deploymentId}`,
      id: deploymentId,
      node_id: `DE_${Buffer.from(`fake:deployment:${deploymentId}`).toString("base64url")}`,
      sha: run.headSha,
      ref: run.headBranch,
      task: "deploy",
      payload: {},
      original_environment: environment,
      environment,
      description: null,
      creator: userJson(world, run.actor),
      created_at: run.updatedAt,
      updated_at: run.updatedAt,
      statuses_url: `${api}/deployments/${deploymentId}/statuses`,
      repository_url: api,
    },
    pull_requests: [],
    ...envelope(world, repo, run.actor),
  };
}

/** Someone pressed "Re-run" on a check run (only the app that created it receives this). */
export function checkRunRerequested(
  world: FakeGitHubState,
  repo: FakeRepo,
  checkRunId: number,
  sender: FakeUser | string,
): CheckRunRerequestedEvent {
  const run = [...repo.issues.values()]
    .flatMap((i) => (i.pull ? repo.checkRunsFor(i.pull.head.sha) : []))
    .find((c) => c.id === checkRunId);
  if (!run) throw new Error(`fake GitHub: ${repo.fullName} has no check run ${checkRunId}`);
  return {
    action: "rerequested",
    // The webhook carries the check run as the REST API shows it.
    check_run: checkRunJson(world, repo, run),
    ...envelope(world, repo, sender),
  } as unknown as CheckRunRerequestedEvent;
}

/** After `repo.setIssueState(n, "closed")` (or the merge queue closing it). */
export function issuesClosed(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): IssuesClosedEvent {
  const issue = repo.issue(number);
  if (issue.state !== "closed" || issue.closedAt === null)
    throw new Error(`fake GitHub: ${repo.fullName}#${number} is open; close it in the state first`);
  return {
    action: "closed",
    issue: { ...issueJson(world, repo, issue), state: "closed", closed_at: issue.closedAt },
    ...envelope(world, repo, sender ?? issue.user),
  };
}

/** After the PR was closed (or merged by the queue) in the state. */
export function pullRequestClosed(
  world: FakeGitHubState,
  repo: FakeRepo,
  number: number,
  sender?: FakeUser | string,
): PullRequestClosedEvent {
  const { issue, pull } = repo.pull(number);
  if (issue.state !== "closed" || issue.closedAt === null)
    throw new Error(`fake GitHub: ${repo.fullName}#${number} is open; close it in the state first`);
  return {
    action: "closed",
    number,
    pull_request: {
      ...pullRequestJson(world, repo, issue),
      state: "closed",
      closed_at: issue.closedAt,
      merged: pull.merged,
    },
    ...envelope(world, repo, sender ?? issue.user),
  };
}

function mergeGroupJson(
  world: FakeGitHubState,
  repo: FakeRepo,
  group: MergeGroupState,
): MergeGroupChecksRequestedEvent["merge_group"] {
  const commit = repo.commits.get(group.headSha);
  if (!commit) throw new Error(`fake GitHub: merge group commit ${group.headSha} is missing`);
  const actor = { name: "GitHub", email: "noreply@github.com" };
  return {
    head_sha: group.headSha,
    head_ref: group.headRef,
    base_sha: group.baseSha,
    base_ref: group.baseRef,
    head_commit: {
      id: commit.sha,
      tree_id: commit.treeSha,
      message: commit.message,
      timestamp: commit.date,
      author: actor,
      committer: actor,
    },
  };
}

/** GitHub asks for the required checks on a merge group it just built (`repo.enqueue`, or a rebuild in `settleMergeQueue`). */
export function mergeGroupChecksRequested(
  world: FakeGitHubState,
  repo: FakeRepo,
  group: MergeGroupState,
  sender: FakeUser | string,
): MergeGroupChecksRequestedEvent {
  return {
    action: "checks_requested",
    merge_group: mergeGroupJson(world, repo, group),
    ...envelope(world, repo, sender),
  };
}

/** A merge group is gone: merged, dequeued, or invalidated by an entry ahead leaving the queue. */
export function mergeGroupDestroyed(
  world: FakeGitHubState,
  repo: FakeRepo,
  group: MergeGroupState,
  reason: MergeGroupDestroyedEvent["reason"],
  sender: FakeUser | string,
): MergeGroupDestroyedEvent {
  return {
    action: "destroyed",
    reason,
    merge_group: mergeGroupJson(world, repo, group),
    ...envelope(world, repo, sender),
  };
}
