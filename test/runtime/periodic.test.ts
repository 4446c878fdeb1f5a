import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { heartbeatIntervalMs, startPeriodic } from "../../src/runtime/periodic.js";

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe("startPeriodic (the heartbeat's own timer)", () => {
  test("runs after the first delay, then every interval, never two at once; errors are reported, not thrown", async () => {
    let runs = 0;
    let release: () => void = () => {};
    const errors: unknown[] = [];
    const p = startPeriodic({
      intervalMs: 1000,
      firstDelayMs: 10,
      run: () => {
        runs++;
        if (runs === 2) return Promise.reject(new Error("GitHub is down"));
        return new Promise<void>((resolve) => (release = resolve));
      },
      onError: (e) => errors.push(e),
    });
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(10);
    expect(runs).toBe(1);
    // Still running: a manual run joins it instead of starting a second one.
    const joined = p.runNow();
    expect(runs).toBe(1);
    release();
    await joined;
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(3);
    release();
    await p.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(3);
  });

  test("the default first run lands in the second half of the first interval", async () => {
    let runs = 0;
    const p = startPeriodic({ intervalMs: 1000, run: async () => void runs++, onError: () => {} });
    await jest.advanceTimersByTimeAsync(499);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(501);
    expect(runs).toBe(1);
    await p.stop();
  });
});

describe("HEARTBEAT_INTERVAL_S", () => {
  test.each([
    [undefined, 900_000],
    ["", 900_000],
    ["0", undefined],
    ["3600", 3_600_000],
  ])("%p → %p ms", (raw, want) => {
    expect(heartbeatIntervalMs(raw === undefined ? {} : { HEARTBEAT_INTERVAL_S: raw })).toBe(want);
  });

  test.each([
    ["15m", "a whole number of seconds"],
    ["-5", "a whole number of seconds"],
    ["30", "at least 60 seconds"],
  ])("%p is refused with the fix", (raw, message) => {
    expect(() => heartbeatIntervalMs({ HEARTBEAT_INTERVAL_S: raw })).toThrow(message);
  });
});

describe("startServer and HEARTBEAT_INTERVAL_S", () => {
  test("a bad value stops the server before anything starts, with the fix", async () => {
    jest.useRealTimers();
    const { startServer, StartupError } = await import("../../src/server.js");
    const env = { APP_ID: "1", PRIVATE_KEY: "unused", WEBHOOK_SECRET: "s", HEARTBEAT_INTERVAL_S: "10" };
    await expect(startServer({ env, port: 0, host: "127.0.0.1" })).rejects.toThrow(StartupError);
    await expect(startServer({ env, port: 0, host: "127.0.0.1" })).rejects.toThrow("at least 60 seconds");
  });
});
