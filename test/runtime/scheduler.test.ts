/** The periodic clock, the work tracker and the local leases: what the reconciler and a graceful shutdown stand on. */
import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { LocalLeases } from "../../src/runtime/lease.js";
import { Scheduler } from "../../src/runtime/scheduler.js";
import { WorkTracker } from "../../src/runtime/work.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Scheduler (fake clock)", () => {
  beforeEach(() => void jest.useFakeTimers());
  afterEach(() => void jest.useRealTimers());

  test("runs at start-up, then every interval after the previous run ended, never overlapping", async () => {
    const scheduler = new Scheduler();
    const runs: number[] = [];
    const reasons: string[] = [];
    let gate = deferred();
    scheduler.add({
      name: "job",
      everyMs: 1000,
      atStart: true,
      run: async (reason) => {
        runs.push(Date.now());
        reasons.push(reason);
        await gate.promise;
      },
    });
    const t0 = Date.now();
    scheduler.start();
    await jest.advanceTimersByTimeAsync(5000); // the first run is still going: no second one starts
    expect(runs.map((t) => t - t0)).toEqual([0]);
    expect(scheduler.running()).toEqual(["job"]);
    gate.resolve();
    gate = deferred();
    gate.resolve();
    await jest.advanceTimersByTimeAsync(999);
    expect(runs).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs.map((t) => t - t0)).toEqual([0, 6000]);
    await scheduler.trigger("job");
    expect(reasons).toEqual(["start-up", "periodic", "triggered"]);
    await scheduler.stop();
  });

  test("trigger runs now, or joins the run in progress; a failed run is reported and the clock goes on", async () => {
    const errors: string[] = [];
    const scheduler = new Scheduler((job, e) => errors.push(`${job}: ${(e as Error).message}`));
    let calls = 0;
    scheduler.add({
      name: "flaky",
      everyMs: 100,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error("GitHub down");
      },
    });
    scheduler.start();
    await scheduler.trigger("flaky");
    expect(errors).toEqual(["flaky: GitHub down"]);
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toBe(2);
    const a = scheduler.trigger("flaky");
    const b = scheduler.trigger("flaky");
    await Promise.all([a, b]);
    expect(calls).toBe(3);
    await expect(scheduler.trigger("nope")).rejects.toThrow("no periodic job named nope");
    await scheduler.stop();
  });

  test("a job with no interval runs only when triggered; after stop nothing runs", async () => {
    const scheduler = new Scheduler();
    let calls = 0;
    scheduler.add({ name: "manual", everyMs: 0, run: async () => void (calls += 1) });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(0);
    await scheduler.trigger("manual");
    expect(calls).toBe(1);
    await scheduler.stop();
    await scheduler.trigger("manual");
    expect(calls).toBe(1);
  });

  test("a job may start its clock after a first delay of its own (the heartbeat spreads instances out)", async () => {
    const scheduler = new Scheduler();
    const at: number[] = [];
    const t0 = Date.now();
    scheduler.add({
      name: "heartbeat",
      everyMs: 1000,
      firstDelayMs: 700,
      run: async () => void at.push(Date.now() - t0),
    });
    scheduler.start();
    await jest.advanceTimersByTimeAsync(699);
    expect(at).toEqual([]);
    await jest.advanceTimersByTimeAsync(1301);
    expect(at).toEqual([700, 1700]);
    await scheduler.stop();
  });

  test("a second job of the same name is a bug", () => {
    const scheduler = new Scheduler();
    scheduler.add({ name: "x", everyMs: 1, run: async () => {} });
    expect(() => scheduler.add({ name: "x", everyMs: 1, run: async () => {} })).toThrow("already exists");
  });
});

describe("WorkTracker", () => {
  test("drain waits for the work in flight, or says what was left at the bound", async () => {
    const work = new WorkTracker();
    expect(await work.drain(10)).toEqual({ finished: true, left: [] });
    const slow = deferred();
    const fast = deferred();
    void work.track("pull_request.opened d1", () => slow.promise);
    void work.track("issues.edited d2", () => fast.promise);
    expect(work.inFlight()).toEqual(["pull_request.opened d1", "issues.edited d2"]);
    fast.resolve();
    expect(await work.drain(20)).toEqual({ finished: false, left: ["pull_request.opened d1"] });
    const drained = work.drain(10_000);
    slow.resolve();
    expect(await drained).toEqual({ finished: true, left: [] });
  });

  test("a failing piece of work leaves the tracker too", async () => {
    const work = new WorkTracker();
    await expect(work.track("x", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(work.inFlight()).toEqual([]);
  });
});

describe("LocalLeases", () => {
  test("tryRun: a second holder does not run while the first holds the lease", async () => {
    const leases = new LocalLeases();
    const gate = deferred();
    const first = leases.tryRun("reconciler", () => gate.promise.then(() => "first"));
    expect(await leases.tryRun("reconciler", async () => "second")).toEqual({ ran: false });
    expect(await leases.tryRun("other", async () => "other")).toEqual({ ran: true, value: "other" });
    gate.resolve();
    expect(await first).toEqual({ ran: true, value: "first" });
    expect(await leases.tryRun("reconciler", async () => "again")).toEqual({ ran: true, value: "again" });
  });

  test("claim: the first claim within the interval wins", async () => {
    let now = 0;
    const leases = new LocalLeases(() => now);
    expect(await leases.claim("interval", 1000)).toBe(true);
    now = 999;
    expect(await leases.claim("interval", 1000)).toBe(false);
    now = 1000;
    expect(await leases.claim("interval", 1000)).toBe(true);
  });
});
