/** Webhook deliveries: signed like GitHub's (and broken on purpose), with payloads shaped like GitHub's published examples. */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { verify } from "@octokit/webhooks-methods";
import { FakeGitHubState, type FakeRepo } from "../../src/demo/fake-github/state.js";
import {
  deploymentProtectionRuleRequested,
  issueCommentCreated,
  issueCommentEdited,
  issuesClosed,
  issuesEdited,
  issuesOpened,
  issuesReopened,
  mergeGroupChecksRequested,
  pullRequestClosed,
  pullRequestEdited,
  pullRequestOpened,
  pullRequestReadyForReview,
  pullRequestReopened,
  pullRequestSynchronize,
  sendWebhook,
  workflowRunCompleted,
  workflowRunInProgress,
  workflowRunRequested,
  type WebhookTamper,
} from "../../src/demo/webhooks.js";

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
}

const SECRET = "s3cret-for-tests";
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(202).end("accepted");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

function world(): { state: FakeGitHubState; repo: FakeRepo } {
  const state = new FakeGitHubState();
  const repo = state.addRepo({ owner: "nmoe-org", name: "nmoe", files: { "README.md": "hi\n" } });
  return { state, repo };
}

describe("sendWebhook", () => {
  test("posts JSON with GitHub's headers and a signature over the exact bytes", async () => {
    const { state, repo } = world();
    repo.openIssue({ title: "Contract", body: "```yaml\nid: 1\n```", user: "alice" });
    const payload = issuesOpened(state, repo, 1);
    const delivery = await sendWebhook(receiverUrl, SECRET, "issues", payload);
    expect(delivery).toMatchObject({ status: 202, body: "accepted" });
    const got = received.at(-1);
    expect(got?.headers).toMatchObject({
      "x-github-event": "issues",
      "x-github-delivery": delivery.deliveryId,
      "content-type": "application/json",
    });
    expect(got?.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
    expect(delivery.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await verify(SECRET, got?.raw ?? "", String(got?.headers["x-hub-signature-256"]))).toBe(true);
    expect(JSON.parse(got?.raw ?? "")).toEqual(payload);
  });

  test.each<{ tamper: WebhookTamper; header: boolean; validOverRaw: boolean; validOverReserialized: boolean }>([
    { tamper: "wrong-signature", header: true, validOverRaw: false, validOverReserialized: false },
    { tamper: "no-signature", header: false, validOverRaw: false, validOverReserialized: false },
    // The trap: a verifier that re-serialises the parsed body would accept this one.
    { tamper: "reserialized-body", header: true, validOverRaw: false, validOverReserialized: true },
  ])("$tamper", async ({ tamper, header, validOverRaw, validOverReserialized }) => {
    const { state, repo } = world();
    repo.openIssue({ title: "Contract", user: "alice" });
    await sendWebhook(receiverUrl, SECRET, "issues", issuesOpened(state, repo, 1), { tamper });
    const got = received.at(-1);
    const signature = got?.headers["x-hub-signature-256"];
    expect(signature !== undefined).toBe(header);
    const raw = got?.raw ?? "";
    expect(signature !== undefined && (await verify(SECRET, raw, String(signature)))).toBe(validOverRaw);
    expect(signature !== undefined && (await verify(SECRET, JSON.stringify(JSON.parse(raw)), String(signature)))).toBe(
      validOverReserialized,
    );
  });
});

/** GitHub's published example payloads, by event and action. */
function example(event: string, action: string): Record<string, unknown> | undefined {
  const require = createRequire(import.meta.url);
  const all = JSON.parse(readFileSync(require.resolve("@octokit/webhooks-examples"), "utf8")) as {
    name: string;
    examples: Record<string, unknown>[];
  }[];
  return all.find((d) => d.name === event)?.examples.find((e) => e["action"] === action);
}

/** Keys present in GitHub's example but missing from ours, two levels deep (`issue.user`, …); `null` where they have an object is fine. */
function missingKeys(theirs: unknown, ours: unknown, prefix = "", depth = 2): string[] {
  if (theirs === null || typeof theirs !== "object" || Array.isArray(theirs) || ours === null) return [];
  if (typeof ours !== "object" || Array.isArray(ours)) return [prefix];
  const o = ours as Record<string, unknown>;
  return Object.entries(theirs as Record<string, unknown>).flatMap(([key, value]) =>
    !(key in o) ? [`${prefix}${key}`] : depth > 0 ? missingKeys(value, o[key], `${prefix}${key}.`, depth - 1) : [],
  );
}

describe("payloads are shaped like GitHub's examples", () => {
  const { state, repo } = world();
  repo.setPermission("maintainer", "write");
  repo.openIssue({ title: "Contract", body: "old", user: "alice", labels: ["contract"] });
  const edit = repo.editIssue(1, { body: "new" });
  repo.setIssueState(1, "closed");
  repo.setIssueState(1, "open");
  repo.openPullRequest({
    title: "Fix",
    body: "attestation",
    user: "bob",
    head: { ref: "bob/fix" },
    files: [{ filename: "src/a.py" }],
    draft: true,
  });
  const prEdit = repo.editPullRequest(2, { title: "Fix it", draft: false });
  const push = repo.pushToPullRequest(2, {
    files: [{ filename: "src/a.py" }, { filename: "src/b.py", status: "renamed", previous_filename: "src/old_b.py" }],
  });
  const comment = repo.addComment(2, { body: "/tier-b fast", user: "maintainer" });
  const commentEdit = repo.editComment(comment.id, "/tier-b full");
  const workflow = repo.addWorkflow({
    file: "tier-b.yml",
    name: "Tier-B",
    runName: "Tier-B ${{ inputs.dispatch_id }}",
  });
  repo.recordDispatch(workflow, "main", { dispatch_id: "d-1" }, state.bot);
  const runId = repo.dispatches[0]?.runId ?? 0;
  const group = repo.enqueue(2);
  const done = repo.openIssue({ title: "[03] Done", user: "alice" });
  repo.setIssueState(done.number, "closed");
  const abandoned = repo.openPullRequest({ title: "Old", user: "bob", head: { ref: "bob/old" }, files: [] });
  repo.setIssueState(abandoned.number, "closed");

  // pull_request.edited, workflow_run.in_progress and issues.closed have no published example; their types still check them (tests below).
  const cases: { name: string; event: string; action: string; build: () => unknown }[] = [
    { name: "issues.opened", event: "issues", action: "opened", build: () => issuesOpened(state, repo, 1) },
    {
      name: "issues.edited",
      event: "issues",
      action: "edited",
      build: () => issuesEdited(state, repo, 1, edit.changes),
    },
    { name: "issues.reopened", event: "issues", action: "reopened", build: () => issuesReopened(state, repo, 1) },
    {
      name: "pull_request.opened",
      event: "pull_request",
      action: "opened",
      build: () => pullRequestOpened(state, repo, 2),
    },
    {
      name: "pull_request.synchronize",
      event: "pull_request",
      action: "synchronize",
      build: () => pullRequestSynchronize(state, repo, 2, push),
    },
    {
      name: "pull_request.reopened",
      event: "pull_request",
      action: "reopened",
      build: () => pullRequestReopened(state, repo, 2),
    },
    {
      name: "pull_request.ready_for_review",
      event: "pull_request",
      action: "ready_for_review",
      build: () => pullRequestReadyForReview(state, repo, 2),
    },
    {
      name: "issue_comment.created",
      event: "issue_comment",
      action: "created",
      build: () => issueCommentCreated(state, repo, comment.id),
    },
    {
      name: "issue_comment.edited",
      event: "issue_comment",
      action: "edited",
      build: () => issueCommentEdited(state, repo, comment.id, commentEdit.changes),
    },
    {
      name: "merge_group.checks_requested",
      event: "merge_group",
      action: "checks_requested",
      build: () => mergeGroupChecksRequested(state, repo, group, "maintainer"),
    },
    {
      name: "pull_request.closed",
      event: "pull_request",
      action: "closed",
      build: () => pullRequestClosed(state, repo, abandoned.number),
    },
    {
      name: "workflow_run.requested",
      event: "workflow_run",
      action: "requested",
      build: () => workflowRunRequested(state, repo, runId),
    },
    {
      name: "workflow_run.completed",
      event: "workflow_run",
      action: "completed",
      build: () => workflowRunCompleted(state, repo, repo.completeWorkflowRun(runId, { conclusion: "success" }).id),
    },
  ];

  test.each(cases)("$name has every key GitHub's example has", ({ event, action, build }) => {
    // The envelope's optional parts (enterprise, an issue's `draft`) are left out on purpose.
    const theirs = example(event, action);
    expect(theirs).toBeDefined();
    const missing = missingKeys(theirs, build()).filter((k) => !["enterprise", "issue.draft"].includes(k));
    expect(missing).toEqual([]);
  });

  test("issues.closed (no published example) carries the closed state and when", () => {
    expect(issuesClosed(state, repo, done.number)).toMatchObject({
      action: "closed",
      issue: { number: done.number, state: "closed", state_reason: "completed", closed_at: expect.any(String) },
    });
    expect(() => issuesClosed(state, repo, 1)).toThrow(/is open/);
  });

  test("issues.edited carries the previous body in changes", () => {
    expect(issuesEdited(state, repo, 1, edit.changes).changes).toEqual({ body: { from: "old" } });
  });

  test("workflow_run.in_progress reports the run in progress", () => {
    expect(workflowRunInProgress(state, repo, repo.setRunStatus(runId, "in_progress").id)).toMatchObject({
      action: "in_progress",
      workflow_run: { status: "in_progress", display_title: "Tier-B d-1" },
    });
  });

  test("pull_request.edited carries what changed", () => {
    expect(pullRequestEdited(state, repo, 2, prEdit.changes)).toMatchObject({
      action: "edited",
      changes: { title: { from: "Fix" } },
      pull_request: { title: "Fix it", draft: false },
    });
  });

  test("pull_request.synchronize carries before and after", () => {
    const payload = pullRequestSynchronize(state, repo, 2, push);
    expect(payload.before).not.toBe(payload.after);
    expect(payload.pull_request.head.sha).toBe(payload.after);
  });

  test("a bot's comment has a Bot sender", () => {
    const mine = repo.addComment(2, { body: "sticky", user: state.bot });
    expect(issueCommentCreated(state, repo, mine.id).sender).toMatchObject({
      login: "merge-captain[bot]",
      type: "Bot",
    });
  });

  test("deployment_protection_rule.requested points its callback at the run", () => {
    repo.requestDeploymentReview(runId, "gpu");
    const payload = deploymentProtectionRuleRequested(state, repo, runId, "gpu");
    expect(payload).toMatchObject({
      action: "requested",
      environment: "gpu",
      event: "workflow_dispatch",
      installation: { id: 1 },
    });
    expect(payload.deployment_callback_url).toBe(
      `${state.apiUrl}/repos/nmoe-org/nmoe/actions/runs/${runId}/deployment_protection_rule`,
    );
    expect(payload.deployment?.sha).toBe(repo.run(runId).headSha);
  });
});
