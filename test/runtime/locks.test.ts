/** The in-memory per-PR lock and delivery log a single instance uses. */
import { describe, expect, test } from "@jest/globals";
import { DeliveryLog, KeyedMutex } from "../../src/runtime/locks.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Let every queued callback run, so work that could start has started. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("KeyedMutex", () => {
  test("work on one key runs one at a time, in arrival order", async () => {
    const locks = new KeyedMutex();
    const log: string[] = [];
    const gate = deferred();
    const first = locks.run("acme/nmoe#1", async () => {
      log.push("first starts");
      await gate.promise;
      log.push("first ends");
    });
    const second = locks.run("acme/nmoe#1", async () => void log.push("second"));
    const third = locks.run("acme/nmoe#1", async () => void log.push("third"));
    await settle();
    expect(log).toEqual(["first starts"]);
    gate.resolve();
    await Promise.all([first, second, third]);
    expect(log).toEqual(["first starts", "first ends", "second", "third"]);
  });

  test("work on different keys runs in parallel", async () => {
    const locks = new KeyedMutex();
    const gate = deferred();
    const held = locks.run("acme/nmoe#1", () => gate.promise);
    // Completes while #1 is still held: it never waited for it.
    await expect(locks.run("acme/nmoe#2", async () => "done")).resolves.toBe("done");
    gate.resolve();
    await held;
  });

  test("a failing holder releases the lock, and its caller sees the error", async () => {
    const locks = new KeyedMutex();
    const failing = locks.run("acme/nmoe#1", async () => {
      throw new Error("GitHub said 502");
    });
    const next = locks.run("acme/nmoe#1", async () => "ran");
    await expect(failing).rejects.toThrow("GitHub said 502");
    await expect(next).resolves.toBe("ran");
  });

  test("returns what the work returns", async () => {
    await expect(new KeyedMutex().run("k", async () => 42)).resolves.toBe(42);
  });
});

describe("DeliveryLog", () => {
  test("a delivery is seen only once it was remembered", async () => {
    const log = new DeliveryLog();
    expect(await log.seen("d-1")).toBe(false);
    await log.remember("d-1");
    expect(await log.seen("d-1")).toBe(true);
    expect(await log.seen("d-2")).toBe(false);
  });

  test("a delivery without an id is never seen", async () => {
    const log = new DeliveryLog();
    await log.remember(undefined);
    expect(await log.seen(undefined)).toBe(false);
  });

  test.each([
    { capacity: 2, remembered: ["a", "b", "c"], seen: ["b", "c"], forgotten: ["a"] },
    { capacity: 3, remembered: ["a", "b", "c"], seen: ["a", "b", "c"], forgotten: [] },
    { capacity: 1, remembered: ["a", "b", "c"], seen: ["c"], forgotten: ["a", "b"] },
  ])("holds the last $capacity ids (remembered $remembered)", async ({ capacity, remembered, seen, forgotten }) => {
    const log = new DeliveryLog(capacity);
    for (const id of remembered) await log.remember(id);
    for (const id of seen) expect(await log.seen(id)).toBe(true);
    for (const id of forgotten) expect(await log.seen(id)).toBe(false);
  });
});
