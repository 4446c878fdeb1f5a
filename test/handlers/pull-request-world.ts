/**
 * A small stateful GitHub for `pull_request` handler tests: nock answers every call from one
 * `World` (issues, PRs, files, check runs, comments), applies the writes to it so a replayed
 * event sees what the last one wrote, and logs each call in order for exact assertions.
 */
import nock from "nock";
import { aComment, API, APP_ID, INSTALLATION_ID, OWNER, REPO, REPO_PATH } from "../support/probot.js";
import type { aPull } from "../support/payloads.js";
import { anIssue } from "../support/payloads.js";

export type IssueRow = ReturnType<typeof anIssue>;
export type PullRow = ReturnType<typeof aPull>;
export type CommentRow = ReturnType<typeof aComment>;

/** A row of `GET /pulls/{n}/files`. */
export interface FileRow {
  filename: string;
  status: "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";
  previous_filename?: string;
}

export interface CheckRunRow {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations_count: number };
  app: { id: number };
}

export interface World {
  /** `.github/merge-captain.yml` in the repo; null: absent there and in the owner's `.github` repo. */
  config: string | null;
  /** The gate registry on the default branch; null: absent. */
  registry: string | null;
  /** Every issue, open or closed, by number (`GET /issues?state=open` lists the open ones). */
  issues: IssueRow[];
  /** Every PR (open ones are listed by `GET /pulls?state=open`, and as issues by `GET /issues`). */
  pulls: PullRow[];
  files: Record<number, FileRow[]>;
  checkRuns: CheckRunRow[];
  comments: Record<number, CommentRow[]>;
  /** Collaborator permission by login (`GET /collaborators/{login}/permission`); anyone else has none. */
  permissions: Record<string, "admin" | "maintain" | "write" | "triage" | "read">;
}

/** One API call as the fake saw it: path relative to the repo (`/pulls/12/files?per_page=100`), decoded. */
export interface Call {
  method: string;
  path: string;
  body: unknown;
}

export interface Fake {
  world: World;
  /** Every call but the installation token exchange, in order. */
  calls: Call[];
  tokens: number;
  /** `METHOD path` of each call, for exact assertions. */
  lines(): string[];
  reads(): number;
  writes(): number;
  /** Bodies of calls matching `method` and `path` (a string is compared exactly, a RegExp tested). */
  bodies<T = Record<string, unknown>>(method: string, path: string | RegExp): T[];
  /** Forget the log (keep the world): for replay tests. */
  reset(): void;
}

export function emptyWorld(overrides: Partial<World> = {}): World {
  return {
    config: null,
    registry: null,
    issues: [],
    pulls: [],
    files: {},
    checkRuns: [],
    comments: {},
    permissions: {},
    ...overrides,
  };
}

type Reply = [number, unknown, Record<string, string>?];

const RAW = { "content-type": "application/vnd.github.raw; charset=utf-8" };

/** Serve `rows` the way GitHub paginates: `per_page`/`page` from the query, a `Link: rel="next"` while more remain. */
function page<T>(rows: readonly T[], url: URL): Reply {
  const perPage = Number(url.searchParams.get("per_page") ?? "30");
  const n = Number(url.searchParams.get("page") ?? "1");
  const slice = rows.slice((n - 1) * perPage, n * perPage);
  if (n * perPage >= rows.length) return [200, slice];
  const next = new URL(url.href);
  next.searchParams.set("page", String(n + 1));
  const last = new URL(url.href);
  last.searchParams.set("page", String(Math.ceil(rows.length / perPage)));
  return [200, slice, { link: `<${next.href}>; rel="next", <${last.href}>; rel="last"` }];
}

function issueListRow(p: PullRow) {
  return {
    ...anIssue({ number: p.number, title: p.title, body: p.body }),
    pull_request: { url: `${API}${REPO_PATH}/pulls/${p.number}` },
  };
}

/** Install the fake. Call after `nock.cleanAll()`; `strictNock()` still reports anything it does not route. */
export function fakeGitHub(world: World): Fake {
  const calls: Call[] = [];
  let tokens = 0;
  let nextId = 9000;

  const route = (method: string, rawPath: string, body: unknown): Reply => {
    if (method === "POST" && rawPath === `/app/installations/${INSTALLATION_ID}/access_tokens`) {
      tokens++;
      return [201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} }];
    }
    const url = new URL(API + rawPath);
    const path = decodeURIComponent(url.pathname);
    const short = path.startsWith(REPO_PATH + "/") ? path.slice(REPO_PATH.length) : path;
    calls.push({ method, path: short + url.search.replace(/%2F/gi, "/"), body });
    const q = url.searchParams;
    let m: RegExpExecArray | null;

    if (method === "GET") {
      if (/\/contents\/\.github\/merge-captain\.yml$/.test(path)) {
        if (path.startsWith(REPO_PATH + "/") && world.config !== null) return [200, world.config, RAW];
        return [404, { message: "Not Found" }];
      }
      if (short === "/contents/configs/gates/gates.toml")
        return world.registry === null ? [404, { message: "Not Found" }] : [200, world.registry, RAW];
      if ((m = /^\/pulls\/(\d+)\/files$/.exec(short))) return page(world.files[Number(m[1])] ?? [], url);
      if ((m = /^\/pulls\/(\d+)$/.exec(short))) {
        const p = world.pulls.find((x) => x.number === Number(m![1]));
        return p ? [200, p] : [404, { message: "Not Found" }];
      }
      if (short === "/pulls")
        return page(
          world.pulls.filter((p) => p.state === (q.get("state") ?? "open")),
          url,
        );
      if (short === "/issues") {
        const open = [
          ...world.issues.filter((i) => i.state === "open"),
          ...world.pulls.filter((p) => p.state === "open").map(issueListRow),
        ].sort((a, b) => b.number - a.number);
        return page(open, url);
      }
      if ((m = /^\/issues\/(\d+)\/comments$/.exec(short))) return page(world.comments[Number(m[1])] ?? [], url);
      if ((m = /^\/issues\/(\d+)$/.exec(short))) {
        const n = Number(m[1]);
        const i = world.issues.find((x) => x.number === n);
        const p = world.pulls.find((x) => x.number === n);
        return i ? [200, i] : p ? [200, issueListRow(p)] : [404, { message: "Not Found" }];
      }
      if ((m = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(short))) {
        const runs = world.checkRuns.filter(
          (r) => r.head_sha === m![1] && (q.get("check_name") === null || r.name === q.get("check_name")),
        );
        return [200, { total_count: runs.length, check_runs: runs }];
      }
      if (path === "/search/issues") return [200, { total_count: 0, incomplete_results: false, items: [] }];
      if ((m = /^\/collaborators\/([^/]+)\/permission$/.exec(short))) {
        const level = world.permissions[m[1]!];
        if (level === undefined) return [404, { message: "Not Found" }];
        const legacy = level === "maintain" ? "write" : level === "triage" ? "read" : level;
        return [200, { permission: legacy, role_name: level, user: { login: m[1] } }];
      }
    }
    const b = (body ?? {}) as Record<string, unknown>;
    const output = (b["output"] ?? {}) as { title?: string; summary?: string; text?: string; annotations?: unknown[] };
    if (method === "POST" && short === "/check-runs") {
      const run: CheckRunRow = {
        id: ++nextId,
        name: String(b["name"]),
        head_sha: String(b["head_sha"]),
        status: String(b["status"]),
        conclusion: (b["conclusion"] as string | undefined) ?? null,
        output: {
          title: output.title ?? null,
          summary: output.summary ?? null,
          text: output.text ?? null,
          annotations_count: output.annotations?.length ?? 0,
        },
        app: { id: APP_ID },
      };
      world.checkRuns.push(run);
      return [201, run];
    }
    if (method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(short))) {
      const run = world.checkRuns.find((r) => r.id === Number(m![1]));
      if (!run) return [404, { message: "Not Found" }];
      if (b["status"] !== undefined) run.status = String(b["status"]);
      if (b["conclusion"] !== undefined) run.conclusion = String(b["conclusion"]);
      run.output = {
        title: output.title ?? run.output.title,
        summary: output.summary ?? run.output.summary,
        text: output.text ?? run.output.text,
        annotations_count: run.output.annotations_count + (output.annotations?.length ?? 0),
      };
      return [200, run];
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(short))) {
      const c = aComment(++nextId, String(b["body"]));
      (world.comments[Number(m[1])] ??= []).push(c);
      return [201, c];
    }
    if (method === "PATCH" && (m = /^\/issues\/comments\/(\d+)$/.exec(short))) {
      const c = Object.values(world.comments)
        .flat()
        .find((x) => x.id === Number(m![1]));
      if (!c) return [404, { message: "Not Found" }];
      c.body = String(b["body"]);
      return [200, c];
    }
    if (method === "POST" && /^\/issues\/\d+\/labels$/.test(short))
      return [200, ((b["labels"] as string[]) ?? []).map((name) => ({ name }))];
    if (method === "DELETE" && /^\/issues\/\d+\/labels\/[^/]+$/.test(short)) return [200, []];
    calls.pop();
    return [599, { message: `the fake GitHub has no route for ${method} ${rawPath}` }];
  };

  const scope = nock(API).persist();
  for (const method of ["GET", "POST", "PATCH", "DELETE"] as const) {
    scope
      .intercept(() => true, method)
      .reply(function (uri, body) {
        const reply = route(method, uri, body === "" ? undefined : body);
        // A 501 fails the event at once with the route in its message (a thrown error would leave the request hanging).
        if (reply[0] === 599) return [501, reply[1]];
        return reply;
      });
  }

  const isWrite = (c: Call) => c.method !== "GET";
  return {
    world,
    calls,
    get tokens() {
      return tokens;
    },
    lines: () => calls.map((c) => `${c.method} ${c.path}`),
    reads: () => calls.filter((c) => !isWrite(c)).length,
    writes: () => calls.filter(isWrite).length,
    bodies: <T>(method: string, path: string | RegExp) =>
      calls
        .filter((c) => c.method === method && (typeof path === "string" ? c.path === path : path.test(c.path)))
        .map((c) => c.body as T),
    reset: () => {
      calls.length = 0;
      tokens = 0;
    },
  };
}

export { OWNER, REPO };
