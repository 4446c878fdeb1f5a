/** A reconciler outside any server, against the fake GitHub: Probot's own auth and Octokit, with the app's plugins. */
import { Probot } from "probot";
import { DEFAULT_RECONCILER, type ReconcilerSettings } from "../../src/core/reconcile/settings.js";
import { UnthrottledOctokit } from "../../src/demo/octokit.js";
import type { FakeGitHub } from "../../src/demo/fake-github/index.js";
import type { Octokit } from "../../src/github/client.js";
import type { ReconcilerDeps } from "../../src/handlers/reconcile.js";
import { apiCallsPlugin } from "../../src/runtime/api-calls.js";
import { conditionalRequestsPlugin, MemoryEtagStore, type EtagStore } from "../../src/runtime/etag-cache.js";
import type { Runtime } from "../../src/runtime/runtime.js";
import { ledgerKeyFrom } from "../../src/server.js";
import { appPrivateKey } from "./app-key.js";

export function reconcilerFor(
  fake: FakeGitHub,
  runtime: Runtime,
  o: { settings?: ReconcilerSettings; etags?: EtagStore; onRun?: () => Promise<void>; ledgerKey?: Uint8Array } = {},
): ReconcilerDeps & { logged: string[] } {
  const Octokit = UnthrottledOctokit.plugin(
    apiCallsPlugin(runtime.telemetry, runtime.rateLimits),
    conditionalRequestsPlugin(o.etags ?? new MemoryEtagStore()),
  );
  const probot = new Probot({
    appId: fake.state.app.id,
    privateKey: appPrivateKey(),
    Octokit,
    baseUrl: fake.url,
    logLevel: "fatal",
  });
  const logged: string[] = [];
  return {
    // The fake's App; ledgers sealed by a server beside it need that server's key (`ledgerKey`).
    app: {
      appId: fake.state.app.id,
      botLogin: `${fake.state.app.slug}[bot]`,
      ledgerKey: o.ledgerKey ?? ledgerKeyFrom({ WEBHOOK_SECRET: "reconciler-test-secret" }),
    },
    runtime,
    settings: o.settings ?? DEFAULT_RECONCILER,
    auth: async (id?: number): Promise<Octokit> => {
      if (o.onRun && id === undefined) await o.onRun();
      return await probot.auth(id);
    },
    log: {
      info: (m) => logged.push(m),
      warn: (m) => logged.push(m),
      error: (_e, m) => logged.push(m),
    },
    logged,
  };
}
