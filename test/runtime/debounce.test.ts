/** The per-key debouncer behind the merge plan: a burst runs the latest job once, jobs for one key never overlap. */
import { describe, expect, test } from "@jest/globals";
import { Debouncer, type Timers } from "../../src/runtime/debounce.js";

/** Timers and a clock the test moves by hand: `advance(ms)` fires what is due, in order. */
function manualTime(): { timers: Timers; now: () => number; advance: (ms: number) => Promise<void> } {
  let clock = 0;
  let next = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => clock,
    timers: {
      set: (fn, ms) => {
        const id = ++next;
        due.set(id, { at: clock + ms, fn });
        return id;
      },
      clear: (h) => void due.delete(h as number),
    },
    advance: async (ms) => {
      clock += ms;
      for (const [id, t] of [...due.entries()].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > clock) continue;
        due.delete(id);
        t.fn();
      }
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("Debouncer", () => {
  test("a burst of 10 schedules runs one job, the latest, after the quiet period", async () => {
    const time = manualTime();
    const d = new Debouncer({ delayMs: 1000, maxWaitMs: 10_000, ...time });
    const ran: number[] = [];
    for (let i = 1; i <= 10; i++) {
      d.schedule("acme/nmoe", async () => void ran.push(i));
      await time.advance(100);
    }
    expect(ran).toEqual([]);
    await time.advance(1000);
    expect(ran).toEqual([10]);
    expect(d.waiting).toEqual([]);
  });

  test("a steady stream still runs within the maximum wait", async () => {
    const time = manualTime();
    const d = new Debouncer({ delayMs: 1000, maxWaitMs: 3000, ...time });
    const ran: number[] = [];
    for (let i = 1; i <= 10; i++) {
      d.schedule("k", async () => void ran.push(i));
      await time.advance(500);
    }
    // Scheduled at 0 ms, so it runs at 3000 ms with the job of 2500 ms; the rest form the next burst.
    expect(ran[0]).toBe(6);
    await time.advance(1000);
    expect(ran).toEqual([6, 10]);
  });

  test("keys are independent", async () => {
    const time = manualTime();
    const d = new Debouncer({ delayMs: 1000, ...time });
    const ran: string[] = [];
    d.schedule("a", async () => void ran.push("a"));
    d.schedule("b", async () => void ran.push("b"));
    await time.advance(1000);
    expect(ran.sort()).toEqual(["a", "b"]);
  });

  test("a burst during a running job waits for it, then runs once", async () => {
    const time = manualTime();
    const d = new Debouncer({ delayMs: 10, ...time });
    const gate = deferred();
    const log: string[] = [];
    d.schedule("k", async () => {
      log.push("first starts");
      await gate.promise;
      log.push("first ends");
    });
    await time.advance(10);
    d.schedule("k", async () => void log.push("second"));
    d.schedule("k", async () => void log.push("third"));
    await time.advance(10);
    expect(log).toEqual(["first starts"]);
    gate.resolve();
    await d.flush();
    expect(log).toEqual(["first starts", "first ends", "third"]);
  });

  test("flush runs waiting jobs now; a failing job is reported and does not stop the others", async () => {
    const time = manualTime();
    const errors: string[] = [];
    const d = new Debouncer({ delayMs: 60_000, ...time, onError: (key, e) => errors.push(`${key}: ${String(e)}`) });
    const ran: string[] = [];
    d.schedule("bad", async () => {
      throw new Error("boom");
    });
    d.schedule("good", async () => void ran.push("good"));
    await d.flush();
    expect(ran).toEqual(["good"]);
    expect(errors).toEqual(["bad: Error: boom"]);
  });

  test("cancel drops waiting jobs", async () => {
    const time = manualTime();
    const d = new Debouncer({ delayMs: 10, ...time });
    const ran: string[] = [];
    d.schedule("k", async () => void ran.push("k"));
    d.cancel();
    await time.advance(100);
    await d.flush();
    expect(ran).toEqual([]);
  });
});
