/**
 * Handler tests against the demo's fake GitHub: one fake per test file, reset before each test to
 * an empty `acme/nmoe`; a Probot app with merge-captain's plugins pointed at it; and the fake's
 * request log read as the calls the app made, in order, with what it sent.
 */
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "@jest/globals";
import { startFakeGitHub, type FakeGitHub, type FakeRepo } from "../../src/demo/fake-github/index.js";
import type { Runtime } from "../../src/runtime/runtime.js";
import { APP_ID, INSTALLATION_ID, OWNER, REPO, REPO_PATH, testApp, type TestApp } from "./probot.js";

/** One request the app made, as the fake answered it. */
export interface Call {
  method: string;
  /** As sent, query included (`/repos/acme/nmoe/contents/.github%2Fmerge-captain.yml`). */
  path: string;
  /** The OpenAPI route template it matched. */
  route: string;
  status: number;
  body: Record<string, unknown> | undefined;
}

export interface FakeWorld {
  /** The fake itself (its state is replaced before each test: read `fake.state` inside a test). */
  readonly fake: FakeGitHub;
  /** `acme/nmoe`, empty and new for each test. */
  readonly repo: FakeRepo;
  /** A Probot with our App against the fake (same App id and installation as the fake's). */
  app(runtime?: Runtime): TestApp;
  /** Every call since the test began (or `forget()`), the installation-token exchange left out. */
  calls(): Call[];
  /** Installation-token exchanges since then (Probot caches the token per app and installation). */
  tokens(): number;
  /** Start counting calls afresh (the world stays): for a second event in the same test. */
  forget(): void;
}

const TOKEN_ROUTE = "/app/installations/{installation_id}/access_tokens";

/** `METHOD path` with the repository prefix cut and `%2F` read as `/` (`GET /contents/configs/gates/gates.toml?ref=main`). */
export function shortLine(c: Pick<Call, "method" | "path">): string {
  const path = c.path.replace(/%2F/gi, "/");
  return `${c.method} ${path.startsWith(`${REPO_PATH}/`) ? path.slice(REPO_PATH.length) : path}`;
}

/** `METHOD path` as sent, query stripped (`GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml`). */
export function traceLine(c: Pick<Call, "method" | "path">): string {
  return `${c.method} ${c.path.replace(/\?.*$/, "")}`;
}

/**
 * For a test file: start the fake before all tests, reset it before each (an empty `acme/nmoe`
 * owned by the org `acme`), and fail a test in which the app asked for a route the fake does
 * not serve (the fake logs it and answers 404, which a handler could otherwise swallow).
 */
export function useFakeGitHub(): FakeWorld {
  let fake: FakeGitHub | undefined;
  let repo: FakeRepo | undefined;
  let mark = 0;
  const unrouted: string[] = [];
  beforeAll(async () => {
    fake = await startFakeGitHub({
      app: { id: APP_ID },
      installationId: INSTALLATION_ID,
      log: (line) => unrouted.push(line),
    });
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    const f = started();
    f.reset();
    unrouted.length = 0;
    mark = 0;
    repo = f.state.addRepo({ owner: OWNER, name: REPO });
  });
  afterEach(() => {
    expect(unrouted).toEqual([]);
  });
  function started(): FakeGitHub {
    if (!fake) throw new Error("useFakeGitHub: the fake is not started (use it inside a test)");
    return fake;
  }
  const since = () => started().requests.since(mark);
  const calls = (): Call[] =>
    since()
      .filter((r) => r.route !== TOKEN_ROUTE)
      .map((r) => ({
        method: r.method,
        path: r.path,
        route: r.route,
        status: r.status,
        body: r.body === undefined ? undefined : (r.body as Record<string, unknown>),
      }));
  return {
    get fake() {
      return started();
    },
    get repo() {
      if (!repo) throw new Error("useFakeGitHub: no repository before the first test");
      return repo;
    },
    app: (runtime) => testApp(runtime, started().url),
    calls,
    tokens: () => since().filter((r) => r.route === TOKEN_ROUTE).length,
    forget: () => {
      mark = started().requests.mark();
    },
  };
}
