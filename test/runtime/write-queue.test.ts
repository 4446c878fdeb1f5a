/** The write queue: the throttle's next slot goes to the most urgent waiting write, one slot per spacing per installation. */
import { afterEach, beforeEach, describe, expect, jest, test } from "@jest/globals";
import { Octokit } from "@octokit/core";
import nock from "nock";
import { atPriority, type WritePriority } from "../../src/github/priority.js";
import { installationKey, WriteQueue, writeQueuePlugin } from "../../src/runtime/write-queue.js";

describe("WriteQueue (fake clock)", () => {
  beforeEach(() => void jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void jest.useRealTimers());

  /** Queue `writes` at once and record the time each is admitted. */
  function admitAll(queue: WriteQueue, writes: Array<[string, WritePriority, string]>) {
    const admitted: Array<{ name: string; at: number }> = [];
    const start = Date.now();
    for (const [key, priority, name] of writes)
      void queue.admit(key, priority).then(() => admitted.push({ name, at: Date.now() - start }));
    return admitted;
  }

  test("one write per spacing; a command queued behind refreshes takes the next slot", async () => {
    const queue = new WriteQueue({ spacingMs: 1000 });
    const admitted = admitAll(queue, [
      ["1", "refresh", "sticky #1"],
      ["1", "refresh", "sticky #2"],
      ["1", "verdict", "check #3"],
      ["1", "refresh", "label #4"],
    ]);
    await jest.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual([{ name: "sticky #1", at: 0 }]);
    void queue.admit("1", "command").then(() => admitted.push({ name: "dispatch", at: Date.now() - 1_000_000 }));
    await jest.advanceTimersByTimeAsync(5000);
    expect(admitted).toEqual([
      { name: "sticky #1", at: 0 },
      { name: "dispatch", at: 1000 },
      { name: "check #3", at: 2000 },
      { name: "sticky #2", at: 3000 },
      { name: "label #4", at: 4000 },
    ]);
  });

  test("within a priority, first come first served", async () => {
    const queue = new WriteQueue({ spacingMs: 10 });
    const admitted = admitAll(
      queue,
      ["a", "b", "c", "d"].map((n) => ["1", "verdict", n]),
    );
    await jest.advanceTimersByTimeAsync(100);
    expect(admitted.map((a) => a.name)).toEqual(["a", "b", "c", "d"]);
  });

  test("installations have their own slots, like the throttle's per-installation limiter", async () => {
    const queue = new WriteQueue({ spacingMs: 1000 });
    const admitted = admitAll(queue, [
      ["1", "refresh", "one:a"],
      ["1", "refresh", "one:b"],
      ["2", "refresh", "two:a"],
    ]);
    await jest.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual([
      { name: "one:a", at: 0 },
      { name: "two:a", at: 0 },
    ]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(admitted.at(-1)).toEqual({ name: "one:b", at: 1000 });
  });

  test("a write after a quiet spell is admitted at once; spacing 0 (no throttle) never holds a write", async () => {
    const queue = new WriteQueue({ spacingMs: 1000 });
    await queue.admit("1", "refresh");
    await jest.advanceTimersByTimeAsync(5000);
    const admitted = admitAll(queue, [["1", "refresh", "later"]]);
    await jest.advanceTimersByTimeAsync(0);
    expect(admitted).toEqual([{ name: "later", at: 0 }]);
    const unthrottled = admitAll(new WriteQueue({ spacingMs: 0 }), [
      ["1", "refresh", "x"],
      ["1", "refresh", "y"],
    ]);
    await jest.advanceTimersByTimeAsync(0);
    expect(unthrottled).toEqual([
      { name: "x", at: 0 },
      { name: "y", at: 0 },
    ]);
  });

  test("the number waiting per priority is reported as it changes", async () => {
    const seen: string[] = [];
    const queue = new WriteQueue({ spacingMs: 1000, onDepth: (p, n) => seen.push(`${p}=${n}`) });
    admitAll(queue, [
      ["1", "refresh", "a"],
      ["1", "refresh", "b"],
      ["1", "command", "c"],
    ]);
    await jest.advanceTimersByTimeAsync(0);
    expect(queue.waiting()).toEqual({ command: 1, verdict: 0, refresh: 1 });
    await jest.advanceTimersByTimeAsync(2000);
    expect(queue.waiting()).toEqual({ command: 0, verdict: 0, refresh: 0 });
    expect(seen).toEqual(["refresh=1", "refresh=0", "refresh=1", "command=1", "command=0", "refresh=0"]);
  });
});

describe("writeQueuePlugin on an Octokit (nock)", () => {
  const API = "https://api.github.com";
  beforeEach(() => {
    nock.cleanAll();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());

  test.each([
    [{ auth: { installationId: 77 } }, "77"],
    [{ auth: { installationId: "77" }, throttle: { id: "77" } }, "77"],
    [{ auth: { appId: 1 } }, "app"],
    [{}, "app"],
  ])("the lane of %j is %s", (options, key) => {
    expect(installationKey(options)).toBe(key);
  });

  test("writes reach GitHub in priority order; reads and the token exchange are never held", async () => {
    const arrived: string[] = [];
    const scope = nock(API)
      .post(/\/repos\/acme\/nmoe\/.*/)
      .times(3)
      .reply(201, (uri) => {
        arrived.push(uri);
        return {};
      })
      .get("/repos/acme/nmoe")
      .reply(200, (uri) => {
        arrived.push(uri);
        return {};
      })
      .post("/app/installations/77/access_tokens")
      .reply(201, (uri) => {
        arrived.push(uri);
        return { token: "t" };
      });
    const queue = new WriteQueue({ spacingMs: 40 });
    const Mine = Octokit.plugin(writeQueuePlugin(queue));
    const octokit = new Mine({ auth: "ghs_test" });
    const post = (path: string, priority?: WritePriority) =>
      octokit.request(`POST /repos/acme/nmoe/${path}`, priority ? atPriority(priority) : {});
    await Promise.all([
      post("issues/1/comments", "refresh"),
      post("issues/2/comments"), // no priority given: treated as a refresh
      post("dispatches", "command"),
      octokit.request("GET /repos/acme/nmoe"),
      octokit.request("POST /app/installations/77/access_tokens"),
    ]);
    expect(arrived.filter((p) => p.startsWith("/repos/acme/nmoe/"))).toEqual([
      "/repos/acme/nmoe/issues/1/comments",
      "/repos/acme/nmoe/dispatches",
      "/repos/acme/nmoe/issues/2/comments",
    ]);
    // Held writes wait a slot; the read and the token exchange went straight through.
    const dispatched = arrived.indexOf("/repos/acme/nmoe/dispatches");
    expect(arrived.indexOf("/repos/acme/nmoe")).toBeLessThan(dispatched);
    expect(arrived.indexOf("/app/installations/77/access_tokens")).toBeLessThan(dispatched);
    expect(scope.isDone()).toBe(true);
  });
});
