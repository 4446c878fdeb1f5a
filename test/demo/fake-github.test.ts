/** The fake GitHub over real HTTP: pagination, 404s, 422s, contents, artifacts, faults, auth and the request log. */
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { generateKeyPairSync } from "node:crypto";
import { strFromU8, unzipSync } from "fflate";
import { ProbotOctokit } from "probot";
import { startFakeGitHub, type FakeGitHub } from "../../src/demo/fake-github/server.js";
import type { FakeRepo } from "../../src/demo/fake-github/state.js";
import type { Fault } from "../../src/demo/fake-github/faults.js";

let fake: FakeGitHub;
let repo: FakeRepo;
let token: string;
const logLines: string[] = [];
const BIG_PR = 1;

/** A plain `fetch` with the installation token, JSON body when given. */
async function api(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, accept: "application/vnd.github+json", ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    redirect: "manual",
  });
}

function octokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { token },
    baseUrl: fake.url,
    retry: { enabled: false },
    throttle: { enabled: false },
  });
}

/** Parse a `Link` header into `{rel: url}`. */
function links(header: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(",")) {
    const m = /<([^>]+)>;\s*rel="(\w+)"/.exec(part.trim());
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[2]] = m[1];
  }
  return out;
}

beforeAll(async () => {
  fake = await startFakeGitHub({ log: (line) => logLines.push(line) });
  repo = fake.state.addRepo({
    owner: "nmoe-org",
    name: "nmoe",
    files: { "README.md": "# nmoe\n", ".github/merge-captain.yml": "tier_b:\n  workflow: tier-b.yml\n" },
  });
  token = fake.state.mintToken();
  repo.openPullRequest({
    title: "Huge refactor",
    user: "alice",
    head: { ref: "alice/huge" },
    files: Array.from({ length: 3500 }, (_, i) => ({
      filename: `src/file_${String(i).padStart(4, "0")}.py`,
      status: "added" as const,
    })),
  });
});

afterAll(async () => {
  await fake.close();
});

describe("pull request files: pagination like GitHub", () => {
  test.each([
    { query: "", count: 30, next: "2", last: "100" },
    { query: "?per_page=100", count: 100, next: "2", last: "30" },
    { query: "?per_page=500", count: 100, next: "2", last: "30" },
    { query: "?per_page=100&page=30", count: 100, next: undefined, last: undefined },
    { query: "?per_page=100&page=31", count: 0, next: undefined, last: undefined },
  ])("GET files$query → $count files, next=$next, last=$last", async ({ query, count, next, last }) => {
    const res = await api("GET", `/repos/nmoe-org/nmoe/pulls/${BIG_PR}/files${query}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBe(count);
    const rel = links(res.headers.get("link"));
    expect(rel["next"] === undefined ? undefined : new URL(rel["next"]).searchParams.get("page")).toBe(next);
    expect(rel["last"] === undefined ? undefined : new URL(rel["last"]).searchParams.get("page")).toBe(last);
  });

  test("a middle page links prev, next, last and first in GitHub's order", async () => {
    const res = await api("GET", `/repos/nmoe-org/nmoe/pulls/${BIG_PR}/files?per_page=100&page=2`);
    expect(Object.keys(links(res.headers.get("link")))).toEqual(["prev", "next", "last", "first"]);
  });

  test("following `next` links yields exactly the first 3000 files, though 3500 changed", async () => {
    const seen: string[] = [];
    let url: string | undefined = `/repos/nmoe-org/nmoe/pulls/${BIG_PR}/files?per_page=100`;
    while (url !== undefined) {
      const res = await api("GET", url.replace(fake.url, ""));
      seen.push(...((await res.json()) as { filename: string }[]).map((f) => f.filename));
      url = links(res.headers.get("link"))["next"];
    }
    expect(seen).toHaveLength(3000);
    expect(seen.at(-1)).toBe("src/file_2999.py");
    const pull = (await (await api("GET", `/repos/nmoe-org/nmoe/pulls/${BIG_PR}`)).json()) as { changed_files: number };
    expect(pull.changed_files).toBe(3500);
  });

  test("Octokit's paginate stops at the cap too", async () => {
    const files = await octokit().paginate(octokit().rest.pulls.listFiles, {
      owner: "nmoe-org",
      repo: "nmoe",
      pull_number: BIG_PR,
      per_page: 100,
    });
    expect(files).toHaveLength(3000);
  });
});

describe("unknown routes answer 404 and say so", () => {
  test.each([
    {
      what: "an OpenAPI route the fake does not implement",
      method: "GET",
      path: "/repos/nmoe-org/nmoe/releases",
      line: "fake GitHub: no handler for GET /repos/{owner}/{repo}/releases",
    },
    {
      what: "a path GitHub does not have",
      method: "GET",
      path: "/definitely/not/github",
      line: "fake GitHub: no route for GET /definitely/not/github",
    },
    {
      what: "a method the path does not take",
      method: "DELETE",
      path: "/repos/nmoe-org/nmoe/pulls/1/files",
      line: "fake GitHub: no route for DELETE /repos/{owner}/{repo}/pulls/{pull_number}/files",
    },
  ])("$what", async ({ method, path, line }) => {
    const res = await api(method, path);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe("Not Found");
    expect(logLines.some((l) => l.startsWith(line))).toBe(true);
  });

  test("a repo that does not exist is 404", async () => {
    expect((await api("GET", "/repos/nmoe-org/nope")).status).toBe(404);
  });
});

describe("request bodies are validated against GitHub's OpenAPI schema and limits", () => {
  const annotation = { path: "a.py", start_line: 1, end_line: 1, annotation_level: "notice", message: "m" };
  test.each([
    {
      what: "check run without name",
      path: "/repos/nmoe-org/nmoe/check-runs",
      body: () => ({ head_sha: repo.resolveRef("main")?.sha }),
      says: `"name" wasn't supplied.`,
    },
    {
      what: "check run without head_sha",
      path: "/repos/nmoe-org/nmoe/check-runs",
      body: () => ({ name: "merge-captain" }),
      says: `"head_sha" wasn't supplied.`,
    },
    {
      what: "51 annotations",
      path: "/repos/nmoe-org/nmoe/check-runs",
      body: () => ({
        name: "x",
        head_sha: repo.resolveRef("main")?.sha,
        output: { title: "t", summary: "s", annotations: Array.from({ length: 51 }, () => annotation) },
      }),
      says: "(maximum is 50)",
    },
    {
      what: "summary over 65535 chars",
      path: "/repos/nmoe-org/nmoe/check-runs",
      body: () => ({
        name: "x",
        head_sha: repo.resolveRef("main")?.sha,
        output: { title: "t", summary: "s".repeat(65536) },
      }),
      says: "(maximum is 65535)",
    },
    {
      what: "a head_sha that is not a commit",
      path: "/repos/nmoe-org/nmoe/check-runs",
      body: () => ({ name: "x", head_sha: "0".repeat(40) }),
      says: "No commit found for SHA",
    },
    {
      what: "a wrongly typed field",
      path: "/repos/nmoe-org/nmoe/issues/1/comments",
      body: () => ({ body: 42 }),
      says: "For 'properties/body', 42 is not a string.",
    },
  ])("$what → 422", async ({ path, body, says }) => {
    const res = await api("POST", path, body());
    expect(res.status).toBe(422);
    const json = (await res.json()) as { message: string; documentation_url: string };
    expect(json.message.startsWith("Invalid request.\n\n")).toBe(true);
    expect(json.message).toContain(says);
    expect(json.documentation_url).toMatch(/^https:\/\/docs\.github\.com\//);
  });

  test("a body that is not JSON is 400", async () => {
    const res = await fetch(`${fake.url}/repos/nmoe-org/nmoe/issues/1/comments`, {
      method: "POST",
      headers: { authorization: `token ${token}` },
      body: "{nope",
    });
    expect(res.status).toBe(400);
  });
});

describe("contents at a ref", () => {
  test("JSON with base64 by default, raw bytes on request, 404 when missing, old content at an old SHA", async () => {
    const oldSha = repo.resolveRef("main")?.sha ?? "";
    repo.putFile("main", "configs/gates.toml", "[gates]\nid = 1\n");
    const json = (await (await api("GET", "/repos/nmoe-org/nmoe/contents/configs/gates.toml")).json()) as {
      encoding: string;
      content: string;
      type: string;
    };
    expect(json.type).toBe("file");
    expect(json.encoding).toBe("base64");
    expect(Buffer.from(json.content, "base64").toString()).toBe("[gates]\nid = 1\n");
    for (const accept of [
      "application/vnd.github.raw",
      "application/vnd.github.raw+json",
      "application/vnd.github.v3.raw",
    ]) {
      const raw = await api("GET", "/repos/nmoe-org/nmoe/contents/configs/gates.toml?ref=main", undefined, { accept });
      expect(await raw.text()).toBe("[gates]\nid = 1\n");
    }
    expect((await api("GET", `/repos/nmoe-org/nmoe/contents/configs/gates.toml?ref=${oldSha}`)).status).toBe(404);
    expect((await api("GET", "/repos/nmoe-org/nmoe/contents/nope.txt")).status).toBe(404);
  });

  test("Probot's config plugin reads a repo config through the fake", async () => {
    const { config } = await octokit().config.get({
      owner: "nmoe-org",
      repo: "nmoe",
      path: ".github/merge-captain.yml",
    });
    expect(config).toEqual({ tier_b: { workflow: "tier-b.yml" } });
  });
});

describe("workflow dispatch, runs and artifacts", () => {
  test("a dispatch records its inputs, names the run from run-name, and the artifact downloads as a zip via redirect", async () => {
    repo.addWorkflow({
      file: "tier-b.yml",
      name: "Tier-B",
      runName: "Tier-B ${{ inputs.dispatch_id }}",
      inputs: { dispatch_id: { required: true }, pr_number: {} },
    });
    const res = await api("POST", "/repos/nmoe-org/nmoe/actions/workflows/tier-b.yml/dispatches", {
      ref: "main",
      inputs: { dispatch_id: "d-42", pr_number: "1" },
    });
    expect(res.status).toBe(204);
    expect(repo.dispatches.at(-1)?.inputs).toEqual({ dispatch_id: "d-42", pr_number: "1" });

    const runs = (await (await api("GET", "/repos/nmoe-org/nmoe/actions/runs?event=workflow_dispatch")).json()) as {
      total_count: number;
      workflow_runs: { id: number; display_title: string; status: string }[];
    };
    const run = runs.workflow_runs[0];
    expect(run).toMatchObject({ display_title: "Tier-B d-42", status: "queued" });

    repo.completeWorkflowRun(run?.id ?? 0, {
      conclusion: "success",
      artifactFiles: { "tier_b_results.json": '{"gates":[]}' },
    });
    const artifacts = (await (await api("GET", `/repos/nmoe-org/nmoe/actions/runs/${run?.id}/artifacts`)).json()) as {
      artifacts: { id: number; name: string }[];
    };
    expect(artifacts.artifacts.map((a) => a.name)).toEqual(["tier_b_results"]);

    const redirect = await api("GET", `/repos/nmoe-org/nmoe/actions/artifacts/${artifacts.artifacts[0]?.id}/zip`);
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location") ?? "";
    const zip = new Uint8Array(await (await fetch(location)).arrayBuffer());
    expect(strFromU8(unzipSync(zip)["tier_b_results.json"] ?? new Uint8Array())).toBe('{"gates":[]}');

    const viaOctokit = await octokit().rest.actions.downloadArtifact({
      owner: "nmoe-org",
      repo: "nmoe",
      artifact_id: artifacts.artifacts[0]?.id ?? 0,
      archive_format: "zip",
    });
    expect(Object.keys(unzipSync(new Uint8Array(viaOctokit.data as ArrayBuffer)))).toEqual(["tier_b_results.json"]);
  });

  test.each([
    {
      what: "a SHA instead of a branch",
      body: () => ({ ref: repo.resolveRef("main")?.sha, inputs: { dispatch_id: "x" } }),
      says: "No ref found for",
    },
    {
      what: "a non-string input",
      body: () => ({ ref: "main", inputs: { dispatch_id: "x", pr_number: 7 } }),
      says: "7 is not a string",
    },
    {
      what: "an undeclared input",
      body: () => ({ ref: "main", inputs: { dispatch_id: "x", extra: "y" } }),
      says: 'Unexpected inputs provided: ["extra"]',
    },
    {
      what: "a missing required input",
      body: () => ({ ref: "main", inputs: {} }),
      says: "Required input 'dispatch_id' not provided",
    },
    {
      what: "more than 25 inputs",
      body: () => ({ ref: "main", inputs: Object.fromEntries(Array.from({ length: 26 }, (_, i) => [`i${i}`, "v"])) }),
      says: "(maximum is 25)",
    },
  ])("dispatch with $what → 422", async ({ body, says }) => {
    const res = await api("POST", "/repos/nmoe-org/nmoe/actions/workflows/tier-b.yml/dispatches", body());
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toContain(says);
  });

  test("deployment protection rule reviews are recorded and need a pending request", async () => {
    repo.recordDispatch(
      repo.findWorkflow("tier-b.yml") ?? repo.addWorkflow({ file: "tier-b.yml", name: "Tier-B" }),
      "main",
      { dispatch_id: "d-43" },
      fake.state.bot,
    );
    const run = [...repo.runs.values()].at(-1);
    const path = `/repos/nmoe-org/nmoe/actions/runs/${run?.id}/deployment_protection_rule`;
    expect((await api("POST", path, { environment_name: "gpu", state: "approved" })).status).toBe(422);
    repo.requestDeploymentReview(run?.id ?? 0, "gpu");
    expect(
      (await api("POST", path, { environment_name: "gpu", state: "rejected", comment: "head moved" })).status,
    ).toBe(204);
    expect(repo.protectionReviews.at(-1)).toMatchObject({
      environment: "gpu",
      state: "rejected",
      comment: "head moved",
    });
    expect((await api("POST", `/repos/nmoe-org/nmoe/actions/runs/${run?.id}/cancel`)).status).toBe(409);
  });
});

describe("faults on demand", () => {
  const route = "/repos/{owner}/{repo}/issues/{issue_number}/comments";
  test.each<{ fault: Fault; status: number; headers: Record<string, string> }>([
    { fault: { kind: "status", status: 500 }, status: 500, headers: {} },
    { fault: { kind: "status", status: 502 }, status: 502, headers: {} },
    { fault: { kind: "rate-limit" }, status: 403, headers: { "x-ratelimit-remaining": "0" } },
    { fault: { kind: "retry-after", seconds: 7 }, status: 429, headers: { "retry-after": "7" } },
    { fault: { kind: "delay", ms: 5 }, status: 201, headers: {} },
  ])("$fault.kind $status, once, then normal", async ({ fault, status, headers }) => {
    const before = repo.commentsOn(BIG_PR).length;
    fake.fail("POST", route, fault);
    const first = await api("POST", `/repos/nmoe-org/nmoe/issues/${BIG_PR}/comments`, { body: "hi" });
    expect(first.status).toBe(status);
    expect(Object.fromEntries(Object.keys(headers).map((h) => [h, first.headers.get(h)]))).toEqual(headers);
    // Every answer (the rate-limit fault's included) says when the window resets, in the future.
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000);
    const second = await api("POST", `/repos/nmoe-org/nmoe/issues/${BIG_PR}/comments`, { body: "hi" });
    expect(second.status).toBe(201);
    // Only a delayed request actually writes; refused ones change nothing.
    expect(repo.commentsOn(BIG_PR).length - before).toBe(fault.kind === "delay" ? 2 : 1);
    expect(fake.requests.entries.at(-2)?.fault).toBeDefined();
    expect(fake.faults.pending()).toHaveLength(0);
  });

  test("response lost: the write is applied, the client sees a dropped connection", async () => {
    const before = repo.commentsOn(BIG_PR).length;
    fake.fail("POST", route, { kind: "response-lost" });
    await expect(api("POST", `/repos/nmoe-org/nmoe/issues/${BIG_PR}/comments`, { body: "lost" })).rejects.toThrow();
    expect(
      repo
        .commentsOn(BIG_PR)
        .map((c) => c.body)
        .slice(before),
    ).toEqual(["lost"]);
    expect(fake.requests.entries.at(-1)).toMatchObject({ method: "POST", route, status: 201, fault: "response lost" });
  });
});

describe("auth", () => {
  const jwt = (claims: object): string =>
    [{ alg: "RS256", typ: "JWT" }, claims].map((p) => Buffer.from(JSON.stringify(p)).toString("base64url")).join(".") +
    ".c2ln";
  test.each([
    { what: "no token", path: "/repos/nmoe-org/nmoe", auth: undefined, status: 401 },
    { what: "an unknown token", path: "/repos/nmoe-org/nmoe", auth: "token ghs_nope", status: 401 },
    { what: "a JWT for the app", path: "/app", auth: `Bearer ${jwt({ iss: 1 })}`, status: 200 },
    { what: "a JWT for another app", path: "/app", auth: `Bearer ${jwt({ iss: 99 })}`, status: 401 },
    { what: "something that is not a JWT", path: "/app", auth: "Bearer not-a-jwt", status: 401 },
  ])("$what → $status", async ({ path, auth, status }) => {
    const res = await fetch(`${fake.url}${path}`, { headers: auth === undefined ? {} : { authorization: auth } });
    expect(res.status).toBe(status);
  });

  test("Probot's Octokit authenticates as the app (real RS256 JWT) and then as the installation", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const app = new ProbotOctokit({
      auth: { appId: 1, privateKey },
      baseUrl: fake.url,
      retry: { enabled: false },
      throttle: { enabled: false },
    });
    const mark = fake.requests.mark();
    expect((await app.rest.apps.getAuthenticated()).data).toMatchObject({ id: 1, slug: "merge-captain" });
    const installation = (await app.auth({ type: "installation", installationId: 1 })) as { token: string };
    const res = await fetch(`${fake.url}/repos/nmoe-org/nmoe`, {
      headers: { authorization: `token ${installation.token}` },
    });
    expect(((await res.json()) as { default_branch: string }).default_branch).toBe("main");
    expect(fake.requests.countByRoute(mark)).toEqual({
      "GET /app": 1,
      "POST /app/installations/{installation_id}/access_tokens": 1,
      "GET /repos/{owner}/{repo}": 1,
    });
  });

  test("an installation token from the token endpoint acts as the app's bot", async () => {
    const res = await fetch(`${fake.url}/app/installations/1/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt({ iss: "1" })}` },
    });
    expect(res.status).toBe(201);
    const { token: minted } = (await res.json()) as { token: string };
    const comment = await fetch(`${fake.url}/repos/nmoe-org/nmoe/issues/${BIG_PR}/comments`, {
      method: "POST",
      headers: { authorization: `token ${minted}` },
      body: JSON.stringify({ body: "from the bot" }),
    });
    expect(((await comment.json()) as { user: { login: string; type: string } }).user).toMatchObject({
      login: "merge-captain[bot]",
      type: "Bot",
    });
  });
});

describe("issues, labels, permissions, checks", () => {
  test("the issues list includes PRs, marked with pull_request", async () => {
    repo.openIssue({ title: "Contract", user: "bob" });
    const list = (await (await api("GET", "/repos/nmoe-org/nmoe/issues?state=open")).json()) as {
      number: number;
      pull_request?: unknown;
    }[];
    expect(list.map((i) => [i.number, i.pull_request !== undefined])).toEqual([
      [2, false],
      [1, true],
    ]);
  });

  test("adding labels creates missing repo labels; removing one not present is 404", async () => {
    const added = await api("POST", "/repos/nmoe-org/nmoe/issues/2/labels", { labels: ["contract: valid"] });
    expect(((await added.json()) as { name: string }[]).map((l) => l.name)).toEqual(["contract: valid"]);
    expect(repo.labels.has("contract: valid")).toBe(true);
    expect((await api("DELETE", "/repos/nmoe-org/nmoe/issues/2/labels/contract%3A%20invalid")).status).toBe(404);
    expect((await api("DELETE", "/repos/nmoe-org/nmoe/issues/2/labels/contract%3A%20valid")).status).toBe(200);
  });

  test.each([
    { level: "admin", permission: "admin" },
    { level: "maintain", permission: "write" },
    { level: "write", permission: "write" },
    { level: "triage", permission: "read" },
    { level: "read", permission: "read" },
    { level: "none", permission: "none" },
  ] as const)("collaborator with role $level → permission $permission", async ({ level, permission }) => {
    repo.setPermission(`user-${level}`, level);
    const res = (await (await api("GET", `/repos/nmoe-org/nmoe/collaborators/user-${level}/permission`)).json()) as {
      permission: string;
      role_name: string;
    };
    expect(res).toMatchObject({ permission, role_name: level });
  });

  test("team membership", async () => {
    fake.state.setTeamMember("nmoe-org", "maintainers", "carol");
    expect((await api("GET", "/orgs/nmoe-org/teams/maintainers/memberships/carol")).status).toBe(200);
    expect((await api("GET", "/orgs/nmoe-org/teams/maintainers/memberships/dave")).status).toBe(404);
  });

  test("check runs: create, update appends annotations, list for a ref keeps the latest per name", async () => {
    const sha = repo.issue(BIG_PR).pull?.head.sha ?? "";
    const ok = octokit();
    const created = await ok.rest.checks.create({
      owner: "nmoe-org",
      repo: "nmoe",
      name: "merge-captain",
      head_sha: sha,
      status: "in_progress",
    });
    await ok.rest.checks.update({
      owner: "nmoe-org",
      repo: "nmoe",
      check_run_id: created.data.id,
      conclusion: "failure",
      output: {
        title: "t",
        summary: "s",
        annotations: [{ path: "a", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" }],
      },
    });
    await ok.rest.checks.create({
      owner: "nmoe-org",
      repo: "nmoe",
      name: "merge-captain",
      head_sha: sha,
      conclusion: "success",
      output: { title: "t", summary: "s" },
    });
    await ok.rest.checks.create({ owner: "nmoe-org", repo: "nmoe", name: "Tier-B: fast", head_sha: sha });
    const latest = await ok.rest.checks.listForRef({
      owner: "nmoe-org",
      repo: "nmoe",
      ref: sha,
      check_name: "merge-captain",
    });
    expect(latest.data.check_runs.map((c) => c.conclusion)).toEqual(["success"]);
    const all = await ok.rest.checks.listForRef({ owner: "nmoe-org", repo: "nmoe", ref: sha, filter: "all" });
    expect(all.data.total_count).toBe(3);
    expect(repo.checkRuns.get(created.data.id)?.output.annotations).toHaveLength(1);
  });

  test("git commits expose tree and parents so trees can be compared", async () => {
    const { after, before } = repo.pushToPullRequest(BIG_PR, {
      files: [{ filename: "src/only.py", content: "x = 1\n" }],
    });
    const commit = (await (await api("GET", `/repos/nmoe-org/nmoe/git/commits/${after}`)).json()) as {
      tree: { sha: string };
      parents: { sha: string }[];
    };
    expect(commit.parents.map((p) => p.sha)).toEqual([before]);
    const viaRef = (await (await api("GET", `/repos/nmoe-org/nmoe/commits/alice/huge`)).json()) as {
      sha: string;
      commit: { tree: { sha: string } };
    };
    expect(viaRef).toMatchObject({ sha: after, commit: { tree: { sha: commit.tree.sha } } });
  });
});

describe("request log", () => {
  test("records route templates and counts calls since a mark", async () => {
    const mark = fake.requests.mark();
    await api("GET", "/repos/nmoe-org/nmoe/pulls/1");
    await api("GET", "/repos/nmoe-org/nmoe/pulls/1/files?per_page=100");
    await api("GET", "/repos/nmoe-org/nmoe/pulls/1/files?per_page=100&page=2");
    await api("POST", "/repos/nmoe-org/nmoe/issues/1/comments", { body: "x" });
    expect(fake.requests.countByRoute(mark)).toEqual({
      "GET /repos/{owner}/{repo}/pulls/{pull_number}": 1,
      "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": 2,
      "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": 1,
    });
    expect(fake.requests.writes(mark)).toEqual([
      expect.objectContaining({
        method: "POST",
        status: 201,
        body: { body: "x" },
        path: "/repos/nmoe-org/nmoe/issues/1/comments",
      }),
    ]);
  });

  test("GraphQL minimizeComment is recorded", async () => {
    const comment = repo.addComment(BIG_PR, { body: "old results", user: fake.state.bot });
    const res = await api("POST", "/graphql", {
      query:
        "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: OUTDATED}) { minimizedComment { isMinimized } } }",
      variables: { id: comment.nodeId },
    });
    expect(((await res.json()) as { data: unknown }).data).toEqual({
      minimizeComment: { minimizedComment: { isMinimized: true, minimizedReason: "outdated" } },
    });
    expect(fake.state.minimized.at(-1)).toEqual({ subjectId: comment.nodeId, classifier: "OUTDATED" });
  });
});

describe("conditional requests and the rate limit, as on GitHub", () => {
  test("a GET carries an ETag; If-None-Match with it is a 304 that does not count against the rate limit", async () => {
    const first = await api("GET", "/repos/nmoe-org/nmoe/contents/README.md");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const used = Number(first.headers.get("x-ratelimit-used"));
    expect(Number(first.headers.get("x-ratelimit-remaining"))).toBe(5000 - used);

    const again = await api("GET", "/repos/nmoe-org/nmoe/contents/README.md", undefined, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    expect(Number(again.headers.get("x-ratelimit-used"))).toBe(used);
    expect(fake.requests.entries.at(-1)).toMatchObject({ method: "GET", status: 304 });
  });

  test.each([
    { what: "the strong form of the same validator", header: (e: string) => e.replace(/^W\//, ""), status: 304 },
    { what: "a list holding it", header: (e: string) => `W/"other", ${e}`, status: 304 },
    { what: "`*`", header: () => "*", status: 304 },
    { what: "another validator", header: () => 'W/"0000"', status: 200 },
  ])("If-None-Match with $what → $status", async ({ header, status }) => {
    const etag = (await api("GET", "/repos/nmoe-org/nmoe/pulls/1")).headers.get("etag") ?? "";
    expect(
      (await api("GET", "/repos/nmoe-org/nmoe/pulls/1", undefined, { "if-none-match": header(etag) })).status,
    ).toBe(status);
  });

  test("the representation decides the ETag: the raw file and its JSON entry differ; a change makes a new one", async () => {
    const json = (await api("GET", "/repos/nmoe-org/nmoe/contents/README.md")).headers.get("etag");
    const raw = (
      await api("GET", "/repos/nmoe-org/nmoe/contents/README.md", undefined, { accept: "application/vnd.github.raw" })
    ).headers.get("etag");
    expect(raw).not.toBe(json);
    repo.putFile("main", "README.md", "# nmoe, edited\n");
    const after = await api("GET", "/repos/nmoe-org/nmoe/contents/README.md", undefined, {
      "if-none-match": json ?? "",
    });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(json);
  });

  test("writes and errors carry no ETag; the remaining count falls by one per counted request", async () => {
    const before = fake.rate.used;
    const write = await api("POST", `/repos/nmoe-org/nmoe/issues/${BIG_PR}/comments`, { body: "hello" });
    const missing = await api("GET", "/repos/nmoe-org/nmoe/contents/absent.txt");
    expect([write.headers.get("etag"), missing.headers.get("etag")]).toEqual([null, null]);
    expect(fake.rate.used).toBe(before + 2);
    expect(missing.headers.get("x-ratelimit-remaining")).toBe(String(fake.rate.limit - fake.rate.used));
  });

  test("the rate limit can be put near exhaustion for a test", async () => {
    const saved = fake.rate.used;
    fake.rate.used = fake.rate.limit - 10;
    const res = await api("GET", "/repos/nmoe-org/nmoe");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("9");
    fake.rate.used = saved;
  });
});

describe("the installation's repositories", () => {
  test("GET /installation/repositories lists every repository, paginated, for an installation token only", async () => {
    const { data } = await octokit().rest.apps.listReposAccessibleToInstallation({ per_page: 100 });
    expect(data.repository_selection).toBe("all");
    expect(data.repositories.map((r) => r.full_name)).toContain("nmoe-org/nmoe");
    const all = await octokit().paginate(octokit().rest.apps.listReposAccessibleToInstallation, { per_page: 1 });
    expect(all.length).toBe(fake.state.repos.size);
    expect((await fetch(`${fake.url}/installation/repositories`)).status).toBe(401);
  });
});
