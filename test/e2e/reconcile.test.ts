/**
 * The reconciler, end to end: the real server against the fake GitHub over HTTP. What it repairs
 * (a PR whose webhook never arrived, a stale check, a cut-off sticky comment, a Tier-B run that
 * finished unnoticed), what an unchanged repository costs, and where it stops (budget, rate limit).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "@jest/globals";
import { startDemoWorld, type DemoWorld } from "../../src/demo/story.js";
import { GATES_TOML, openAttestedPull, resultsFile, VALID_ISSUE } from "../../src/demo/fixtures.js";
import type { FakeRepo } from "../../src/demo/fake-github/index.js";
import * as hooks from "../../src/demo/webhooks.js";

let world: DemoWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

let made = 0;
/** A contract issue (unless given) and a PR for it, created on the fake only: no webhook is sent. */
function openPull(repo: FakeRepo, issueNumber?: number): { number: number; sha: string; issue: number } {
  const issue =
    issueNumber ?? repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" }).number;
  return { ...openAttestedPull(repo, issue, `pr-${++made}`), issue };
}

function checkOf(repo: FakeRepo, sha: string, name = "merge-captain") {
  return repo.checkRunsFor(sha).filter((c) => c.name === name);
}

function sticky(repo: FakeRepo, pr: number) {
  return repo.commentsOn(pr).filter((c) => c.body.startsWith("<!-- merge-captain:pr v1 -->"));
}

/** Calls since `mark`, as "METHOD route status" lines (installation tokens left out). */
function calls(w: DemoWorld, mark: number): string[] {
  return w.fake.requests
    .since(mark)
    .filter((r) => !r.route.includes("access_tokens"))
    .map((r) => `${r.method} ${r.route} ${r.status}`);
}

describe("(b) a webhook that never arrived", () => {
  test("a PR opened with no delivery: the next reconciler run judges it, once", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const pr = openPull(repo);
    expect(checkOf(repo, pr.sha)).toHaveLength(0);
    await app.reconcileNow();
    const [check] = checkOf(repo, pr.sha);
    expect(check?.output.title).toMatch(/^Not ready/);
    expect(check?.output.summary).toContain("✅ | Scope");
    expect(sticky(repo, pr.number)).toHaveLength(1);

    // The next run sees the lists its own writes changed (200s), but no PR needs a call of its own.
    let mark = fake.requests.mark();
    await app.reconcileNow();
    expect(fake.requests.writes(mark)).toEqual([]);
    expect(calls(world, mark).filter((c) => /pulls\/\{pull_number\}|check-runs|comments/.test(c))).toEqual([]);
    // Nothing changed since: every list read is a 304; only the config's two 404s count.
    mark = fake.requests.mark();
    await app.reconcileNow();
    expect(fake.requests.writes(mark)).toEqual([]);
    expect(calls(world, mark)).toEqual([
      "GET /app/installations 304",
      "GET /installation/repositories 304",
      "GET /repos/{owner}/{repo}/contents/{path} 404",
      "GET /repos/{owner}/{repo}/contents/{path} 404",
      "GET /repos/{owner}/{repo}/pulls 304",
      "GET /repos/{owner}/{repo}/contents/{path} 304",
      "GET /repos/{owner}/{repo}/issues 304",
      "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs 304",
    ]);
  });

  test("a PR that is already judged is not judged again, and its check is not written twice", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const pr = openPull(repo);
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    const mark = fake.requests.mark();
    await app.reconcileNow();
    expect(fake.requests.writes(mark)).toEqual([]);
    expect(checkOf(repo, pr.sha)).toHaveLength(1);
    // It looked once (check and comment), found both current, and remembered it.
    expect(calls(world, mark)).toContain("GET /repos/{owner}/{repo}/commits/{ref}/check-runs 200");
    expect(calls(world, mark).filter((c) => c.startsWith("GET /repos/{owner}/{repo}/pulls/{pull_number}"))).toEqual([]);
  });
});

describe("checks older than their inputs", () => {
  test("the contract issue edited with no delivery: the linked PR is judged again", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const pr = openPull(repo);
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    await app.reconcileNow();
    expect(checkOf(repo, pr.sha)[0]!.output.summary).toContain("✅ | Scope");
    // The contract now denies the file the PR changes; the issues.edited delivery is lost.
    repo.editIssue(pr.issue, {
      body: VALID_ISSUE.replace("    - moelab/csrc/**", "    - moelab/csrc/**\n    - moelab/comm/allgather.py"),
    });
    const mark = fake.requests.mark();
    await app.reconcileNow();
    const check = checkOf(repo, pr.sha);
    expect(check).toHaveLength(1);
    expect(check[0]!.output.summary).toContain("❌ | Scope");
    expect(fake.requests.writes(mark).map((w) => `${w.method} ${w.route}`)).toEqual([
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
    ]);
  });

  test("the registry changed on the default branch: every open PR is judged again (writes only where the answer changed)", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const a = openPull(repo);
    const b = openPull(repo, a.issue);
    await app.reconcileNow();
    // A comment in the registry is no change to it: nobody is judged again.
    repo.putFile("main", "configs/gates/gates.toml", GATES_TOML + "\n# reviewed\n");
    let mark = fake.requests.mark();
    await app.reconcileNow();
    expect(calls(world, mark).filter((c) => c.startsWith("GET /repos/{owner}/{repo}/pulls/{pull_number} "))).toEqual(
      [],
    );
    // A new timeout is: both PRs are judged again; their answers did not change, so nothing is written.
    repo.putFile("main", "configs/gates/gates.toml", GATES_TOML.replace("timeout_s = 600", "timeout_s = 700"));
    mark = fake.requests.mark();
    await app.reconcileNow();
    expect(fake.requests.writes(mark)).toEqual([]);
    expect(
      calls(world, mark).filter((c) => c.startsWith("GET /repos/{owner}/{repo}/pulls/{pull_number} ")),
    ).toHaveLength(2);
    expect([checkOf(repo, a.sha).length, checkOf(repo, b.sha).length]).toEqual([1, 1]);
  });

  test("a check whose sticky comment was cut off (the process died between the two writes) gets its comment", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const pr = openPull(repo);
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    repo.comments.delete(sticky(repo, pr.number)[0]!.id);
    await app.reconcileNow();
    expect(sticky(repo, pr.number)).toHaveLength(1);
    expect(checkOf(repo, pr.sha)).toHaveLength(1);
  });
});

describe("Tier-B runs that finished without the bot noticing", () => {
  test("the completed run's results are read and posted, once", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const pr = openPull(repo);
    await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    const asked = repo.addComment(pr.number, { body: "/tier-b hot_path", user: "mona" });
    await world.send("issue_comment", hooks.issueCommentCreated(fake.state, repo, asked.id));
    const run = repo.run(repo.dispatches[0]!.runId!);
    // None of the run's workflow_run deliveries arrive.
    repo.completeWorkflowRun(run.id, {
      conclusion: "success",
      artifactName: "tier-b-results",
      artifactFiles: { "tier_b_results.json": resultsFile(pr.sha, repo.dispatches[0]!.inputs["dispatch_id"]!) },
    });
    await app.reconcileNow();
    const tierB = checkOf(repo, pr.sha, "Tier-B: hot_path");
    expect(tierB).toHaveLength(1);
    expect({ status: tierB[0]!.status, conclusion: tierB[0]!.conclusion }).toEqual({
      status: "completed",
      conclusion: "success",
    });
    expect(checkOf(repo, pr.sha)[0]!.conclusion).toBe("success");
    const mark = fake.requests.mark();
    await app.reconcileNow();
    expect(fake.requests.writes(mark)).toEqual([]);
  });
});

describe("bounded", () => {
  test("the installation's budget stops a run; the next run carries on where it stopped", async () => {
    world = await startDemoWorld({ env: { RECONCILE_INSTALLATION_BUDGET: "60" } });
    const { repo, app } = world;
    const first = openPull(repo);
    const pulls = [first, ...Array.from({ length: 5 }, () => openPull(repo, first.issue))];
    await app.reconcileNow();
    const judged = () => pulls.filter((p) => checkOf(repo, p.sha).length === 1).length;
    const afterOne = judged();
    expect(afterOne).toBeGreaterThan(0);
    expect(afterOne).toBeLessThan(pulls.length);
    for (let i = 0; i < 5 && judged() < pulls.length; i++) await app.reconcileNow();
    expect(judged()).toBe(pulls.length);
    expect(pulls.map((p) => checkOf(repo, p.sha).length)).toEqual(pulls.map(() => 1));
  });

  test("below the rate-limit floor it stops before repairing anything", async () => {
    world = await startDemoWorld();
    const { repo, fake, app } = world;
    const pr = openPull(repo);
    fake.rate.used = fake.rate.limit - 500; // 10 % left, the floor is 20 %
    await app.reconcileNow();
    expect(checkOf(repo, pr.sha)).toHaveLength(0);
    fake.rate.used = 0;
    await app.reconcileNow();
    expect(checkOf(repo, pr.sha)).toHaveLength(1);
  });

  test("an invalid config: PRs without a check get the not-verified check, nothing else", async () => {
    world = await startDemoWorld();
    const { repo, app } = world;
    const pr = openPull(repo);
    repo.putFile("main", ".github/merge-captain.yml", "tier_b:\n  workflow: 7\n");
    await app.reconcileNow();
    const [check] = checkOf(repo, pr.sha);
    expect(check?.output.title).toBe("Not verified: the merge-captain config is invalid");
    expect(sticky(repo, pr.number)).toHaveLength(0);
  });
});

describe("/recheck in an issue", () => {
  test("a maintainer's /recheck reconciles the repository now and says what it did", async () => {
    world = await startDemoWorld({ env: { RECONCILE_INTERVAL_MINUTES: "0" } });
    const { repo, fake } = world;
    const pr = openPull(repo);
    const ask = repo.addComment(pr.issue, { body: "/recheck", user: "mona" });
    await world.send("issue_comment", hooks.issueCommentCreated(fake.state, repo, ask.id));
    expect(checkOf(repo, pr.sha)).toHaveLength(1);
    const replies = repo.commentsOn(pr.issue).filter((c) => c.body.startsWith("🔁"));
    expect(replies.map((c) => c.body)).toEqual([
      "🔁 Rechecked 1 open PR (1 looked at): wrote the missing `merge-captain` check on 1 PR.",
    ]);
    expect(repo.comments.get(ask.id)!.reactions.map((r) => r.content)).toEqual(["eyes"]);
  });

  test("a read-only user's /recheck is refused, saying why, and reconciles nothing", async () => {
    world = await startDemoWorld({ env: { RECONCILE_INTERVAL_MINUTES: "0" } });
    const { repo, fake } = world;
    const pr = openPull(repo);
    const ask = repo.addComment(pr.issue, { body: "/recheck", user: "rex" });
    await world.send("issue_comment", hooks.issueCommentCreated(fake.state, repo, ask.id));
    expect(checkOf(repo, pr.sha)).toHaveLength(0);
    // One reply (no mention), the 😕, and the issue's record that rex was told: a second /recheck gets silence.
    const told = () => repo.commentsOn(pr.issue).filter((c) => c.body.includes("needs write access"));
    expect(told().map((c) => c.body)).toEqual([expect.stringContaining("`rex` needs write access to run `/recheck`")]);
    expect(told()[0]!.body).not.toContain("@rex");
    const again = repo.addComment(pr.issue, { body: "/recheck", user: "rex" });
    const mark = fake.requests.mark();
    await world.send("issue_comment", hooks.issueCommentCreated(fake.state, repo, again.id));
    expect(told()).toHaveLength(1);
    expect(fake.requests.since(mark).filter((r) => r.method !== "GET")).toEqual([]);
    expect(checkOf(repo, pr.sha)).toHaveLength(0);
  });

  test("a bot's /recheck is refused like any bot command, without a permission read", async () => {
    world = await startDemoWorld({ env: { RECONCILE_INTERVAL_MINUTES: "0" } });
    const { repo, fake } = world;
    const pr = openPull(repo);
    const agent = fake.state.addApp({ id: 4713, slug: "agent-ci" });
    const ask = repo.addComment(pr.issue, { body: "/recheck", user: agent });
    const mark = fake.requests.mark();
    await world.send("issue_comment", hooks.issueCommentCreated(fake.state, repo, ask.id));
    expect(checkOf(repo, pr.sha)).toHaveLength(0);
    expect(fake.requests.since(mark).filter((r) => r.route.includes("permission"))).toEqual([]);
    expect(repo.commentsOn(pr.issue).filter((c) => c.body.includes("is a bot"))).toHaveLength(1);
  });
});

/** Reads that count, 304s and writes since `mark` (installation tokens left out). */
function cost(w: DemoWorld, mark: number): [number, number, number] {
  const all = w.fake.requests.since(mark).filter((r) => !r.route.includes("access_tokens"));
  const writes = all.filter((r) => r.method !== "GET").length;
  const notModified = all.filter((r) => r.status === 304).length;
  return [all.length - writes - notModified, notModified, writes];
}

/** The README's conditional-reads table, `what → [reads, 304s, writes]`. */
function readmeCosts(): Map<string, [number, number, number]> {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.split("<!-- conditional-reads:start -->")[1]?.split("<!-- conditional-reads:end -->")[0] ?? "";
  const rows = new Map<string, [number, number, number]>();
  for (const line of section.split("\n")) {
    const m = /^\| (.+?) \| (\d+) \| (\d+) \| (\d+) \|$/.exec(line);
    if (m) rows.set(m[1]!, [Number(m[2]), Number(m[3]), Number(m[4])]);
  }
  return rows;
}

describe("conditional reads: what a PR event costs when nothing upstream changed (pinned; README table)", () => {
  test.each([
    ["no config file (two 404s, which carry no ETag)", {}],
    ["a config file in the repository", { ".github/merge-captain.yml": "tier_b:\n  allow_draft: false\n" }],
  ])("%s", async (what, files) => {
    world = await startDemoWorld({
      before: (_f, repo) => {
        for (const [path, text] of Object.entries(files)) repo.putFile("main", path, text);
      },
    });
    const w = world;
    const pr = openPull(w.repo);
    await w.send("pull_request", hooks.pullRequestOpened(w.fake.state, w.repo, pr.number));
    // The body gains a line the verdict does not read: the answer is unchanged.
    w.repo.editPullRequest(pr.number, { body: `${w.repo.issue(pr.number).body ?? ""}\nThanks!\n` });
    const edited = () => hooks.pullRequestEdited(w.fake.state, w.repo, pr.number, { body: { from: "" } });
    let mark = w.fake.requests.mark();
    await w.send("pull_request", edited());
    const first = cost(w, mark);
    // Delivered again (GitHub's redelivery has a new id): now every list is unchanged.
    mark = w.fake.requests.mark();
    await w.send("pull_request", edited());
    const again = cost(w, mark);
    const rows = readmeCosts();
    expect([first, again]).toEqual([
      rows.get(`\`pull_request.edited\` (body, verdict unchanged) right after the bot's own writes; ${what}`),
      rows.get(`the same event again, nothing upstream changed; ${what}`),
    ]);
    expect(again[0]).toBeLessThanOrEqual(6);
    expect(first[2] + again[2]).toBe(0);
  });
});
