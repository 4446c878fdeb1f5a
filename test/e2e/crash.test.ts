/**
 * Done-when (a) and (c) of issue #14, with the real server as a child process (`npm start`'s entry
 * point, Probot's throttle on) against the fake GitHub over HTTP:
 * (a) killed with SIGKILL during a burst and started again, every PR gets its check within the
 *     reconciler's first run, and nothing is written twice (asserted from the fake's request log);
 * (c) a `/tier-b` during a burst of 16 PR evaluations is dispatched before the burst's writes.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, test } from "@jest/globals";
import { RUN_NAME_TEMPLATE } from "../../src/core/tierb/runs.js";
import { openAttestedPull, OWNER, REPO, REPO_FILES, VALID_ISSUE } from "../../src/demo/fixtures.js";
import {
  startFakeGitHub,
  type FakeGitHub,
  type FakeRepo,
  type LoggedRequest,
} from "../../src/demo/fake-github/index.js";
import * as hooks from "../../src/demo/webhooks.js";
import { serverEnv } from "../support/app-server.js";
import { startChildServer, type ChildServer } from "../support/child-server.js";

const secret = randomBytes(16).toString("hex");

let fake: FakeGitHub | undefined;
const children: ChildServer[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill("SIGKILL")));
  await fake?.close();
  fake = undefined;
});

async function world(): Promise<{ fake: FakeGitHub; repo: FakeRepo }> {
  fake = await startFakeGitHub({
    app: { id: 1, slug: "merge-captain" },
    installationId: 1,
    log: () => {},
    latencyMs: 20,
  });
  const repo = fake.state.addRepo({ owner: OWNER, name: REPO, files: REPO_FILES });
  repo.setPermission("mona", "write");
  repo.addWorkflow({ file: "tier-b.yml", name: "Tier-B", runName: RUN_NAME_TEMPLATE });
  return { fake, repo };
}

/** The server as production starts it; it prints its reconciler runs at log level info. */
async function server(f: FakeGitHub): Promise<ChildServer> {
  const child = await startChildServer(serverEnv(f, secret, { LOG_LEVEL: "info" }));
  children.push(child);
  // Its start-up reconciler run has ended (nothing to do yet, or the repairs made).
  await child.waitFor(/reconciler: /);
  return child;
}

function openPulls(repo: FakeRepo, issue: number, n: number, tag: string): Array<{ number: number; sha: string }> {
  return Array.from({ length: n }, (_, i) => openAttestedPull(repo, issue, `${tag}-${i}`));
}

/** Send without waiting for the answer (Probot answers 202 after 9 s; a killed server never answers). */
function fire(child: ChildServer, repo: FakeRepo, f: FakeGitHub, pr: number): void {
  void hooks
    .sendWebhook(child.webhookUrl, secret, "pull_request", hooks.pullRequestOpened(f.state, repo, pr))
    .catch(() => {});
}

async function until(what: string, ok: () => boolean, child?: ChildServer): Promise<void> {
  for (let i = 0; i < 1200 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!ok()) throw new Error(`timed out waiting for ${what}${child ? `; server output:\n${child.output()}` : ""}`);
}

const isCheckCreate = (r: LoggedRequest) => r.method === "POST" && r.route === "/repos/{owner}/{repo}/check-runs";
const isCommentCreate = (r: LoggedRequest) =>
  r.method === "POST" && r.route === "/repos/{owner}/{repo}/issues/{issue_number}/comments";

describe("(a) SIGKILL during a burst, then a restart", () => {
  test("every PR gets its check within the reconciler's first run; nothing is written twice", async () => {
    const { fake: f, repo } = await world();
    const issue = repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" }).number;
    const first = await server(f);
    // Five PRs: enough for a kill mid-burst; each new sticky comment waits 3 s behind Probot's
    // notification limiter, so a bigger burst only makes the test slower.
    const pulls = openPulls(repo, issue, 5, "a");
    for (const p of pulls) fire(first, repo, f, p.number);
    // Killed while the burst's writes wait behind the throttle: some checks written, the rest not.
    await until("two check runs", () => f.requests.entries.filter(isCheckCreate).length >= 2, first);
    expect(await first.kill("SIGKILL")).toBeNull();
    const beforeRestart = pulls.filter((p) => repo.checkRunsFor(p.sha).length > 0).length;
    expect(beforeRestart).toBeLessThan(pulls.length);

    const second = await server(f);
    // The start-up run repaired every PR: one merge-captain check and one sticky comment each.
    expect(pulls.map((p) => repo.checkRunsFor(p.sha).filter((c) => c.name === "merge-captain").length)).toEqual(
      pulls.map(() => 1),
    );
    expect(
      pulls.map(
        (p) => repo.commentsOn(p.number).filter((c) => c.body.startsWith("<!-- merge-captain:pr v1 -->")).length,
      ),
    ).toEqual(pulls.map(() => 1));
    expect(second.output()).toMatch(/reconciler: 1 repository, 5 open PRs, 5 looked at; repaired [1-9]\d* missing/);

    // Nothing written twice: one check created per head, one comment per PR, no write repeated.
    const writes = f.requests.writes().filter((w) => !w.route.includes("access_tokens"));
    const heads = writes.filter(isCheckCreate).map((w) => (w.body as { head_sha: string }).head_sha);
    expect(new Set(heads).size).toBe(heads.length);
    const commented = writes.filter(isCommentCreate).map((w) => w.path);
    expect(new Set(commented).size).toBe(commented.length);
    const signatures = writes.map((w) => `${w.method} ${w.path} ${JSON.stringify(w.body)}`);
    expect(signatures.filter((s, i) => signatures.indexOf(s) !== i)).toEqual([]);
  }, 120_000);
});

describe("(c) priorities: a /tier-b during a burst of 16 PR evaluations", () => {
  test("is dispatched before the burst's writes, which wait behind it", async () => {
    const { fake: f, repo } = await world();
    const issue = repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" }).number;
    const [target] = openPulls(repo, issue, 1, "t");
    // The start-up run judges the PR the maintainer will ask about; the burst comes after.
    const child = await server(f);
    expect(repo.checkRunsFor(target!.sha)).toHaveLength(1);
    const burst = openPulls(repo, issue, 16, "c");
    for (const p of burst) fire(child, repo, f, p.number);
    await until("the burst's first write", () => f.requests.entries.filter(isCheckCreate).length >= 2, child);
    const asked = repo.addComment(target!.number, { body: "/tier-b hot_path", user: "mona" });
    const mark = f.requests.mark();
    void hooks
      .sendWebhook(child.webhookUrl, secret, "issue_comment", hooks.issueCommentCreated(f.state, repo, asked.id))
      .catch(() => {});
    await until("the dispatch", () => repo.dispatches.length === 1, child);
    const after = f.requests.writes(mark);
    const dispatchAt = after.findIndex((w) => w.route.endsWith("/dispatches"));
    const burstPaths = new Set(burst.map((p) => `/repos/${OWNER}/${REPO}/issues/${p.number}/comments`));
    const burstHeads = new Set(burst.map((p) => p.sha));
    const isBurst = (w: LoggedRequest): boolean =>
      (isCheckCreate(w) && burstHeads.has((w.body as { head_sha: string }).head_sha)) || burstPaths.has(w.path);
    // Between the comment and its dispatch: the command's own writes (its Tier-B check run, the
    // verdict, the comment holding the ledger) and at most the few burst writes that already held
    // a throttle slot.
    expect(after.slice(0, dispatchAt).filter(isBurst).length).toBeLessThanOrEqual(3);
    const own = after.slice(0, dispatchAt).filter((w) => !isBurst(w));
    expect(own.map((w) => w.route)).toEqual([
      "/repos/{owner}/{repo}/check-runs",
      "/repos/{owner}/{repo}/check-runs/{check_run_id}",
      "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    ]);
    // What the person waits for goes first: the Tier-B check run.
    expect((own[0]!.body as { name: string }).name).toBe("Tier-B: hot_path");
    // Most of the burst was still waiting: its 16 checks and 16 comments are not yet written.
    const burstWritten = f.requests.writes().filter(isBurst).length;
    expect(burstWritten).toBeLessThan(burst.length);
  }, 120_000);
});

describe("SIGTERM drains", () => {
  test("the delivery in flight finishes, its check is written, the process exits 0 saying it drained", async () => {
    const { fake: f, repo } = await world();
    const issue = repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" }).number;
    const child = await server(f);
    const [pr] = openPulls(repo, issue, 1, "s");
    f.fail("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", { kind: "delay", ms: 1500 });
    const mark = f.requests.mark();
    fire(child, repo, f, pr!.number);
    // The handler has read the PR's comments: it is in flight, about to wait for the slow file list.
    await until("the handler in flight", () =>
      f.requests.since(mark).some((r) => r.route === "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    );
    expect(await child.kill("SIGTERM")).toBe(0);
    expect(child.output()).toContain("merge-captain: SIGTERM, draining");
    expect(child.output()).toContain("merge-captain: drained, exiting");
    expect(repo.checkRunsFor(pr!.sha).filter((c) => c.name === "merge-captain")).toHaveLength(1);
  }, 60_000);
});
