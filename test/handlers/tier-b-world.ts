/**
 * A small stateful GitHub for the Tier-B handler tests: one nock interceptor per method routes
 * every call to the repository, answers from in-memory state (PR, comments, check runs, runs,
 * artifacts) and logs it in order, so tests assert the exact calls and what they sent.
 */
import { readFileSync } from "node:fs";
import { zipSync, strToU8 } from "fflate";
import nock from "nock";
import { contractOptions } from "../../src/core/config/readers.js";
import { DEFAULT_CONFIG } from "../../src/core/config/defaults.js";
import { readContract } from "../../src/core/contract/read.js";
import type { Dispatch, Ledger } from "../../src/core/ledger/types.js";
import { opensWith } from "../../src/core/markers.js";
import { contractHash } from "../../src/core/trust/acceptance.js";
import { stickyBody } from "../support/ledger.js";
import { RUN_NAME_TEMPLATE } from "../../src/core/tierb/runs.js";
import { aContract, fence, formBody, HEADING, toYaml, type ContractShape } from "../core/contract/builders.js";
import { aPull, aUser, HEAD, repository } from "../support/payloads.js";
import { API, APP_ID, INSTALLATION_ID, OWNER, REPO, REPO_PATH } from "../support/probot.js";

export const GATES = readFileSync(new URL("../fixtures/gates/gates.toml", import.meta.url), "utf8");
export const PR = 12;
export const ISSUE = 7;
export const HEAD2 = "8e1b3a0f7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
export const STICKY_ID = 9000;
export const RUN_ID = 31337;
export const ARTIFACT_ID = 4711;
export const DOWNLOAD_HOST = "https://pipelines.actions.githubusercontent.com";
export const DOWNLOAD_PATH = "/artifacts/4711/tier-b-results.zip";
/** The dispatch `/tier-b` made in these worlds (check run 5000, comment 1234). */
export const DISPATCH_ID = "d0000000-0000-4000-8000-000000000001";
export const RUN_URL = `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}`;
export const ENVIRONMENT = "b200";

export interface Call {
  method: string;
  path: string;
  body: Record<string, unknown> | undefined;
}

export interface StoredComment {
  id: number;
  body: string;
  by: "app" | "user";
}

function hashOf(contract: ContractShape): string {
  const report = readContract(contractIssueBody(contract), contractOptions(DEFAULT_CONFIG));
  if (report.status !== "valid") throw new Error("the world's contract is not valid");
  return contractHash(report.contract);
}

/** The contract issue's sticky comment: its ledger records that `by` (a maintainer) accepted the contract. */
export function acceptedIssueSticky(contract: ContractShape, by = "maint"): StoredComment {
  const ledger: Ledger = {
    version: 2,
    dispatches: [],
    acceptances: [{ hash: hashOf(contract), by, at: "2026-11-23T11:00:00Z", via: "command" }],
  };
  return { id: 8000, body: stickyBody("issue", ISSUE, "### ✅ merge-captain: contract valid", ledger), by: "app" };
}

export interface World {
  /** Head SHAs `GET /pulls/12` answers, in order; the last one repeats. */
  heads: string[];
  draft: boolean;
  prBody: string;
  contract: ContractShape;
  files: Array<{ filename: string; status: string }>;
  permissions: Record<string, string>;
  comments: StoredComment[];
  /** Comments on the contract issue #7 (by default: its sticky comment, the contract accepted by a maintainer). */
  issueComments: StoredComment[] | undefined;
  checkRuns: Array<{
    id: number;
    name: string;
    head_sha: string;
    status: string;
    conclusion: string | null;
    output: { title: string; summary: string; text: string };
  }>;
  /** `requires_files` paths that do not exist at any ref. */
  missingFiles: string[];
  /** The results artifact's zip, or undefined for a run that uploaded none. */
  artifactZip: Uint8Array | undefined;
  /** `GET /actions/runs/{id}` answers this run. */
  run: WorkflowRun | undefined;
  trees: Record<string, string>;
  /** How the dispatch endpoint answers: 204 (no run details) unless set. */
  dispatchReply: [number, unknown];
  log: Call[];
}

export interface WorkflowRun {
  id: number;
  name: string;
  display_title: string;
  event: string;
  path: string;
  head_branch: string;
  status: string;
  conclusion: string | null;
  html_url: string;
  run_attempt: number;
  actor: { login: string; type: string };
}

export function contractIssueBody(contract: ContractShape): string {
  return formBody([
    ["Summary (what + why)", "Fuse the all-gather into the router step."],
    [HEADING, fence(toYaml(contract))],
    ["Notes (optional)", ""],
  ]);
}

/** A contract issue #7 (`[07]`) requiring one Tier-B gate, scope `nmoe/router/**`, no dependencies or hotspots. */
export function tierBContract(
  gates: Record<string, unknown> = { required: ["cpu:import", "b200:step_1x10"] },
): ContractShape {
  return aContract({
    nmoe: { issue: "07", slug: "fused-allgather", kind: "feature", risk: "warm", complexity: "M" },
    gates,
  });
}

export function newWorld(over: Partial<World> = {}): World {
  return {
    heads: [HEAD],
    draft: false,
    prBody: `Fixes #${ISSUE}`,
    contract: tierBContract(),
    files: [{ filename: "nmoe/router/cache.py", status: "modified" }],
    permissions: { maint: "write", reader: "read" },
    comments: [],
    issueComments: undefined,
    checkRuns: [],
    missingFiles: [],
    artifactZip: undefined,
    run: undefined,
    trees: {},
    dispatchReply: [204, ""],
    log: [],
    ...over,
  };
}

/**
 * The sticky comment as our app would have written it, holding `ledger` — and, as after any
 * earlier verdict, the contract's acceptance, so issue #7 is not read again.
 */
export function withSticky(world: World, ledger: Ledger, visible = "### merge-captain\n\nearlier verdict"): void {
  const remembered: Ledger = ledger.contract
    ? ledger
    : { ...ledger, contract: { issue: ISSUE, hash: hashOf(world.contract), by: "maint", via: "command" } };
  world.comments.push({ id: STICKY_ID, body: stickyBody("pr", PR, visible, remembered), by: "app" });
}

/** PR #12's dispatch of the smoke bundle by `maint`, dispatched with its check run 5000; `over` sets the rest. */
export function aDispatch(over: Partial<Dispatch> = {}): Dispatch {
  return {
    id: DISPATCH_ID,
    pr: PR,
    sha: HEAD,
    bundle: "smoke",
    requester: "maint",
    requestedAt: "2026-11-23T11:00:00.000Z",
    state: "dispatched",
    commentId: 1234,
    checkRunId: 5000,
    ...over,
  };
}

/** A served world where `/tier-b` already dispatched `d` (the sticky ledger holds it) and opened its check run 5000. */
export function worldWithDispatch(d: Dispatch, over: Partial<World> = {}): World {
  const world = newWorld(over);
  withSticky(world, { version: 2, dispatches: [d] });
  world.checkRuns.push({
    id: 5000,
    name: "Tier-B: smoke",
    head_sha: d.sha,
    status: "queued",
    conclusion: null,
    output: { title: "Waiting for maintainer approval", summary: "", text: "" },
  });
  serve(world);
  return world;
}

export function sticky(world: World): StoredComment | undefined {
  return world.comments.find((c) => c.by === "app" && opensWith(c.body, "pr"));
}

export function replies(world: World): StoredComment[] {
  return world.comments.filter((c) => c.by === "app" && !opensWith(c.body, "pr"));
}

export function calls(world: World, method: string, path: RegExp | string): Call[] {
  return world.log.filter(
    (c) => c.method === method && (typeof path === "string" ? c.path === path : path.test(c.path)),
  );
}

/** Every call as `METHOD path` (query stripped), in order. */
export function trace(world: World): string[] {
  return world.log.map((c) => `${c.method} ${c.path.replace(/\?.*$/, "")}`);
}

function githubComment(c: StoredComment) {
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    body: c.body,
    user: c.by === "app" ? { login: "merge-captain[bot]", type: "Bot" } : { login: "someone", type: "User" },
    performed_via_github_app: c.by === "app" ? { id: APP_ID, slug: "merge-captain" } : null,
    created_at: "2026-11-23T12:00:00Z",
    updated_at: "2026-11-23T12:00:00Z",
  };
}

function currentHead(world: World): string {
  return world.heads[0] ?? HEAD;
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (body === undefined || body === null || body === "") return undefined;
  if (typeof body === "string") {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { raw: body };
    }
  }
  return body as Record<string, unknown>;
}

type Reply = [number, unknown, Record<string, string>?];

function route(world: World, method: string, path: string, body: Record<string, unknown> | undefined): Reply {
  const [pathname, query = ""] = path.split("?");
  const params = new URLSearchParams(query);
  const p = decodeURIComponent(pathname ?? "");
  const raw = { "content-type": "application/vnd.github.raw" };
  let m: RegExpExecArray | null;

  if (method === "GET") {
    if (
      p === `${REPO_PATH}/contents/.github/merge-captain.yml` ||
      p === `/repos/${OWNER}/.github/contents/.github/merge-captain.yml`
    )
      return [404, { message: "Not Found" }];
    if (p === `${REPO_PATH}/contents/configs/gates/gates.toml`)
      return params.get("ref") === "main" ? [200, GATES, raw] : [404, { message: "Not Found" }];
    if ((m = /^\/repos\/acme\/nmoe\/contents\/(.+)$/.exec(p))) {
      return world.missingFiles.includes(m[1]!)
        ? [404, { message: "Not Found" }]
        : [200, { type: "file", path: m[1], sha: "f".repeat(40) }];
    }
    if ((m = /^\/repos\/acme\/nmoe\/collaborators\/([^/]+)\/permission$/.exec(p))) {
      const permission = world.permissions[m[1]!] ?? "none";
      return [200, { permission, role_name: permission, user: aUser(m[1]) }];
    }
    if (p === `${REPO_PATH}/pulls/${PR}`) {
      const head = currentHead(world);
      if (world.heads.length > 1) world.heads.shift();
      return [200, aPull({ number: PR, headSha: head, draft: world.draft, body: world.prBody })];
    }
    if (p === `${REPO_PATH}/pulls/${PR}/files`) return [200, world.files];
    if (p === `${REPO_PATH}/pulls`)
      return [200, [aPull({ number: PR, headSha: currentHead(world), draft: world.draft, body: world.prBody })]];
    if (p === `${REPO_PATH}/issues`) {
      return [
        200,
        [
          {
            id: 1007,
            number: ISSUE,
            title: "[07] Fused all-gather",
            body: contractIssueBody(world.contract),
            state: "open",
            labels: [],
            user: aUser("alice"),
          },
        ],
      ];
    }
    if (p === `${REPO_PATH}/issues/${PR}/comments`) return [200, world.comments.map(githubComment)];
    if (p === `${REPO_PATH}/issues/${ISSUE}/comments`)
      return [200, (world.issueComments ?? [acceptedIssueSticky(world.contract)]).map(githubComment)];
    if ((m = /^\/repos\/acme\/nmoe\/commits\/([0-9a-f]{40})\/check-runs$/.exec(p))) {
      const runs = world.checkRuns.filter((r) => r.head_sha === m![1] && r.name === params.get("check_name"));
      return [200, { total_count: runs.length, check_runs: runs.map((r) => ({ ...r, app: { id: APP_ID } })) }];
    }
    if ((m = /^\/repos\/acme\/nmoe\/check-runs\/(\d+)$/.exec(p))) {
      const r = world.checkRuns.find((x) => x.id === Number(m![1]));
      return r ? [200, { ...r, app: { id: APP_ID } }] : [404, { message: "Not Found" }];
    }
    if (p === `${REPO_PATH}/actions/runs/${RUN_ID}`)
      return world.run ? [200, world.run] : [404, { message: "Not Found" }];
    // Rebuilding a missing ledger: the workflow's dispatched runs, newest first.
    if (p === `${REPO_PATH}/actions/workflows/tier-b.yml/runs`)
      return [200, { total_count: world.run ? 1 : 0, workflow_runs: world.run ? [world.run] : [] }];
    if (p === `${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`) {
      const artifacts = world.artifactZip
        ? [{ id: ARTIFACT_ID, name: "tier-b-results", size_in_bytes: world.artifactZip.byteLength, expired: false }]
        : [];
      return [200, { total_count: artifacts.length, artifacts }];
    }
    if (p === `${REPO_PATH}/actions/artifacts/${ARTIFACT_ID}/zip`)
      return [302, "", { location: DOWNLOAD_HOST + DOWNLOAD_PATH }];
    if ((m = /^\/repos\/acme\/nmoe\/git\/commits\/([0-9a-f]{40})$/.exec(p)))
      return [200, { sha: m[1], tree: { sha: world.trees[m[1]!] ?? m[1]!.split("").reverse().join("") } }];
  }
  if (method === "POST") {
    if (p === `${REPO_PATH}/issues/${PR}/comments`) {
      const id = opensWith(String(body?.["body"]), "pr") && !sticky(world) ? STICKY_ID : 9100 + world.comments.length;
      const c: StoredComment = { id, body: String(body?.["body"]), by: "app" };
      world.comments.push(c);
      return [201, githubComment(c)];
    }
    if ((m = /^\/repos\/acme\/nmoe\/issues\/comments\/(\d+)\/reactions$/.exec(p)))
      return [201, { id: 1, content: body?.["content"] }];
    if (p === `${REPO_PATH}/actions/workflows/tier-b.yml/dispatches`) return world.dispatchReply;
    if (p === `${REPO_PATH}/check-runs`) {
      const output = (body?.["output"] ?? {}) as { title: string; summary: string; text: string };
      const run = {
        id: 5000 + world.checkRuns.length,
        name: String(body?.["name"]),
        head_sha: String(body?.["head_sha"]),
        status: String(body?.["status"]),
        conclusion: (body?.["conclusion"] as string | undefined) ?? null,
        output,
      };
      world.checkRuns.push(run);
      return [201, run];
    }
    if (p === `${REPO_PATH}/issues/${PR}/labels`) return [200, []];
    if (p === `${REPO_PATH}/actions/runs/${RUN_ID}/cancel`) return [202, {}];
    if (p === `${REPO_PATH}/actions/runs/${RUN_ID}/deployment_protection_rule`) return [204, ""];
  }
  if (method === "PATCH") {
    if ((m = /^\/repos\/acme\/nmoe\/issues\/comments\/(\d+)$/.exec(p))) {
      const c = world.comments.find((x) => x.id === Number(m![1]));
      if (!c) return [404, { message: "Not Found" }];
      c.body = String(body?.["body"]);
      return [200, githubComment(c)];
    }
    if ((m = /^\/repos\/acme\/nmoe\/check-runs\/(\d+)$/.exec(p))) {
      const r = world.checkRuns.find((x) => x.id === Number(m![1]));
      if (r) {
        r.status = String(body?.["status"] ?? r.status);
        r.conclusion = (body?.["conclusion"] as string | undefined) ?? r.conclusion;
        r.output = (body?.["output"] as typeof r.output | undefined) ?? r.output;
      }
      return [200, r ?? { id: Number(m[1]) }];
    }
  }
  return [599, { message: `the fake has no route for ${method} ${path}` }];
}

/** Route every repository call to `world` (and the artifact download host). */
export function serve(world: World): void {
  for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
    nock(API)
      .persist()
      .intercept((uri: string) => uri.startsWith(`/repos/${OWNER}/`), method)
      .reply(function (uri, requestBody) {
        const body = parseBody(requestBody);
        world.log.push({ method, path: uri, body });
        return route(world, method, uri, body) as unknown as nock.ReplyFnResult;
      });
  }
  nock(DOWNLOAD_HOST)
    .persist()
    .get(DOWNLOAD_PATH)
    .reply(() => {
      world.log.push({ method: "GET", path: DOWNLOAD_HOST + DOWNLOAD_PATH, body: undefined });
      return world.artifactZip
        ? [200, Buffer.from(world.artifactZip), { "content-type": "application/zip" }]
        : [404, ""];
    });
}

/** A results artifact holding `tier_b_results.json`. */
export function resultsZip(results: unknown): Uint8Array {
  return zipSync({ "tier_b_results.json": strToU8(JSON.stringify(results)) });
}

export const installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };

export function commentEvent(o: {
  body: string;
  login?: string;
  type?: "User" | "Bot";
  action?: "created" | "edited";
  id?: number;
  app?: boolean;
}) {
  const user = aUser(o.login ?? "maint", o.type ?? "User");
  return {
    action: o.action ?? "created",
    issue: {
      id: 200000 + PR,
      node_id: `PR_${PR}`,
      number: PR,
      title: "Fused all-gather",
      body: `Fixes #${ISSUE}`,
      state: "open",
      labels: [],
      user: aUser("alice"),
      pull_request: {
        url: `${API}${REPO_PATH}/pulls/${PR}`,
        html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}`,
      },
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}`,
    },
    comment: {
      id: o.id ?? 1234,
      node_id: `IC_${o.id ?? 1234}`,
      body: o.body,
      user,
      // Deliberately the most trusted association: the handler must not believe it.
      author_association: "OWNER",
      performed_via_github_app: o.app ? { id: APP_ID, slug: "merge-captain" } : null,
      created_at: "2026-11-23T12:00:00Z",
      updated_at: "2026-11-23T12:00:00Z",
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${PR}#issuecomment-${o.id ?? 1234}`,
    },
    ...(o.action === "edited" ? { changes: { body: { from: "earlier text" } } } : {}),
    repository,
    sender: user,
    installation,
  };
}

/** The run-name GitHub shows for a dispatch, from the template the workflow must use. */
export function runName(inputs: Record<string, string>): string {
  return RUN_NAME_TEMPLATE.replace(/\$\{\{ inputs\.([a-z_]+) \}\}/g, (_, k: string) => inputs[k] ?? "");
}

export function aRun(over: Partial<WorkflowRun> & { inputs: Record<string, string> }): WorkflowRun {
  const { inputs, ...rest } = over;
  const name = runName(inputs);
  return {
    id: RUN_ID,
    name,
    display_title: name,
    event: "workflow_dispatch",
    path: ".github/workflows/tier-b.yml",
    head_branch: "main",
    status: "queued",
    conclusion: null,
    html_url: RUN_URL,
    run_attempt: 1,
    actor: { login: "merge-captain[bot]", type: "Bot" },
    ...rest,
  };
}

export function workflowRunEvent(action: "requested" | "in_progress" | "completed", run: WorkflowRun) {
  return {
    action,
    workflow_run: run,
    workflow: { id: 1, name: "Tier-B", path: run.path },
    repository,
    sender: aUser("merge-captain[bot]", "Bot"),
    installation,
  };
}

export function protectionRuleEvent(runId = RUN_ID) {
  return {
    action: "requested",
    environment: ENVIRONMENT,
    event: "workflow_dispatch",
    deployment_callback_url: `${API}${REPO_PATH}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: { id: 1, environment: ENVIRONMENT, ref: "main", sha: "1111111111111111111111111111111111111111" },
    pull_requests: [],
    repository,
    sender: aUser("maint"),
    installation,
  };
}
