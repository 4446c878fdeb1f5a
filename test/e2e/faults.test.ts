import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { startDemoWorld, type DemoWorld } from "../../src/demo/story.js";
import { attestation, VALID_ISSUE } from "../../src/demo/fixtures.js";
import * as hooks from "../../src/demo/webhooks.js";

let world: DemoWorld;
beforeEach(async () => {
  world = await startDemoWorld();
});
afterEach(async () => {
  await world.close();
});

function openGoodPull(): { number: number; sha: string } {
  const { repo } = world;
  // Written by a maintainer, so the contract counts with no /accept.
  const issue = repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" });
  const sha = "c3".repeat(20);
  const pr = repo.openPullRequest({
    title: "Fused",
    user: "ada",
    head: { ref: "issue/01-fused", sha },
    files: [{ filename: "moelab/comm/allgather.py", content: "y\n" }],
    body: attestation("01", sha, repo.resolveRef("main")!.sha, issue.number),
  });
  return { number: pr.number, sha };
}

/** A maintainer comments `/tier-b hot_path` on the PR, and the app receives it. */
async function askForTierB(pr: { number: number }): Promise<void> {
  const asked = world.repo.addComment(pr.number, { body: "/tier-b hot_path", user: "mona" });
  await world.send("issue_comment", hooks.issueCommentCreated(world.fake.state, world.repo, asked.id));
}

/** Every comment on the PR, as one text. */
function thread(pr: { number: number }): string {
  return world.repo
    .commentsOn(pr.number)
    .map((c) => c.body)
    .join("\n");
}

describe("GitHub failing under the app (fault injection over HTTP)", () => {
  test("a 502 while listing the PR's files: the check says not verified, and a redelivery gives the real verdict", async () => {
    const { fake, repo, app, secret } = world;
    const pr = openGoodPull();
    fake.fail("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", { kind: "status", status: 502 });
    const first = await hooks.sendWebhook(
      app.webhookUrl,
      secret,
      "pull_request",
      hooks.pullRequestOpened(fake.state, repo, pr.number),
    );
    expect(first.status).toBeGreaterThanOrEqual(500); // Probot reports the failed delivery, so it can be redelivered
    const failed = repo
      .checkRunsFor(pr.sha)
      .filter((c) => c.name === "merge-captain")
      .at(-1);
    expect({ conclusion: failed?.conclusion, title: failed?.output.title }).toEqual({
      conclusion: "failure",
      title: "Not verified: GitHub's API failed while checking this PR",
    });

    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    const checks = repo.checkRunsFor(pr.sha).filter((c) => c.name === "merge-captain");
    expect(checks).toHaveLength(1); // the same check run, updated
    expect(checks[0]!.output.title).toMatch(/^Not ready/);
    expect(checks[0]!.output.summary).toContain("✅ | Scope");
  });

  test('"Re-run" on the merge-captain check after a failure evaluates the PR again', async () => {
    const { fake, repo, app, secret } = world;
    const pr = openGoodPull();
    fake.fail("GET", "/repos/{owner}/{repo}/issues", { kind: "status", status: 500 });
    await hooks.sendWebhook(
      app.webhookUrl,
      secret,
      "pull_request",
      hooks.pullRequestOpened(fake.state, repo, pr.number),
    );
    const check = repo.checkRunsFor(pr.sha).find((c) => c.name === "merge-captain")!;
    expect(check.output.title).toMatch(/^Not verified/);
    await world.send("check_run", hooks.checkRunRerequested(fake.state, repo, check.id, "mona"));
    expect(repo.checkRunsFor(pr.sha).find((c) => c.name === "merge-captain")!.output.title).toMatch(/^Not ready/);
  });

  test('"Re-run" while GitHub fails: the check says not verified, like a PR event would', async () => {
    const { fake, repo, app, secret } = world;
    const pr = openGoodPull();
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    const check = repo.checkRunsFor(pr.sha).find((c) => c.name === "merge-captain")!;
    expect(check.output.title).toMatch(/^Not ready/);
    fake.fail("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", { kind: "status", status: 502 });
    const rerun = await hooks.sendWebhook(
      app.webhookUrl,
      secret,
      "check_run",
      hooks.checkRunRerequested(fake.state, repo, check.id, "mona"),
    );
    expect(rerun.status).toBeGreaterThanOrEqual(500);
    expect(repo.checkRunsFor(pr.sha).find((c) => c.name === "merge-captain")!.output.title).toBe(
      "Not verified: GitHub's API failed while checking this PR",
    );
  });

  test("the dispatch's response is lost: one run, tracked by its dispatch id, never dispatched twice", async () => {
    const { fake, repo } = world;
    const pr = openGoodPull();
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    fake.fail("POST", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", { kind: "response-lost" });
    await askForTierB(pr);
    expect(repo.dispatches).toHaveLength(1);
    expect(thread(pr)).toContain("GitHub did not confirm the Tier-B dispatch");

    // The same command again (a second maintainer, or a retry): a duplicate, not a second run.
    await askForTierB(pr);
    expect(repo.dispatches).toHaveLength(1);

    // The run GitHub did start is tied to the dispatch when its event arrives.
    const runId = repo.dispatches[0]!.runId!;
    await world.send("workflow_run", hooks.workflowRunRequested(fake.state, repo, runId));
    const tierB = repo.checkRunsFor(pr.sha).filter((c) => c.name === "Tier-B: hot_path");
    expect(tierB).toHaveLength(1);
    expect(tierB[0]!.detailsUrl).toContain(`/actions/runs/${runId}`);
  });
});

describe("the PR's sticky comment (and its ledger) is deleted while a run is queued", () => {
  test("a second /tier-b is a duplicate found from the run's name, and the run keeps its one check run", async () => {
    const { fake, repo } = world;
    const pr = openGoodPull();
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    await askForTierB(pr);
    expect(repo.dispatches).toHaveLength(1);
    // Someone deletes the bot's sticky comment: the ledger is gone.
    const sticky = repo.commentsOn(pr.number).find((c) => c.body.startsWith("<!-- merge-captain:pr v1 -->"))!;
    repo.comments.delete(sticky.id);
    expect(repo.commentsOn(pr.number).some((c) => c.id === sticky.id)).toBe(false);

    await askForTierB(pr);
    expect(repo.dispatches).toHaveLength(1);
    expect(thread(pr)).toContain("already queued");

    await world.send("workflow_run", hooks.workflowRunRequested(fake.state, repo, repo.dispatches[0]!.runId!));
    expect(repo.checkRunsFor(pr.sha).filter((c) => c.name === "Tier-B: hot_path")).toHaveLength(1);
  });
});

describe("bounded cost on a very busy repository", () => {
  test("with 1,100 open issues a PR event reads at most 10 pages of them", async () => {
    const { fake, repo } = world;
    for (let i = 0; i < 1100; i++) repo.openIssue({ title: `Question ${i}`, body: "How do I…?" });
    const pr = openGoodPull();
    const mark = fake.requests.mark();
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    expect(fake.requests.count("GET", "/repos/{owner}/{repo}/issues", mark)).toBe(10);
    // The closing keyword still links the contract issue, which is the newest.
    const check = repo.checkRunsFor(pr.sha).find((c) => c.name === "merge-captain")!;
    expect(check.output.summary).toContain("✅ | Contract found & valid");
  });
});
