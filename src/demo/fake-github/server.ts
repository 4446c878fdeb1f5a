/** A local, stateful fake of the GitHub REST API over real HTTP: auth, OpenAPI validation, faults and a request log around the route table. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomUUID } from "node:crypto";
import { describeFault, FaultInjector, type Fault } from "./faults.js";
import { documentationUrl, matchRoute, validateRequestBody } from "./openapi.js";
import { RequestLog } from "./request-log.js";
import { ARTIFACT_BLOB_PREFIX, artifactBlob } from "./routes/actions.js";
import { failure, isRecord, type BaseRequest, type Reply } from "./routes/reply.js";
import { routeTable } from "./routes/table.js";
import { FakeGitHubState, type FakeGitHubStateOptions, type FakeUser } from "./state.js";

export interface FakeGitHubOptions extends FakeGitHubStateOptions {
  /** Where "no handler" and other diagnostics go; defaults to stderr. */
  log?: (line: string) => void;
  /** Every request waits this long before it is answered (GitHub answers in ~100 ms); default 0. */
  latencyMs?: number;
  /** The primary rate limit per hour (`x-ratelimit-limit`); default 5000, GitHub's for an installation. */
  rateLimit?: number;
}

/** The primary rate limit as the fake counts it: every answer but a 304 uses one request. */
export interface FakeRateLimit {
  limit: number;
  used: number;
}

export interface FakeGitHub {
  /** Base URL to give Octokit/Probot (`baseUrl`), e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** Replaced by `reset()`: read it after a reset, don't keep it. */
  readonly state: FakeGitHubState;
  requests: RequestLog;
  faults: FaultInjector;
  /** Inject a fault for the next `times` requests to `method route` (shorthand for `faults.inject`). */
  fail(method: string, route: string, fault: Fault, times?: number): void;
  /** Per-request latency in ms; may be changed while the fake runs. */
  latencyMs: number;
  /** Set `used` to put the fake near its limit; `x-ratelimit-remaining` is `limit - used`. */
  rate: FakeRateLimit;
  /**
   * Run `action` (a driver step: a push, an edit) right after the next `times` requests to
   * `method route` are answered, before any later request is: GitHub's state moving between two
   * reads of one event, as a push landing mid-event does.
   */
  afterAnswering(method: string, route: string, action: () => void, times?: number): void;
  /**
   * Forget everything: a new, empty world (same options; the default clock starts again), an empty request log,
   * no faults or pending actions, the rate limit unused. Tokens handed out before are unknown now.
   * For a test file that starts one fake and resets it between tests.
   */
  reset(): void;
  close(): Promise<void>;
}

interface PendingAction {
  method: string;
  route: string;
  action: () => void;
  remaining: number;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function decodeJwtPart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
}

type Identity =
  { kind: "app" } | { kind: "installation"; actor: FakeUser } | { kind: "rejected"; status: number; message: string };

/** Check the Authorization header the way GitHub distinguishes app JWTs from installation tokens (signatures are not verified). */
function authenticate(
  world: FakeGitHubState,
  header: string | undefined,
  wants: "app-jwt" | "installation-token",
): Identity {
  const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header ?? "");
  const credential = match?.[1];
  if (credential === undefined) return { kind: "rejected", status: 401, message: "Requires authentication" };
  if (wants === "app-jwt") {
    const [head, payload] = credential.split(".");
    const claims = JWT_SHAPE.test(credential) ? decodeJwtPart(payload ?? "") : undefined;
    if (!isRecord(decodeJwtPart(head ?? "")) || !isRecord(claims))
      return { kind: "rejected", status: 401, message: "A JSON web token could not be decoded" };
    if (String(claims["iss"]) !== String(world.app.id))
      return { kind: "rejected", status: 401, message: `'Issuer' claim ('iss') must be the app id ${world.app.id}` };
    return { kind: "app" };
  }
  if (!world.tokens.has(credential)) return { kind: "rejected", status: 401, message: "Bad credentials" };
  return { kind: "installation", actor: world.bot };
}

/** Pull `subjectId` and `classifier` out of a `minimizeComment` mutation (inline literals or variables). */
function minimizeArgs(
  query: string,
  variables: Record<string, unknown>,
): { subjectId: string; classifier: string } | undefined {
  const arg = (name: string): string | undefined => {
    const m = new RegExp(`${name}\\s*:\\s*(\\$\\w+|"[^"]*"|\\w+)`).exec(query);
    const raw = m?.[1];
    if (raw === undefined) return undefined;
    if (raw.startsWith("$")) {
      const v = variables[raw.slice(1)];
      return typeof v === "string" ? v : undefined;
    }
    return raw.replace(/^"|"$/g, "");
  };
  const subjectId = arg("subjectId");
  const classifier = arg("classifier");
  return subjectId === undefined || classifier === undefined ? undefined : { subjectId, classifier };
}

/** GitHub's `pinIssue` mutation: at most 3 pinned issues per repository. */
function pinIssue(world: FakeGitHubState, query: string, variables: Record<string, unknown>): Reply {
  const raw = /issueId\s*:\s*(\$\w+|"[^"]*")/.exec(query)?.[1] ?? "";
  const id = raw.startsWith("$") ? variables[raw.slice(1)] : raw.replace(/^"|"$/g, "");
  for (const repo of world.repos.values()) {
    const issue = [...repo.issues.values()].find((i) => i.nodeId === id);
    if (!issue) continue;
    if (!repo.pinned.includes(issue.number)) {
      if (repo.pinned.length >= 3)
        return {
          status: 200,
          json: {
            data: { pinIssue: null },
            errors: [{ type: "UNPROCESSABLE", message: "You can't pin more than 3 issues in this repository." }],
          },
        };
      repo.pinned.push(issue.number);
    }
    return { status: 200, json: { data: { pinIssue: { issue: { number: issue.number } } } } };
  }
  return {
    status: 200,
    json: {
      data: { pinIssue: null },
      errors: [{ type: "NOT_FOUND", message: `Could not resolve to a node with the global id of '${String(id)}'` }],
    },
  };
}

function graphql(world: FakeGitHubState, body: unknown): Reply {
  const query = isRecord(body) && typeof body["query"] === "string" ? body["query"] : "";
  const variables = isRecord(body) && isRecord(body["variables"]) ? body["variables"] : {};
  if (/\bpinIssue\b/.test(query)) return pinIssue(world, query, variables);
  if (/\bminimizeComment\b/.test(query)) {
    const args = minimizeArgs(query, variables);
    const found = args ? world.findComment(args.subjectId) : undefined;
    if (!args || !found)
      return {
        status: 200,
        json: {
          data: { minimizeComment: null },
          errors: [
            {
              type: "NOT_FOUND",
              message: `Could not resolve to a node with the global id of '${args?.subjectId ?? ""}'`,
            },
          ],
        },
      };
    found.comment.minimizedAs = args.classifier;
    world.minimized.push(args);
    return {
      status: 200,
      json: {
        data: {
          minimizeComment: { minimizedComment: { isMinimized: true, minimizedReason: args.classifier.toLowerCase() } },
        },
      },
    };
  }
  return {
    status: 200,
    json: {
      errors: [{ message: "fake GitHub: this GraphQL query is not supported (only minimizeComment and pinIssue are)" }],
    },
  };
}

function send(res: ServerResponse, reply: Reply, rate: Record<string, string>): void {
  const headers: Record<string, string> = {
    "x-github-request-id": randomUUID().toUpperCase(),
    "x-github-api-version-selected": "2022-11-28",
    ...rate,
    ...(reply.headers ?? {}),
  };
  if (reply.raw !== undefined) {
    const bytes = typeof reply.raw === "string" ? Buffer.from(reply.raw) : Buffer.from(reply.raw);
    res.writeHead(reply.status, {
      "content-type": "application/octet-stream",
      ...headers,
      "content-length": String(bytes.length),
    });
    res.end(bytes);
    return;
  }
  if (reply.json === undefined) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "x-github-media-type": "github.v3; format=json",
    ...headers,
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** GitHub's weak validator over the representation: the same bytes in the same media type give the same ETag. */
function etagOf(reply: Reply): string | undefined {
  const bytes = reply.raw !== undefined ? reply.raw : reply.json !== undefined ? JSON.stringify(reply.json) : undefined;
  if (bytes === undefined) return undefined;
  const hash = createHash("sha256")
    .update(reply.headers?.["content-type"] ?? "application/json")
    .update("\0")
    .update(typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes))
    .digest("hex")
    .slice(0, 32);
  return `W/"${hash}"`;
}

/** `If-None-Match` holds one or more validators (or `*`); compared weakly, as RFC 9110 says for GET. */
function matchesValidator(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  const bare = (v: string): string => v.trim().replace(/^W\//, "");
  return value.split(",").some((v) => v.trim() === "*" || (v.trim() !== "" && bare(v) === bare(etag)));
}

function faultReply(fault: Exclude<Fault, { kind: "delay" } | { kind: "response-lost" }>, docs: string): Reply {
  switch (fault.kind) {
    case "status":
      return failure(
        { documentationUrl: docs },
        fault.status,
        fault.message ?? (fault.status >= 500 ? "Server Error" : "Injected fault"),
      );
    case "rate-limit": {
      const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 60);
      const reply = failure(
        { documentationUrl: "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting" },
        403,
        "API rate limit exceeded for installation.",
      );
      return {
        ...reply,
        headers: {
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-used": "5000",
          "x-ratelimit-reset": String(reset),
          "x-ratelimit-resource": "core",
        },
      };
    }
    case "retry-after": {
      const reply = failure(
        {
          documentationUrl:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
        },
        429,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      );
      return { ...reply, headers: { "retry-after": String(fault.seconds) } };
    }
  }
}

/** Start the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeGitHub(opts: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  let state = new FakeGitHubState(opts);
  const requests = new RequestLog();
  const pending: PendingAction[] = [];
  const faults = new FaultInjector();
  const log = opts.log ?? ((line: string): void => void process.stderr.write(`${line}\n`));
  const rate: FakeRateLimit = { limit: opts.rateLimit ?? 5000, used: 0 };
  const timing = { latencyMs: opts.latencyMs ?? 0 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    if (timing.latencyMs > 0) await new Promise((r) => setTimeout(r, timing.latencyMs));
    const url = new URL(req.url ?? "/", state.apiUrl);
    // GitHub Enterprise-style base URLs (`/api/v3`) reach the same routes.
    const pathname = url.pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api\/graphql$/, "/graphql");
    const raw = await readBody(req);
    const path = `${pathname}${url.search}`;
    let body: unknown;
    // A 304 to a conditional request does not count against the primary rate limit (GitHub's REST docs).
    const rateHeaders = (counted: boolean): Record<string, string> => {
      if (counted) rate.used += 1;
      return {
        "x-ratelimit-limit": String(rate.limit),
        "x-ratelimit-remaining": String(Math.max(0, rate.limit - rate.used)),
        "x-ratelimit-used": String(rate.used),
        "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
        "x-ratelimit-resource": "core",
      };
    };
    const finish = (route: string, given: Reply, fault?: string): void => {
      let reply = given;
      const etag = method === "GET" && given.status === 200 ? etagOf(given) : undefined;
      if (etag !== undefined) {
        reply = matchesValidator(req.headers["if-none-match"], etag)
          ? { status: 304, headers: { etag } }
          : { ...given, headers: { ...given.headers, etag } };
      }
      requests.record({
        method,
        route,
        path,
        status: reply.status,
        ...(body === undefined ? {} : { body }),
        ...(fault === undefined ? {} : { fault }),
      });
      const due = pending.find((p) => p.remaining > 0 && p.method === method && p.route === route);
      if (due) {
        due.remaining -= 1;
        due.action();
      }
      send(res, reply, rateHeaders(reply.status !== 304));
    };

    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        finish(pathname, failure({ documentationUrl: "https://docs.github.com/rest" }, 400, "Problems parsing JSON"));
        return;
      }
    }

    if (method === "GET" && pathname.startsWith(ARTIFACT_BLOB_PREFIX)) {
      const zip = artifactBlob(state, pathname);
      const reply: Reply = zip
        ? { status: 200, raw: zip, headers: { "content-type": "application/zip" } }
        : { status: 404, raw: "BlobNotFound" };
      finish(`${ARTIFACT_BLOB_PREFIX}{artifact_id}.zip`, reply);
      return;
    }

    if (method === "POST" && pathname === "/graphql") {
      const who = authenticate(state, req.headers.authorization, "installation-token");
      finish(
        "/graphql",
        who.kind === "rejected"
          ? failure({ documentationUrl: "https://docs.github.com/graphql" }, who.status, who.message)
          : graphql(state, body),
      );
      return;
    }

    const match = matchRoute(method, pathname);
    if (!match || "methodMissing" in match) {
      const where = match ? `${method} ${match.template}` : `${method} ${pathname}`;
      log(`fake GitHub: no route for ${where} (${method} ${path})`);
      finish(
        match?.template ?? pathname,
        failure({ documentationUrl: "https://docs.github.com/rest" }, 404, "Not Found"),
      );
      return;
    }
    const docs = documentationUrl(match.operation);
    const key = `${method} ${match.template}`;
    const route = routeTable[key];
    if (!route) {
      log(`fake GitHub: no handler for ${key} (${method} ${path})`);
      finish(match.template, failure({ documentationUrl: docs }, 404, "Not Found"));
      return;
    }

    const fault = faults.take(method, match.template);
    let lost = false;
    if (fault) {
      switch (fault.kind) {
        case "delay":
          await new Promise((r) => setTimeout(r, fault.ms));
          break;
        case "response-lost":
          lost = true;
          break;
        case "status":
        case "rate-limit":
        case "retry-after":
          finish(match.template, faultReply(fault, docs), describeFault(fault));
          return;
      }
    }

    const reply = ((): Reply => {
      const who = authenticate(state, req.headers.authorization, route.auth);
      if (who.kind === "rejected") return failure({ documentationUrl: docs }, who.status, who.message);
      const problems = validateRequestBody(match.operation, body);
      if (problems.length > 0)
        return failure({ documentationUrl: docs }, 422, `Invalid request.\n\n${problems.join("\n")}`);
      const base: BaseRequest = {
        world: state,
        params: match.params,
        url,
        headers: req.headers,
        body,
        actor: who.kind === "installation" ? who.actor : state.bot,
        documentationUrl: docs,
      };
      if (route.scope === "global") return route.handle(base);
      const repo = state.repo(match.params["owner"] ?? "", match.params["repo"] ?? "");
      return repo ? route.handle({ ...base, repo }) : failure({ documentationUrl: docs }, 404, "Not Found");
    })();

    if (lost) {
      // The write happened; the client never hears about it.
      requests.record({
        method,
        route: match.template,
        path,
        status: reply.status,
        ...(body === undefined ? {} : { body }),
        fault: describeFault({ kind: "response-lost" }),
      });
      req.socket.destroy();
      return;
    }
    finish(match.template, reply, fault ? describeFault(fault) : undefined);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(
        `fake GitHub: handler crashed for ${req.method ?? "?"} ${req.url ?? "?"}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) send(res, { status: 500, json: { message: "fake GitHub crashed; see log" } }, {});
    });
  });
  // Keep-alive sockets would hold `close()` open; the fake is local, so close them eagerly.
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  state.apiUrl = `http://127.0.0.1:${port}`;

  return {
    url: state.apiUrl,
    get state() {
      return state;
    },
    requests,
    faults,
    fail: (method, route, fault, times) => faults.inject(method, route, fault, times),
    get latencyMs() {
      return timing.latencyMs;
    },
    set latencyMs(ms: number) {
      timing.latencyMs = ms;
    },
    rate,
    afterAnswering: (method, route, action, times = 1) => {
      pending.push({ method: method.toUpperCase(), route, action, remaining: times });
    },
    reset: () => {
      const url = state.apiUrl;
      state = new FakeGitHubState(opts);
      state.apiUrl = url;
      requests.entries.length = 0;
      faults.clear();
      pending.length = 0;
      rate.used = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
