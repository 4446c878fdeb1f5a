/** The real server against the fake GitHub, as the e2e tests start it: a fresh key, no throttle, the reconciler's start-up run done. */
import { generateKeyPairSync } from "node:crypto";
import { UnthrottledOctokit } from "../../src/demo/octokit.js";
import type { FakeGitHub } from "../../src/demo/fake-github/index.js";
import { startServer, type StartedServer } from "../../src/server.js";

export async function startAppAgainst(fake: FakeGitHub, secret: string): Promise<StartedServer> {
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const app = await startServer({
    env: {
      APP_ID: "1",
      PRIVATE_KEY: key,
      WEBHOOK_SECRET: secret,
      GHE_HOST: new URL(fake.url).host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "fatal",
    },
    port: 0,
    host: "127.0.0.1",
    Octokit: UnthrottledOctokit,
  });
  // The reconciler's start-up run ends before the tests count calls.
  await app.reconcileNow();
  return app;
}
