/** The fake GitHub's driver side for tests that seed a world: chosen issue numbers, earlier check runs, raw artifacts, a step between two reads, and reset. */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { zipSync, strToU8 } from "fflate";
import { startFakeGitHub, type FakeGitHub } from "../../src/demo/fake-github/server.js";
import type { FakeRepo } from "../../src/demo/fake-github/state.js";

let fake: FakeGitHub;
let repo: FakeRepo;
let token: string;

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    headers: { authorization: `token ${token}`, accept: "application/vnd.github+json", ...headers },
    redirect: "manual",
  });
}

beforeAll(async () => {
  fake = await startFakeGitHub({ log: () => undefined });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  repo = fake.state.addRepo({ owner: "acme", name: "nmoe", files: { "README.md": "# nmoe\n" } });
  token = fake.state.mintToken();
});

describe("issue numbers a seeded repository starts from", () => {
  test("a chosen number must be free; later issues number on from the highest, as GitHub's only grow", async () => {
    expect(repo.openIssue({ title: "seven", number: 7 }).number).toBe(7);
    expect(repo.openPullRequest({ title: "twelve", number: 12, head: { ref: "f" }, files: [] }).number).toBe(12);
    expect(repo.openIssue({ title: "eight", number: 8 }).number).toBe(8);
    expect(repo.openIssue({ title: "next" }).number).toBe(13);
    expect(() => repo.openIssue({ title: "again", number: 7 })).toThrow("already has #7");
    const listed = (await (await get("/repos/acme/nmoe/issues?state=all")).json()) as Array<{ number: number }>;
    expect(listed.map((i) => i.number).sort((a, b) => a - b)).toEqual([7, 8, 12, 13]);
  });
});

describe("check runs that exist before the story", () => {
  test("another App's run with our name lists under that App; ours under ours", async () => {
    const { pull } = repo.pull(repo.openPullRequest({ title: "pr", head: { ref: "f" }, files: [] }).number);
    repo.addCheckRun({
      name: "merge-captain",
      headSha: pull.head.sha,
      conclusion: "success",
      app: { id: 999, slug: "impostor", name: "impostor" },
    });
    const ours = repo.addCheckRun({ name: "Tier-B: smoke", headSha: pull.head.sha });
    const listed = (await (await get(`/repos/acme/nmoe/commits/${pull.head.sha}/check-runs`)).json()) as {
      check_runs: Array<{ name: string; status: string; conclusion: string | null; app: { id: number; slug: string } }>;
    };
    expect(listed.check_runs.map((r) => [r.name, r.status, r.conclusion, r.app.id, r.app.slug])).toEqual([
      ["Tier-B: smoke", "queued", null, fake.state.app.id, "merge-captain"],
      ["merge-captain", "completed", "success", 999, "impostor"],
    ]);
    expect(ours.id).toBeGreaterThan(0);
    expect(() => repo.addCheckRun({ name: "x", headSha: "0".repeat(40) })).toThrow("has no commit");
  });
});

describe("an artifact uploaded as it is", () => {
  test("the zip bytes given are the bytes downloaded through the redirect", async () => {
    repo.addWorkflow({ file: "tier-b.yml", name: "Tier-B" });
    const run = repo.addRun({ workflow: "tier-b.yml", branch: "main", actor: "maint" });
    const zip = zipSync({ "tier_b_results.json": strToU8('{"overall":"pass"}') }, { level: 0 });
    repo.completeWorkflowRun(run.id, { conclusion: "success", artifactZip: zip, artifactName: "tier-b-results" });
    const { artifacts } = (await (await get(`/repos/acme/nmoe/actions/runs/${run.id}/artifacts`)).json()) as {
      artifacts: Array<{ id: number; name: string; size_in_bytes: number }>;
    };
    expect(artifacts).toEqual([expect.objectContaining({ name: "tier-b-results", size_in_bytes: zip.length })]);
    const redirect = await get(`/repos/acme/nmoe/actions/artifacts/${artifacts[0]!.id}/zip`);
    expect(redirect.status).toBe(302);
    const blob = await fetch(redirect.headers.get("location")!);
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(zip);
  });
});

describe("a driver step between two reads", () => {
  test("afterAnswering runs once, right after the matching request is answered: that read sees the old head, the next the new one", async () => {
    const n = repo.openPullRequest({ title: "pr", head: { ref: "f" }, files: [{ filename: "a.py" }] }).number;
    const before = repo.pull(n).pull.head.sha;
    let after = "";
    fake.afterAnswering("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", () => {
      after = repo.pushToPullRequest(n, { files: [{ filename: "a.py", content: "v2\n" }] }).after;
    });
    const heads: string[] = [];
    for (let i = 0; i < 3; i++) {
      const pr = (await (await get(`/repos/acme/nmoe/pulls/${n}`)).json()) as { head: { sha: string } };
      heads.push(pr.head.sha);
    }
    expect(after).not.toBe(before);
    expect(heads).toEqual([before, after, after]);
  });
});

describe("reset", () => {
  test("a new empty world at the same URL: no repos, an empty log, no faults or pending steps, old tokens unknown", async () => {
    const url = fake.url;
    const oldToken = token;
    fake.fail("GET", "/repos/{owner}/{repo}", { kind: "status", status: 500 });
    fake.afterAnswering("GET", "/repos/{owner}/{repo}", () => {
      throw new Error("a pending step survived the reset");
    });
    expect((await get("/repos/acme/nmoe/issues")).status).toBe(200);
    fake.reset();
    expect(fake.url).toBe(url);
    expect(fake.requests.entries).toEqual([]);
    expect(fake.faults.pending()).toEqual([]);
    expect(fake.state.repos.size).toBe(0);
    expect(fake.rate.used).toBe(0);
    expect((await get("/repos/acme/nmoe")).status).toBe(401);
    token = fake.state.mintToken();
    expect(token).not.toBe(oldToken);
    expect((await get("/repos/acme/nmoe")).status).toBe(404);
    fake.state.addRepo({ owner: "acme", name: "nmoe" });
    expect((await get("/repos/acme/nmoe")).status).toBe(200);
    expect(fake.state.apiUrl).toBe(url);
  });
});
