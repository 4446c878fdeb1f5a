/** The fake GitHub's merge queue over HTTP: group commits and refs, the compare API, merging and rebuilding on required checks; issues the app opens and pins. */
import { beforeEach, afterEach, describe, expect, test } from "@jest/globals";
import { ProbotOctokit } from "probot";
import { startFakeGitHub, type FakeGitHub } from "../../src/demo/fake-github/server.js";
import type { FakeRepo } from "../../src/demo/fake-github/state.js";

let fake: FakeGitHub;
let repo: FakeRepo;
let octokit: InstanceType<typeof ProbotOctokit>;
const logLines: string[] = [];

beforeEach(async () => {
  fake = await startFakeGitHub({ log: (line) => logLines.push(line) });
  repo = fake.state.addRepo({ owner: "acme", name: "moe", files: { "README.md": "hi\n", "a.py": "a\n" } });
  octokit = new ProbotOctokit({
    auth: { token: fake.state.mintToken() },
    baseUrl: fake.url,
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  for (const n of [1, 2]) {
    const issue = repo.openIssue({ title: `[0${n}] Work ${n}`, user: "ada" });
    repo.openPullRequest({
      title: `Work ${n}`,
      user: "ada",
      head: { ref: `issue/0${n}-work` },
      files: [{ filename: `w${n}.py`, content: `${n}\n` }],
      body: `Fixes #${issue.number}`,
    });
  }
});

afterEach(async () => {
  await fake.close();
});

/** A check run as another app (or ours) would report it on a group's commit. */
function check(sha: string, conclusion: "success" | "failure"): void {
  const id = fake.state.nextId("check");
  repo.checkRuns.set(id, {
    id,
    nodeId: `CR_${id}`,
    name: "merge-captain",
    headSha: sha,
    status: "completed",
    conclusion,
    startedAt: fake.state.now(),
    completedAt: fake.state.now(),
    detailsUrl: null,
    externalId: null,
    output: { title: null, summary: null, text: null, annotations: [] },
  });
}

describe("the merge queue", () => {
  test("each entry's group is built on the one ahead, with GitHub's ref and merge commit", async () => {
    const first = repo.enqueue(2);
    const second = repo.enqueue(4);
    const main = repo.resolveRef("main")!.sha;
    expect(first).toMatchObject({ pr: 2, baseSha: main, baseRef: "refs/heads/main" });
    expect(first.headRef).toMatch(/^refs\/heads\/gh-readonly-queue\/main\/pr-2-[0-9a-f]{40}$/);
    expect(second.baseSha).toBe(first.headSha);
    const ref = await octokit.rest.git.getRef({ owner: "acme", repo: "moe", ref: second.headRef.replace("refs/", "") });
    expect(ref.data.object.sha).toBe(second.headSha);
    const entries = await octokit.rest.git.listMatchingRefs({
      owner: "acme",
      repo: "moe",
      ref: "heads/gh-readonly-queue/main/",
    });
    expect(entries.data.map((r) => [r.ref, r.object.sha])).toEqual([
      [first.headRef, first.headSha],
      [second.headRef, second.headSha],
    ]);
    const merge = repo.commits.get(second.headSha)!;
    expect(merge.message).toBe("Merge pull request #4 from acme/issue/02-work\n\nWork 2");
    expect(merge.parents).toEqual([first.headSha, repo.pull(4).pull.head.sha]);
    expect(new TextDecoder().decode(merge.files.get("w1.py"))).toBe("1\n");
    expect(new TextDecoder().decode(merge.files.get("w2.py"))).toBe("2\n");
  });

  test("compare lists what the group adds to its base, oldest first, paginated", async () => {
    repo.enqueue(2);
    const second = repo.enqueue(4);
    const res = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: "moe",
      basehead: `main...${second.headSha}`,
    });
    expect(res.data).toMatchObject({ status: "ahead", ahead_by: 4, behind_by: 0, total_commits: 4 });
    // Chronological, as GitHub lists them: both PRs' own commits predate the queue's merge commits.
    expect(res.data.commits.map((c) => c.commit.message.split("\n")[0])).toEqual([
      "Work 1",
      "Work 2",
      "Merge pull request #2 from acme/issue/01-work",
      "Merge pull request #4 from acme/issue/02-work",
    ]);
    expect(res.data.files?.map((f) => f.filename)).toEqual(["w1.py", "w2.py"]);
    const page2 = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: "acme",
      repo: "moe",
      basehead: `main...${second.headSha}`,
      per_page: 3,
      page: 2,
    });
    expect(page2.data.commits).toHaveLength(1);
    expect(page2.data.files).toBeUndefined();
    await expect(
      octokit.rest.repos.compareCommitsWithBasehead({ owner: "acme", repo: "moe", basehead: "main...nope" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  test("the first group merges once its required check passes: main moves, the PR merges, its issue closes", () => {
    const first = repo.enqueue(2);
    const second = repo.enqueue(4);
    expect(repo.settleMergeQueue()).toEqual([]);
    check(second.headSha, "success");
    expect(repo.settleMergeQueue()).toEqual([]); // the first still waits, and the queue merges in order
    check(first.headSha, "success");
    expect(repo.settleMergeQueue()).toEqual([
      { kind: "merged", group: first, closedIssues: [1] },
      { kind: "merged", group: second, closedIssues: [3] },
    ]);
    expect(repo.resolveRef("main")!.sha).toBe(second.headSha);
    expect(repo.pull(2).pull).toMatchObject({ merged: true, mergeCommitSha: first.headSha });
    expect(repo.issue(1).state).toBe("closed");
    expect(repo.isBranchOrTag(first.headRef)).toBe(false);
  });

  test("a group that fails leaves the queue, and the groups behind it are rebuilt without it", () => {
    const first = repo.enqueue(2);
    const second = repo.enqueue(4);
    check(first.headSha, "failure");
    const changes = repo.settleMergeQueue();
    expect(changes.map((c) => [c.kind, c.group.pr])).toEqual([
      ["dequeued", 2],
      ["invalidated", 4],
      ["created", 4],
    ]);
    const rebuilt = repo.mergeQueue()[0]!;
    expect(rebuilt.headSha).not.toBe(second.headSha);
    expect(rebuilt.baseSha).toBe(repo.resolveRef("main")!.sha);
    expect(repo.pull(2).pull.merged).toBe(false);
  });

  test("squash groups are one commit titled `Title (#N)`", () => {
    const group = repo.enqueue(2, { method: "squash" });
    const commit = repo.commits.get(group.headSha)!;
    expect(commit.message).toBe("Work 1 (#2)");
    expect(commit.parents).toHaveLength(1);
  });
});

describe("issues the app opens", () => {
  test("are written by the app's bot and carry the app; pinIssue pins up to three", async () => {
    const created = await octokit.rest.issues.create({ owner: "acme", repo: "moe", title: "Plan", body: "x" });
    expect(created.status).toBe(201);
    expect(created.data.user?.login).toBe("merge-captain[bot]");
    expect(created.data.performed_via_github_app?.id).toBe(fake.state.app.id);
    const pin = (id: string) =>
      octokit.graphql<{ pinIssue: { issue: { number: number } } }>(
        "mutation($id: ID!) { pinIssue(input: { issueId: $id }) { issue { number } } }",
        { id },
      );
    expect(await pin(created.data.node_id)).toEqual({ pinIssue: { issue: { number: created.data.number } } });
    await pin(repo.issue(1).nodeId);
    await pin(repo.issue(3).nodeId);
    await expect(pin(repo.issue(2).nodeId)).rejects.toThrow(/more than 3/);
    expect(repo.pinned).toEqual([created.data.number, 1, 3]);
    expect(logLines).toEqual([]);
  });

  test("a body over 65,536 characters is refused", async () => {
    await expect(
      octokit.rest.issues.create({ owner: "acme", repo: "moe", title: "Big", body: "x".repeat(65_537) }),
    ).rejects.toMatchObject({ status: 422 });
  });
});
