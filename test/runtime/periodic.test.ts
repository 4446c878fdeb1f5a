import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { heartbeatIntervalMs } from "../../src/runtime/periodic.js";

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
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
