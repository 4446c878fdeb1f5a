/** A Probot instance running our app for handler tests: no retries or throttling, calls intercepted by nock. */
import { afterEach, beforeEach, expect } from "@jest/globals";
import nock from "nock";
import { Probot } from "probot";
import { UnthrottledOctokit } from "../../src/demo/octokit.js";
import { createApp } from "../../src/app.js";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.js";
import { appPrivateKey } from "./app-key.js";

export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
export const API = "https://api.github.com";
export const OWNER = "acme";
export const REPO = "nmoe";
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
/** Our App's bot account in handler tests. */
export const BOT_LOGIN = "merge-captain[bot]";
/** The key handler tests seal ledgers with (the server derives its own from the environment). */
export const LEDGER_KEY = new Uint8Array(32).fill(7);

export interface TestApp {
  probot: Probot;
  runtime: Runtime;
  receive(name: string, payload: object, id?: string): Promise<void>;
}

/** Retries and throttling off (see src/demo/octokit.ts for why it takes a defaults function). */
const TestOctokit = UnthrottledOctokit;

let delivery = 0;

export function testApp(
  runtime: Runtime = createRuntime({ now: () => new Date("2026-11-23T12:00:00Z"), newId: sequentialIds() }),
  /** Where its GitHub is: api.github.com (for nock) unless a fake's URL is given. */
  baseUrl?: string,
): TestApp {
  const probot = new Probot({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    secret: "test-secret",
    logLevel: "fatal",
    Octokit: TestOctokit,
    ...(baseUrl === undefined ? {} : { baseUrl }),
  });
  void probot.load(createApp({ appId: APP_ID, botLogin: BOT_LOGIN, ledgerKey: LEDGER_KEY }, runtime));
  return {
    probot,
    runtime,
    receive: async (name, payload, id) => {
      await probot.receive({ id: id ?? `delivery-${++delivery}`, name, payload } as Parameters<Probot["receive"]>[0]);
    },
  };
}

export function sequentialIds(prefix = "d0000000-0000-4000-8000-"): () => string {
  let n = 0;
  return () => prefix + String(++n).padStart(12, "0");
}

/** The installation token exchange Probot makes before the first call of an event. */
export function tokenScope(): nock.Scope {
  return nock(API)
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} })
    .persist();
}

/** Fail the test on any request nock has no interceptor for, naming it. */
export function strictNock(): { unexpected: string[] } {
  nock.disableNetConnect();
  const unexpected: string[] = [];
  nock.emitter.removeAllListeners("no match");
  nock.emitter.on(
    "no match",
    (req: { method?: string; path?: string; options?: { method?: string; path?: string } }) => {
      unexpected.push(`${req.method ?? req.options?.method} ${req.path ?? req.options?.path}`);
    },
  );
  return { unexpected };
}

/**
 * The requests `act` makes with no interceptor at all, not even the installation token, so that
 * every request is a "no match": for events the app must ignore without a single call.
 */
export async function requestsWithNoInterceptor(act: () => Promise<void>): Promise<string[]> {
  nock.cleanAll();
  const requests: string[] = [];
  const record = (req: { method?: string; path?: string }) => requests.push(`${req.method} ${req.path}`);
  nock.emitter.on("no match", record);
  try {
    await act();
  } finally {
    nock.emitter.removeListener("no match", record);
  }
  return requests;
}

/** A comment as GitHub returns it, written by our app or by someone else. */
export function aComment(id: number, body: string, by: "app" | "user" | "other-app" = "app") {
  return {
    id,
    node_id: `IC_${id}`,
    body,
    user:
      by === "user"
        ? { login: "octocat", type: "User" }
        : { login: by === "app" ? "merge-captain[bot]" : "impostor[bot]", type: "Bot" },
    performed_via_github_app:
      by === "app" ? { id: APP_ID, slug: "merge-captain" } : by === "other-app" ? { id: 999, slug: "impostor" } : null,
    created_at: "2026-11-23T12:00:00Z",
    updated_at: "2026-11-23T12:00:00Z",
  };
}

/**
 * For a handler test file: before each test, a clean nock that refuses the network and records
 * unmatched requests, with the installation-token exchange answered; after each, no request may
 * have gone unmatched.
 */
export function useStrictNock(): void {
  let guard: { unexpected: string[] };
  beforeEach(() => {
    nock.cleanAll();
    guard = strictNock();
    tokenScope();
  });
  afterEach(() => {
    expect(guard.unexpected).toEqual([]);
    nock.cleanAll();
  });
}
