/**
 * The production server (`npm start`): a Probot app from the environment alone, on Probot's node
 * middleware behind `http.createServer`. Refuses to start without a webhook secret. Runs the
 * reconciler at start-up and periodically, serves `/healthz` (and `/metrics` with METRICS=1), and
 * on SIGTERM drains: new deliveries get 503, in-flight work gets a bounded time to finish.
 */
import { hkdfSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createNodeMiddleware, createProbot, ProbotOctokit, type Probot } from "probot";
import { createApp } from "./app.js";
import { apiCallsPlugin } from "./runtime/api-calls.js";
import { conditionalRequestsPlugin, MemoryEtagStore } from "./runtime/etag-cache.js";
import { Metrics, NO_TELEMETRY } from "./runtime/metrics.js";
import { installationRepos } from "./github/installations.js";
import { runHeartbeats } from "./handlers/experiment.js";
import { loadEnvFile, privateKeyProblem } from "./runtime/environment.js";
import { heartbeatIntervalMs } from "./runtime/periodic.js";
import { createRuntimeFromEnv, type RuntimeFromEnv } from "./runtime/redis.js";
import { signatureGate } from "./runtime/webhook-gate.js";
import type { Runtime } from "./runtime/runtime.js";
import { Scheduler } from "./runtime/scheduler.js";
import { serverSettingsFromEnv, type ServerSettings } from "./runtime/settings.js";
import { WriteQueue, writeQueuePlugin } from "./runtime/write-queue.js";

export class StartupError extends Error {}

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to PORT (3000); 0 picks a free port. */
  port?: number;
  host?: string;
  /** An Octokit class with other defaults (e.g. retries off for tests of failure paths). */
  Octokit?: typeof ProbotOctokit;
  /** Defaults to the runtime the environment asks for: shared in Redis with REDIS_URL, else in memory. */
  runtime?: Runtime;
  /** The write queue in front of the throttle (the burst benchmark passes one that ignores priorities, as a baseline). */
  writeQueue?: WriteQueue;
}

/** What a shutdown did: whether in-flight work finished within the grace, and what was left. */
export interface ShutdownReport {
  finished: boolean;
  left: string[];
}

export interface StartedServer {
  server: Server;
  url: string;
  webhookUrl: string;
  /** Where per-PR locks and handled deliveries live: "memory", "redis host:port", or "the runtime passed in". */
  store: string;
  /** The runtime the app runs with (its scheduler, work in flight, rate limits). */
  runtime: Runtime;
  /** Run the reconciler now (or wait for the run in progress): the demo and tests use it. */
  reconcileNow(): Promise<void>;
  /** The experiment heartbeat, a job on the same clock (HEARTBEAT_INTERVAL_S; undefined when it is off). */
  heartbeat: { runNow(): Promise<void> } | undefined;
  /**
   * Drain: answer 503 to new deliveries (GitHub records a failure; the reconciler covers it), stop
   * the periodic clock, wait up to `graceMs` for in-flight work, then stop listening and close Redis.
   */
  shutdown(graceMs?: number): Promise<ShutdownReport>;
  /** `shutdown` with the configured grace. */
  close(): Promise<void>;
}

/** LEDGER_KEY, when set, must be at least this long: it is the only thing between a hand-edited ledger and belief. */
export const MIN_LEDGER_KEY_LENGTH = 32;

/** What the environment must provide, checked before anything starts (Probot would default the secret to "development"). */
export function checkEnvironment(env: NodeJS.ProcessEnv): { appId: number } {
  const missing: string[] = [];
  if (!env.WEBHOOK_SECRET) missing.push("WEBHOOK_SECRET (the webhook secret set in the GitHub App settings)");
  if (!env.APP_ID || !/^\d+$/.test(env.APP_ID)) missing.push("APP_ID (the GitHub App's numeric id)");
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH)
    missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH (the App's private key)");
  if (env.LEDGER_KEY && env.LEDGER_KEY.length < MIN_LEDGER_KEY_LENGTH)
    missing.push(
      `LEDGER_KEY of at least ${MIN_LEDGER_KEY_LENGTH} characters (or unset it to derive one from WEBHOOK_SECRET)`,
    );
  if (env.APP_SLUG && !/^[a-z0-9][a-z0-9-]{0,33}$/.test(env.APP_SLUG))
    missing.push("APP_SLUG as GitHub spells the App's slug (lower-case letters, digits and dashes), or unset it");
  if (missing.length > 0)
    throw new StartupError(`merge-captain cannot start; set:\n  - ${missing.join("\n  - ")}\nSee .env.example.`);
  // Probot would only say "privateKey option is required": name the setting, the path and the problem.
  const keyProblem = privateKeyProblem(env, process.cwd());
  if (keyProblem) throw new StartupError(`merge-captain cannot start: ${keyProblem}. See .env.example.`);
  return { appId: Number(env.APP_ID) };
}

/**
 * The key ledgers are sealed with: HKDF-SHA256 of LEDGER_KEY when set, else of WEBHOOK_SECRET,
 * under a fixed label (so the key is never the secret itself). Changing either makes every
 * existing ledger fail its seal: it is then treated as hand-edited and rebuilt from GitHub.
 */
export function ledgerKeyFrom(env: NodeJS.ProcessEnv): Uint8Array {
  const material = env.LEDGER_KEY || env.WEBHOOK_SECRET || "";
  return new Uint8Array(hkdfSync("sha256", material, "merge-captain", "merge-captain ledger seal v1", 32));
}

/** Our App's bot login: `<APP_SLUG>[bot]`, or the slug GitHub reports for the App (`GET /app`, one call at start-up). */
async function botLoginOf(env: NodeJS.ProcessEnv, probot: Probot): Promise<string> {
  if (env.APP_SLUG) return `${env.APP_SLUG}[bot]`;
  try {
    const octokit = await probot.auth();
    const { data } = await octokit.rest.apps.getAuthenticated();
    if (!data?.slug) throw new Error("the answer names no slug");
    return `${data.slug}[bot]`;
  } catch (error) {
    const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new StartupError(
      `merge-captain cannot start: it could not ask GitHub for the App's slug (GET /app: ${why}). Check APP_ID and the private key, or set APP_SLUG.`,
    );
  }
}

/** The operating settings, or a StartupError listing every bad variable. */
export function checkSettings(env: NodeJS.ProcessEnv): ServerSettings {
  const parsed = serverSettingsFromEnv(env);
  if (!parsed.ok)
    throw new StartupError(
      `merge-captain cannot start; fix:\n  - ${parsed.problems.join("\n  - ")}\nSee .env.example.`,
    );
  return parsed.value;
}

export async function startServer(options: ServerOptions = {}): Promise<StartedServer> {
  const env = options.env ?? process.env;
  const { appId } = checkEnvironment(env);
  const settings = checkSettings(env);
  const metrics = settings.metrics ? new Metrics() : undefined;
  const telemetry = metrics ?? NO_TELEMETRY;
  let heartbeatMs: number | undefined;
  try {
    heartbeatMs = heartbeatIntervalMs(env);
  } catch (error) {
    throw new StartupError(`merge-captain cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Redis is checked before Probot exists: Probot opens its own connection for throttling from the
  // same REDIS_URL and offers no way to close it, so a bad URL must stop us before that happens.
  const logTo: { probot?: Probot } = {};
  const warn = (message: string, error: unknown): void => logTo.probot?.log.warn({ err: error }, message);
  const made: RuntimeFromEnv = options.runtime
    ? {
        // The caller's runtime, reporting to this server's metrics when METRICS=1.
        runtime: metrics ? { ...options.runtime, telemetry: metrics } : options.runtime,
        etags: new MemoryEtagStore(),
        store: "the runtime passed in",
        close: async () => {},
      }
    : await createRuntimeFromEnv(env, {
        onError: warn,
        overrides: {
          telemetry,
          scheduler: new Scheduler((job, error) => logTo.probot?.log.error({ err: error }, `${job} failed`)),
        },
      }).catch((error: unknown) => {
        throw new StartupError(`merge-captain cannot start: ${error instanceof Error ? error.message : String(error)}`);
      });
  const runtime = made.runtime;
  // Every installation's Octokit gets, outermost first: conditional reads (ETag cache), the write
  // queue in front of Probot's throttle, and the accounting of each call (metrics, rate limit, budgets).
  const queue =
    options.writeQueue ??
    new WriteQueue({ onDepth: (priority, waiting) => runtime.telemetry.writesWaiting(priority, waiting) });
  const Octokit = (options.Octokit ?? ProbotOctokit).plugin(
    apiCallsPlugin(runtime.telemetry, runtime.rateLimits),
    writeQueuePlugin(queue),
    conditionalRequestsPlugin(made.etags, { onError: warn }),
  );
  const probot = createProbot({ env, overrides: { Octokit } });
  logTo.probot = probot;
  const webhooksPath = env.WEBHOOK_PATH || "/api/github/webhooks";
  const botLogin = await botLoginOf(env, probot).catch(async (error: unknown) => {
    await made.close();
    throw error;
  });
  const app = { appId, botLogin, ledgerKey: ledgerKeyFrom(env) };
  const middleware = signatureGate(
    await createNodeMiddleware(createApp({ ...app, reconciler: settings.reconciler }, runtime), {
      probot,
      webhooksPath,
    }),
    { path: webhooksPath, secret: env.WEBHOOK_SECRET!, log: probot.log },
  );
  let draining = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/healthz") {
      // A draining instance is not ready: the load balancer stops sending it traffic.
      res.writeHead(draining ? 503 : 200, { "content-type": "text/plain" }).end(draining ? "draining\n" : "ok\n");
      return;
    }
    if (req.method === "GET" && path === "/metrics" && metrics) {
      metrics.render().then(
        ({ contentType, body }) => res.writeHead(200, { "content-type": contentType }).end(body),
        () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
      );
      return;
    }
    if (draining && req.method === "POST" && path === webhooksPath) {
      // GitHub records the delivery as failed (it can be redelivered); the reconciler covers it anyway.
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "30" }).end("shutting down\n");
      return;
    }
    void middleware(req, res, () => {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    });
  });
  const port = options.port ?? Number(env.PORT ?? 3000);
  const host = options.host ?? env.HOST ?? "0.0.0.0";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  }).catch(async (error: unknown) => {
    await made.close();
    throw error;
  });
  // The heartbeat, on the same clock as the reconciler: every instance runs it; the per-issue lock
  // (in Redis with REDIS_URL) and the re-read inside it make sure only one reminder is posted per gap.
  if (heartbeatMs !== undefined)
    runtime.scheduler.add({
      name: "heartbeat",
      everyMs: heartbeatMs,
      // Instances started together spread out: the first run lands in the second half of the first interval.
      firstDelayMs: Math.floor(heartbeatMs * (0.5 + Math.random() / 2)),
      run: () =>
        runtime.work.track("heartbeat", async () => {
          try {
            const summary = await runHeartbeats(
              installationRepos((id) => probot.auth(id), app),
              runtime,
              (line, err) => probot.log.warn({ err }, line),
            );
            const reminded = summary.repos.reduce((n, r) => n + r.reminded, 0);
            if (reminded > 0) probot.log.info(`heartbeat: ${reminded} reminder${reminded === 1 ? "" : "s"} posted`);
          } catch (err) {
            probot.log.error({ err }, "heartbeat: the run failed; the next one retries");
          }
        }),
    });
  const address = server.address() as AddressInfo;
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shown}:${address.port}`;
  runtime.scheduler.start();
  let stopping: Promise<ShutdownReport> | undefined;
  const shutdown = (graceMs = settings.shutdownGraceMs): Promise<ShutdownReport> => {
    stopping ??= (async () => {
      draining = true;
      const deadline = Date.now() + graceMs;
      // No new periodic runs; one in progress is in-flight work like any handler. Deferred
      // work (the merge plan's debounced refresh) runs now, within the same grace.
      void runtime.scheduler.stop();
      void runtime.work.track("deferred work (merge plan)", () => runtime.debounce.flush()).catch(() => undefined);
      const drained = await runtime.work.drain(graceMs);
      if (!drained.finished)
        probot.log.warn(
          `merge-captain: shutting down with ${drained.left.length} unfinished: ${drained.left.join(", ")} (the reconciler repairs them on the next start)`,
        );
      await new Promise<void>((resolve) => {
        // Keep-alive sockets would hold close() open until they time out: idle ones are closed as they
        // become idle (a delivery's answer goes out just after its handler ends), the rest at the deadline.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      await made.close();
      return drained;
    })();
    return stopping;
  };
  return {
    server,
    url,
    webhookUrl: url + webhooksPath,
    store: made.store,
    runtime,
    reconcileNow: () => (settings.reconciler.everyMs > 0 ? runtime.scheduler.trigger("reconciler") : Promise.resolve()),
    heartbeat: heartbeatMs === undefined ? undefined : { runNow: () => runtime.scheduler.trigger("heartbeat") },
    shutdown,
    close: async () => {
      await shutdown();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // As `probot run` does: settings from ./.env, the real environment winning.
  try {
    loadEnvFile(".env", process.env);
  } catch (err) {
    process.stderr.write(`merge-captain cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
  startServer().then(
    (s) => {
      process.stdout.write(
        `merge-captain listening on ${s.url} (webhooks at ${s.webhookUrl}${s.store === "memory" ? "" : `; locks in ${s.store}`})\n`,
      );
      for (const signal of ["SIGTERM", "SIGINT"] as const)
        process.once(signal, () => {
          process.stdout.write(`merge-captain: ${signal}, draining\n`);
          void s.shutdown().then((report) => {
            process.stdout.write(
              report.finished
                ? "merge-captain: drained, exiting\n"
                : `merge-captain: exiting with ${report.left.length} unfinished: ${report.left.join(", ")}\n`,
            );
            process.exit(0);
          });
        });
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
