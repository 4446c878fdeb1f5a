/**
 * The production server (`npm start`): a Probot app from the environment alone, on Probot's node
 * middleware behind `http.createServer`. Refuses to start without a webhook secret.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { createNodeMiddleware, createProbot, type Probot, type ProbotOctokit } from "probot";
import { createApp } from "./app.js";
import { installationRepos } from "./github/installations.js";
import { runHeartbeats } from "./handlers/experiment.js";
import { loadEnvFile, privateKeyProblem } from "./runtime/environment.js";
import { heartbeatIntervalMs, startPeriodic, type Periodic } from "./runtime/periodic.js";
import { createRuntimeFromEnv, type RuntimeFromEnv } from "./runtime/redis.js";
import { signatureGate } from "./runtime/webhook-gate.js";
import type { Runtime } from "./runtime/runtime.js";

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
}

export interface StartedServer {
  server: Server;
  url: string;
  webhookUrl: string;
  /** Where per-PR locks and handled deliveries live: "memory", "redis host:port", or "the runtime passed in". */
  store: string;
  /** The experiment heartbeat's timer (HEARTBEAT_INTERVAL_S; undefined when it is off). */
  heartbeat: Periodic | undefined;
  /** Stops listening, then closes the Redis connection the server opened (a passed-in runtime is the caller's). */
  close(): Promise<void>;
}

/** What the environment must provide, checked before anything starts (Probot would default the secret to "development"). */
export function checkEnvironment(env: NodeJS.ProcessEnv): { appId: number } {
  const missing: string[] = [];
  if (!env.WEBHOOK_SECRET) missing.push("WEBHOOK_SECRET (the webhook secret set in the GitHub App settings)");
  if (!env.APP_ID || !/^\d+$/.test(env.APP_ID)) missing.push("APP_ID (the GitHub App's numeric id)");
  if (!env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH)
    missing.push("PRIVATE_KEY or PRIVATE_KEY_PATH (the App's private key)");
  if (missing.length > 0)
    throw new StartupError(`merge-captain cannot start; set:\n  - ${missing.join("\n  - ")}\nSee .env.example.`);
  // Probot would only say "privateKey option is required": name the setting, the path and the problem.
  const keyProblem = privateKeyProblem(env, process.cwd());
  if (keyProblem) throw new StartupError(`merge-captain cannot start: ${keyProblem}. See .env.example.`);
  return { appId: Number(env.APP_ID) };
}

export async function startServer(options: ServerOptions = {}): Promise<StartedServer> {
  const env = options.env ?? process.env;
  const { appId } = checkEnvironment(env);
  let heartbeatMs: number | undefined;
  try {
    heartbeatMs = heartbeatIntervalMs(env);
  } catch (error) {
    throw new StartupError(`merge-captain cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Redis is checked before Probot exists: Probot opens its own connection for throttling from the
  // same REDIS_URL and offers no way to close it, so a bad URL must stop us before that happens.
  const logTo: { probot?: Probot } = {};
  const made: RuntimeFromEnv = options.runtime
    ? { runtime: options.runtime, store: "the runtime passed in", close: async () => {} }
    : await createRuntimeFromEnv(env, {
        onError: (message, error) => logTo.probot?.log.warn({ err: error }, message),
      }).catch((error: unknown) => {
        throw new StartupError(`merge-captain cannot start: ${error instanceof Error ? error.message : String(error)}`);
      });
  const probot = createProbot({ env, ...(options.Octokit ? { overrides: { Octokit: options.Octokit } } : {}) });
  logTo.probot = probot;
  const webhooksPath = env.WEBHOOK_PATH || "/api/github/webhooks";
  const middleware = signatureGate(
    await createNodeMiddleware(createApp({ appId }, made.runtime), { probot, webhooksPath }),
    {
      path: webhooksPath,
      secret: env.WEBHOOK_SECRET!,
      log: probot.log,
    },
  );
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
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
  // The heartbeat's own clock: every instance runs it; the per-issue lock (in Redis with REDIS_URL)
  // and the re-read inside it make sure only one reminder is posted per gap.
  const heartbeat =
    heartbeatMs === undefined
      ? undefined
      : startPeriodic({
          intervalMs: heartbeatMs,
          run: async () => {
            const summary = await runHeartbeats(
              installationRepos((id) => probot.auth(id), appId),
              made.runtime,
              (line, err) => probot.log.warn({ err }, line),
            );
            const reminded = summary.repos.reduce((n, r) => n + r.reminded, 0);
            if (reminded > 0) probot.log.info(`heartbeat: ${reminded} reminder${reminded === 1 ? "" : "s"} posted`);
          },
          onError: (err) => probot.log.error({ err }, "heartbeat: the run failed; the next one retries"),
        });
  const address = server.address() as AddressInfo;
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host;
  const url = `http://${shown}:${address.port}`;
  return {
    server,
    url,
    webhookUrl: url + webhooksPath,
    store: made.store,
    heartbeat,
    close: async () => {
      await heartbeat?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await made.close();
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
    (s) =>
      process.stdout.write(
        `merge-captain listening on ${s.url} (webhooks at ${s.webhookUrl}${s.store === "memory" ? "" : `; locks in ${s.store}`})\n`,
      ),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
