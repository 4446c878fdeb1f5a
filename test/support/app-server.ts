/** The real server against the fake GitHub, as the e2e tests start it: the test key, no throttle, the reconciler's start-up run done. */
import { UnthrottledOctokit } from "../../src/demo/octokit.js";
import type { FakeGitHub } from "../../src/demo/fake-github/index.js";
import { startServer, type StartedServer } from "../../src/server.js";
import { appPrivateKey } from "./app-key.js";

/** The environment the server reads to run as the fake's App against it; `over` adds or replaces variables. */
export function serverEnv(fake: FakeGitHub, secret: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    APP_ID: "1",
    PRIVATE_KEY: appPrivateKey(),
    WEBHOOK_SECRET: secret,
    GHE_HOST: new URL(fake.url).host,
    GHE_PROTOCOL: "http",
    LOG_LEVEL: "fatal",
    ...over,
  };
}

export async function startAppAgainst(fake: FakeGitHub, secret: string): Promise<StartedServer> {
  const app = await startServer({
    env: serverEnv(fake, secret),
    port: 0,
    host: "127.0.0.1",
    Octokit: UnthrottledOctokit,
  });
  // The reconciler's start-up run ends before the tests count calls.
  await app.reconcileNow();
  return app;
}
