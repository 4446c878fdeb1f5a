/** The server's settings from the environment: defaults, and one message per bad variable naming the fix. */
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_RECONCILER } from "../../src/core/reconcile/settings.js";
import { DEFAULT_SHUTDOWN_GRACE_MS, serverSettingsFromEnv } from "../../src/runtime/settings.js";
import { checkSettings, StartupError } from "../../src/server.js";

describe("serverSettingsFromEnv", () => {
  test("defaults: every 10 minutes, budgets 2000 / 500, floor 20 %, 25 s grace, no metrics", () => {
    expect(serverSettingsFromEnv({})).toEqual({
      ok: true,
      value: { reconciler: DEFAULT_RECONCILER, shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS, metrics: false },
    });
    expect(DEFAULT_RECONCILER).toEqual({
      everyMs: 600_000,
      runBudget: 2000,
      installationBudget: 500,
      rateFloorPct: 20,
    });
  });

  test.each([
    [{ RECONCILE_INTERVAL_MINUTES: "2.5" }, { reconciler: { ...DEFAULT_RECONCILER, everyMs: 150_000 } }],
    [{ RECONCILE_INTERVAL_MINUTES: "0" }, { reconciler: { ...DEFAULT_RECONCILER, everyMs: 0 } }],
    [
      { RECONCILE_BUDGET: "800", RECONCILE_INSTALLATION_BUDGET: "300", RECONCILE_RATE_FLOOR_PCT: "35" },
      { reconciler: { everyMs: 600_000, runBudget: 800, installationBudget: 300, rateFloorPct: 35 } },
    ],
    [{ SHUTDOWN_GRACE_SECONDS: "5" }, { shutdownGraceMs: 5000 }],
    [{ METRICS: "1" }, { metrics: true }],
    [{ METRICS: "0", RECONCILE_BUDGET: "" }, { metrics: false }],
  ])("%j", (env, expected) => {
    const parsed = serverSettingsFromEnv(env);
    expect(parsed.ok && parsed.value).toMatchObject(expected);
  });

  test.each([
    [
      { RECONCILE_INTERVAL_MINUTES: "ten" },
      'RECONCILE_INTERVAL_MINUTES="ten" is not valid: use a number from 0 to 1440 (default 10)',
    ],
    [{ RECONCILE_INTERVAL_MINUTES: "-1" }, "RECONCILE_INTERVAL_MINUTES"],
    [
      { RECONCILE_BUDGET: "10" },
      'RECONCILE_BUDGET="10" is not valid: use a whole number from 50 to 100000 (default 2000)',
    ],
    [{ RECONCILE_INSTALLATION_BUDGET: "1.5" }, "RECONCILE_INSTALLATION_BUDGET"],
    [{ RECONCILE_RATE_FLOOR_PCT: "95" }, "RECONCILE_RATE_FLOOR_PCT"],
    [{ SHUTDOWN_GRACE_SECONDS: "forever" }, "SHUTDOWN_GRACE_SECONDS"],
    [{ METRICS: "yes" }, 'METRICS="yes" is not valid: use 1 to serve GET /metrics, 0 or unset for off'],
  ])("%j is refused, naming the variable", (env, message) => {
    const parsed = serverSettingsFromEnv(env);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems.join("\n")).toContain(message);
  });

  test("every bad variable is named at once, as a StartupError", () => {
    expect(() => checkSettings({ RECONCILE_BUDGET: "x", METRICS: "on" })).toThrow(StartupError);
    expect(() => checkSettings({ RECONCILE_BUDGET: "x", METRICS: "on" })).toThrow(/RECONCILE_BUDGET[\s\S]*METRICS/);
  });
});
