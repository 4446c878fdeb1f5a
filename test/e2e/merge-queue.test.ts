/** GitHub's merge queue, end to end over HTTP: the real server, the fake GitHub's queue, signed `merge_group` webhooks. */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { startDemoWorld, type DemoWorld } from "../../src/demo/story.js";
import { CACHE, EVICT, openWorkItem, openWorkItemIssue, workItemPull } from "../../src/demo/queue-fixtures.js";
import { resultsFile } from "../../src/demo/fixtures.js";
import type { LoggedRequest } from "../../src/demo/fake-github/index.js";
import * as hooks from "../../src/demo/webhooks.js";

let world: DemoWorld;
beforeEach(async () => {
  world = await startDemoWorld();
});
afterEach(async () => {
  await world.close();
});

const sha = (c: string) => c.repeat(40).slice(0, 40);

function groupCheck(headSha: string) {
  return world.repo
    .checkRunsFor(headSha)
    .filter((c) => c.name === "merge-captain")
    .at(-1);
}

/** What the app asked of GitHub while `act` ran (the token exchange aside). */
async function calls(act: () => Promise<void>): Promise<{ reads: LoggedRequest[]; writes: LoggedRequest[] }> {
  const mark = world.fake.requests.mark();
  await act();
  const all = world.fake.requests.since(mark).filter((r) => !r.route.includes("access_tokens"));
  const writes = all.filter((r) => r.method !== "GET");
  return { reads: all.filter((r) => r.method === "GET"), writes };
}

async function requestChecks(group: ReturnType<DemoWorld["repo"]["enqueue"]>): Promise<void> {
  await world.send("merge_group", hooks.mergeGroupChecksRequested(world.fake.state, world.repo, group, "mona"));
}

describe("merge_group.checks_requested", () => {
  test("a queue of three PRs where the second depends on the first: every group green, and the queue merges them", async () => {
    const a = await openWorkItem(world, CACHE, sha("a"));
    const b = await openWorkItem(world, { ...EVICT, dependsOn: ["05"] }, sha("b"));
    const c = await openWorkItem(world, { id: "07", slug: "docs", file: "moelab/docs/c.py" }, sha("c"));
    // On its own, the dependant is red: its dependency is still open.
    expect(groupCheck(b.sha)?.conclusion).toBe("failure");
    const groups = [world.repo.enqueue(a.pr), world.repo.enqueue(b.pr), world.repo.enqueue(c.pr)];

    const cost = await calls(() => requestChecks(groups[2]!));
    const check = groupCheck(groups[2]!.headSha)!;
    expect({ conclusion: check.conclusion, title: check.output.title }).toEqual({
      conclusion: "success",
      title: `Ready to merge: #${a.pr}, #${b.pr}, #${c.pr}`,
    });
    expect(check.output.summary).toContain(
      `| 2 | #${b.pr} | \`06\` (#${b.issue}) | ✅ green in this group | Not ready: 1 criterion failed | \`05\` is done by #${a.pr}, ahead in this group |`,
    );
    // config (2: no file, so the owner's .github too), registry, compare, open PRs, queue refs, open
    // issues, each PR's check (3); the red one is evaluated again (PR, sticky, files, its check: 4,
    // and it writes nothing: its verdict did not change); the group's check (1); one write.
    expect({ reads: cost.reads.length, writes: cost.writes.map((w) => `${w.method} ${w.route}`) }).toEqual({
      reads: 15,
      writes: ["POST /repos/{owner}/{repo}/check-runs"],
    });

    await requestChecks(groups[0]!);
    await requestChecks(groups[1]!);
    expect(world.repo.settleMergeQueue().map((m) => [m.kind, m.group.pr])).toEqual([
      ["merged", a.pr],
      ["merged", b.pr],
      ["merged", c.pr],
    ]);
    expect(world.repo.resolveRef("main")!.sha).toBe(groups[2]!.headSha);
  });

  test("a group whose two PRs share a merge hotspot: red, naming both", async () => {
    const a = await openWorkItem(world, { ...CACHE, hotspots: ["moelab/model.py"] }, sha("a"));
    const b = await openWorkItem(world, { ...EVICT, hotspots: ["moelab/model.py"] }, sha("b"));
    // Each is green on its own (the shared hotspot is only a warning there).
    expect([groupCheck(a.sha)?.conclusion, groupCheck(b.sha)?.conclusion]).toEqual(["success", "success"]);
    const first = world.repo.enqueue(a.pr);
    const second = world.repo.enqueue(b.pr);
    await requestChecks(second);
    const check = groupCheck(second.headSha)!;
    expect({ conclusion: check.conclusion, title: check.output.title }).toEqual({
      conclusion: "failure",
      title: `Not ready: #${a.pr} and #${b.pr} both change the merge hotspot \`moelab/model.py\``,
    });
    expect(check.output.text).toContain(`let #${a.pr} merge first, then queue #${b.pr} again on top of it`);
    // The first group, alone, is green and merges; the second leaves the queue, to be queued again on top.
    await requestChecks(first);
    expect(groupCheck(first.headSha)?.conclusion).toBe("success");
    expect(world.repo.settleMergeQueue().map((m) => [m.kind, m.group.pr])).toEqual([
      ["merged", a.pr],
      ["dequeued", b.pr],
    ]);
  });

  test("a group containing a PR that turned red after a push: red, and the PR's own check is evaluated on its new head", async () => {
    const a = await openWorkItem(world, CACHE, sha("a"));
    const b = await openWorkItem(world, EVICT, sha("b"));
    world.repo.enqueue(a.pr);
    // B is pushed to; its synchronize event never arrives, and its attestation still names the old head.
    world.repo.pushToPullRequest(b.pr, {
      sha: sha("d"),
      files: [{ filename: EVICT.file, content: "# changed\n" }],
    });
    const second = world.repo.enqueue(b.pr);
    await requestChecks(second);
    const check = groupCheck(second.headSha)!;
    expect({ conclusion: check.conclusion, title: check.output.title }).toEqual({
      conclusion: "failure",
      title: `Not ready: #${b.pr} is not green on its own head: Attestation about this head`,
    });
    expect(groupCheck(sha("d"))?.output.title).toMatch(/^Not ready/);
  });

  test("with GitHub's API failing, the group's check says not verified and the delivery can be retried", async () => {
    const a = await openWorkItem(world, CACHE, sha("a"));
    const group = world.repo.enqueue(a.pr);
    world.fake.fail("GET", "/repos/{owner}/{repo}/compare/{basehead}", { kind: "status", status: 502 });
    const first = await hooks.sendWebhook(
      world.app.webhookUrl,
      world.secret,
      "merge_group",
      hooks.mergeGroupChecksRequested(world.fake.state, world.repo, group, "mona"),
    );
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(groupCheck(group.headSha)?.output.title).toBe(
      "Not verified: GitHub's API failed while checking this merge group",
    );
    await requestChecks(group);
    expect(groupCheck(group.headSha)?.conclusion).toBe("success");
  });
});

describe("dependency edges both ways", () => {
  test("closing a dependency's issue re-evaluates the PR that depends on it", async () => {
    const a = await openWorkItem(world, CACHE, sha("a"));
    const b = await openWorkItem(world, { ...EVICT, dependsOn: ["05"] }, sha("b"));
    expect(groupCheck(b.sha)?.output.summary).toContain("❌ | Dependencies done");
    world.repo.setIssueState(a.issue, "closed");
    const cost = await calls(() =>
      world.send("issues", hooks.issuesClosed(world.fake.state, world.repo, a.issue, "mona")),
    );
    expect(groupCheck(b.sha)?.conclusion).toBe("success");
    expect(groupCheck(b.sha)?.output.summary).toContain("✅ | Dependencies done");
    // The dependant's check and sticky comment change — and so do those of the PR still linked to
    // the closed issue (here it was closed by hand, not by merging that PR): its contract no longer counts.
    expect(groupCheck(a.sha)?.output.summary).toContain("is closed, so its contract does not apply");
    expect(cost.writes.map((w) => `${w.method} ${w.route}`)).toEqual([
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
    ]);
    // config (2), registry, open issues, open PRs; the dependant: PR, sticky, files, the dependency's
    // lookup (search: it is closed now), its check; the closed issue's own PR: PR, sticky, files, the issue, its check.
    expect(cost.reads.length).toBe(15);
  });

  test("closing an issue nothing depends on re-evaluates only the PR still linked to it", async () => {
    const a = await openWorkItem(world, CACHE, sha("a"));
    world.repo.setIssueState(a.issue, "closed");
    const cost = await calls(() =>
      world.send("issues", hooks.issuesClosed(world.fake.state, world.repo, a.issue, "mona")),
    );
    // config (2), registry, open issues, open PRs; the linked PR: PR, sticky, files, its (closed) issue, its check.
    expect({ reads: cost.reads.length, writes: cost.writes.length }).toEqual({ reads: 10, writes: 2 });
    expect(groupCheck(a.sha)?.conclusion).toBe("failure");
    expect(workItemPull("05", sha("a"), a.issue)).toContain(`Fixes #${a.issue}`);
  });

  test("closing an issue nothing depends on and no open PR links costs the config and the lists, and writes nothing", async () => {
    const issue = await openWorkItemIssue(world, CACHE);
    world.repo.setIssueState(issue, "closed");
    const cost = await calls(() =>
      world.send("issues", hooks.issuesClosed(world.fake.state, world.repo, issue, "mona")),
    );
    // config (2), registry, open issues, open PRs.
    expect({ reads: cost.reads.length, writes: cost.writes.length }).toEqual({ reads: 5, writes: 0 });
  });
});

describe("merge_queue.tier_b: rerun", () => {
  test("the group's commit runs Tier-B (pinned to it, from the queue's branch) before its check turns green", async () => {
    const { fake, repo } = world;
    repo.putFile("main", ".github/merge-captain.yml", "merge_queue:\n  tier_b: rerun\n");
    const a = await openWorkItem(world, { ...CACHE, gates: ["cpu:import", "b200:smoke_1x10"] }, sha("a"));
    // The PR itself gets green through Tier-B on its own head first.
    const asked = repo.addComment(a.pr, { body: "/tier-b hot_path", user: "mona" });
    await world.send("issue_comment", hooks.issueCommentCreated(fake.state, repo, asked.id));
    const prRun = repo.dispatches[0]!;
    repo.completeWorkflowRun(prRun.runId!, {
      conclusion: "success",
      artifactName: "tier-b-results",
      artifactFiles: { "tier_b_results.json": resultsFile(a.sha, prRun.inputs["dispatch_id"]!) },
    });
    await world.send("workflow_run", hooks.workflowRunCompleted(fake.state, repo, prRun.runId!));
    expect(groupCheck(a.sha)?.conclusion).toBe("success");

    const group = repo.enqueue(a.pr);
    await requestChecks(group);
    expect(groupCheck(group.headSha)).toMatchObject({
      status: "in_progress",
      output: { title: "Waiting: Tier-B on the merge group's commit" },
    });
    const groupRun = repo.dispatches[1]!;
    expect(groupRun.inputs).toMatchObject({
      pr_number: String(a.pr),
      bundle: "hot_path",
      head_sha: group.headSha,
      merge_group_ref: group.headRef.replace("refs/heads/", ""),
    });
    expect(repo.checkRunsFor(group.headSha).map((c) => c.name)).toContain("Tier-B: hot_path");
    // The same event again does not start a second run.
    await requestChecks(group);
    expect(repo.dispatches).toHaveLength(2);

    repo.completeWorkflowRun(groupRun.runId!, {
      conclusion: "success",
      artifactName: "tier-b-results",
      artifactFiles: { "tier_b_results.json": resultsFile(group.headSha, groupRun.inputs["dispatch_id"]!) },
    });
    await world.send("workflow_run", hooks.workflowRunCompleted(fake.state, repo, groupRun.runId!));
    expect(groupCheck(group.headSha)).toMatchObject({
      conclusion: "success",
      output: { title: `Ready to merge: #${a.pr}` },
    });
    expect(groupCheck(group.headSha)?.output.summary).toContain("Tier-B passed on the group's commit");
    // The PR's own verdict still rests on its own head.
    expect(groupCheck(a.sha)?.conclusion).toBe("success");
    expect(repo.settleMergeQueue().map((m) => m.kind)).toEqual(["merged"]);
  });
});
