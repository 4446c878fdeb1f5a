/**
 * The server's operating settings from the environment — the reconciler's schedule and budgets,
 * the shutdown grace, metrics — each checked, with one message per bad variable naming the fix.
 * Environment, not the repo config: these spend the App's rate limit and the server's time, which
 * are the operator's, and a repository must not be able to make the bot poll it more often.
 */
import { DEFAULT_RECONCILER, type ReconcilerSettings } from "../core/reconcile/settings.js";

export interface ServerSettings {
  reconciler: ReconcilerSettings;
  /** How long SIGTERM waits for in-flight work before exiting. */
  shutdownGraceMs: number;
  /** `GET /metrics` is served. */
  metrics: boolean;
}

export const DEFAULT_SHUTDOWN_GRACE_MS = 25_000;

type Parsed = { ok: true; value: ServerSettings } | { ok: false; problems: string[] };

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  const okShape = range.integer ? /^\d+$/.test(raw.trim()) : /^\d+(\.\d+)?$/.test(raw.trim());
  if (!okShape || !Number.isFinite(value) || value < range.min || value > range.max) {
    problems.push(
      `${name}=${JSON.stringify(raw.slice(0, 40))} is not valid: use ${range.integer ? "a whole number" : "a number"} from ${range.min} to ${range.max} (default ${fallback})`,
    );
    return fallback;
  }
  return value;
}

/** The numeric variables: name, default, bounds. */
const NUMBERS = {
  minutes: ["RECONCILE_INTERVAL_MINUTES", DEFAULT_RECONCILER.everyMs / 60_000, { min: 0, max: 1440 }],
  runBudget: ["RECONCILE_BUDGET", DEFAULT_RECONCILER.runBudget, { min: 50, max: 100_000, integer: true }],
  installationBudget: [
    "RECONCILE_INSTALLATION_BUDGET",
    DEFAULT_RECONCILER.installationBudget,
    { min: 50, max: 100_000, integer: true },
  ],
  rateFloorPct: ["RECONCILE_RATE_FLOOR_PCT", DEFAULT_RECONCILER.rateFloorPct, { min: 0, max: 90 }],
  grace: ["SHUTDOWN_GRACE_SECONDS", DEFAULT_SHUTDOWN_GRACE_MS / 1000, { min: 0, max: 3600 }],
} as const;

export function serverSettingsFromEnv(env: NodeJS.ProcessEnv): Parsed {
  const problems: string[] = [];
  const read = (key: keyof typeof NUMBERS): number => {
    const [name, fallback, range] = NUMBERS[key];
    return number(env, name, fallback, range, problems);
  };
  const [minutes, runBudget, installationBudget, rateFloorPct, grace] = [
    read("minutes"),
    read("runBudget"),
    read("installationBudget"),
    read("rateFloorPct"),
    read("grace"),
  ];
  const metricsRaw = env["METRICS"];
  if (metricsRaw !== undefined && !["", "0", "1"].includes(metricsRaw))
    problems.push(
      `METRICS=${JSON.stringify(metricsRaw.slice(0, 40))} is not valid: use 1 to serve GET /metrics, 0 or unset for off`,
    );
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      reconciler: { everyMs: Math.round(minutes * 60_000), runBudget, installationBudget, rateFloorPct },
      shutdownGraceMs: Math.round(grace * 1000),
      metrics: metricsRaw === "1",
    },
  };
}
