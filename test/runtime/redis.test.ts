/**
 * Locks and the delivery log shared by several instances through a real `redis-server`: each
 * "instance" is a runtime from `createRuntimeFromEnv` with its own connection. Skips when
 * `redis-server` is not installed (CI installs it).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { Redis } from "ioredis";
import nock from "nock";
import {
  createRuntimeFromEnv,
  KEY_PREFIX,
  LockWaitTimeout,
  type RedisLockOptions,
  type RuntimeFromEnv,
} from "../../src/runtime/redis.js";
import { startServer, StartupError } from "../../src/server.js";
import { startFakeGitHub } from "../../src/demo/fake-github/index.js";
import { reconcileAll } from "../../src/handlers/reconcile.js";
import { EMPTY_MEMORY } from "../../src/core/reconcile/plan.js";
import { appPrivateKey } from "../support/app-key.js";
import { reconcilerFor } from "../support/reconciler.js";
import { aUser, issuesEvent } from "../support/payloads.js";
import { freePort, startRedisServer, type RunningRedis } from "../support/redis-server.js";
import { needsRedisServer } from "../support/requirements.js";
import { testApp } from "../support/probot.js";

const withRedis = needsRedisServer("the Redis runtime tests");
const describeWithRedis = withRedis.describe;

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A sleep that also counts the waiter's failed attempts, so a test can wait until a waiter has really been refused. */
function countingSleep(): {
  sleep: (ms: number) => Promise<void>;
  refusedAtLeast: (n: number) => Promise<void>;
  count: () => number;
} {
  let refused = 0;
  const watchers: { n: number; resolve: () => void }[] = [];
  return {
    sleep: async (ms) => {
      refused += 1;
      for (const w of watchers.filter((w) => refused >= w.n)) w.resolve();
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    refusedAtLeast: (n) => new Promise<void>((resolve) => (refused >= n ? resolve() : watchers.push({ n, resolve }))),
    count: () => refused,
  };
}

const LOCK = `${KEY_PREFIX}lock:acme/nmoe#7`;

describeWithRedis("Redis runtime (two instances sharing one redis-server)", () => {
  let server: RunningRedis;
  let admin: Redis;
  const opened: RuntimeFromEnv[] = [];

  /** One instance of the app, as `startServer` would make it from REDIS_URL. */
  async function instance(lock: RedisLockOptions = {}): Promise<RuntimeFromEnv> {
    const made = await createRuntimeFromEnv({ REDIS_URL: server.url }, { lock: { pollMs: 5, maxPollMs: 20, ...lock } });
    opened.push(made);
    return made;
  }

  beforeAll(async () => {
    server = await startRedisServer();
    admin = new Redis(server.url);
  });

  beforeEach(async () => {
    await admin.flushdb();
  });

  afterAll(async () => {
    await Promise.all(opened.map((o) => o.close()));
    await admin?.quit();
    await server?.stop();
  });

  test("the environment picks the store: Redis with REDIS_URL, memory without", async () => {
    expect((await instance()).store).toBe(`redis 127.0.0.1:${server.port}`);
    const inMemory = await createRuntimeFromEnv({});
    expect(inMemory.store).toBe("memory");
    await inMemory.close();
  });

  test("close() ends the instance's own connection (named merge-captain)", async () => {
    const ours = async (): Promise<number> =>
      ((await admin.client("LIST")) as string).split("\n").filter((line) => line.includes(" name=merge-captain "))
        .length;
    const before = await ours();
    const made = await createRuntimeFromEnv({ REDIS_URL: server.url });
    expect(await ours()).toBe(before + 1);
    await made.close();
    expect(await ours()).toBe(before);
  });

  test("two instances serialise work on the same PR", async () => {
    const waiter = countingSleep();
    const [a, b] = [await instance(), await instance({ sleep: waiter.sleep })];
    const log: string[] = [];
    const gate = deferred();
    const first = a.runtime.locks.run("acme/nmoe#7", async () => {
      log.push("a starts");
      await gate.promise;
      log.push("a ends");
    });
    await new Promise((resolve) => setImmediate(resolve));
    while ((await admin.exists(LOCK)) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = b.runtime.locks.run("acme/nmoe#7", async () => void log.push("b runs"));
    await waiter.refusedAtLeast(3);
    expect(log).toEqual(["a starts"]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(log).toEqual(["a starts", "a ends", "b runs"]);
    expect(await admin.exists(LOCK)).toBe(0);
  });

  test("two instances work on different PRs at the same time", async () => {
    const [a, b] = [await instance(), await instance()];
    const gate = deferred();
    const held = a.runtime.locks.run("acme/nmoe#7", () => gate.promise);
    while ((await admin.exists(LOCK)) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // Completes while #7 is still held by the other instance.
    await expect(b.runtime.locks.run("acme/nmoe#8", async () => "done")).resolves.toBe("done");
    gate.resolve();
    await held;
  });

  test("a failing holder releases the lock for the other instance", async () => {
    const [a, b] = [await instance(), await instance()];
    await expect(
      a.runtime.locks.run("acme/nmoe#7", async () => Promise.reject(new Error("GitHub said 502"))),
    ).rejects.toThrow("GitHub said 502");
    expect(await admin.exists(LOCK)).toBe(0);
    await expect(b.runtime.locks.run("acme/nmoe#7", async () => "ran")).resolves.toBe("ran");
  });

  test("a lock whose holder died is taken over once its TTL runs out", async () => {
    // What an instance that crashed while holding the lock leaves behind: a key nobody will release.
    await admin.set(LOCK, "token-of-a-dead-instance", "PX", 200);
    const waiter = countingSleep();
    const b = await instance({ sleep: waiter.sleep });
    await expect(b.runtime.locks.run("acme/nmoe#7", async () => "ran")).resolves.toBe("ran");
    expect(waiter.count()).toBeGreaterThan(0);
  });

  test("a live holder keeps its lock past the TTL (it is renewed while the work runs)", async () => {
    const waiter = countingSleep();
    const [a, b] = [await instance({ ttlMs: 300 }), await instance({ sleep: waiter.sleep, pollMs: 50, maxPollMs: 50 })];
    const log: string[] = [];
    const gate = deferred();
    const first = a.runtime.locks.run("acme/nmoe#7", async () => {
      await gate.promise;
      log.push("a ends");
    });
    while ((await admin.exists(LOCK)) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const second = b.runtime.locks.run("acme/nmoe#7", async () => void log.push("b runs"));
    // At least 20 refusals of up to 50 ms each: well past three TTLs.
    await waiter.refusedAtLeast(40);
    expect(log).toEqual([]);
    gate.resolve();
    await Promise.all([first, second]);
    expect(log).toEqual(["a ends", "b runs"]);
  });

  test("releasing never deletes a lock another holder took over", async () => {
    const a = await instance();
    await a.runtime.locks.run("acme/nmoe#7", async () => {
      // As if this holder's lock had expired and another instance had taken it.
      await admin.set(LOCK, "token-of-the-next-holder", "PX", 10_000);
    });
    expect(await admin.get(LOCK)).toBe("token-of-the-next-holder");
  });

  test("a waiter that cannot get the lock within its bound fails without running the work", async () => {
    await admin.set(LOCK, "token-of-a-slow-instance", "PX", 60_000);
    let clock = 0;
    const b = await instance({ waitMs: 5_000, now: () => clock, sleep: async (ms) => void (clock += ms) });
    let ran = false;
    const attempt = b.runtime.locks.run("acme/nmoe#7", async () => void (ran = true));
    await expect(attempt).rejects.toThrow(LockWaitTimeout);
    await expect(attempt).rejects.toThrow(/gave up after 5000 ms waiting for the lock on acme\/nmoe#7.*redelivery/);
    expect(ran).toBe(false);
    expect(await admin.get(LOCK)).toBe("token-of-a-slow-instance");
  });

  test("a delivery remembered by one instance is seen by the other, under a prefixed key that expires", async () => {
    const [a, b] = [await instance(), await instance()];
    expect(await b.runtime.deliveries.seen("d-1")).toBe(false);
    await a.runtime.deliveries.remember("d-1");
    expect(await b.runtime.deliveries.seen("d-1")).toBe(true);
    expect(await b.runtime.deliveries.seen("d-2")).toBe(false);
    expect(await admin.keys("*")).toEqual([`${KEY_PREFIX}delivery:d-1`]);
    const ttl = await admin.ttl(`${KEY_PREFIX}delivery:d-1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3 * 24 * 60 * 60);
  });

  describe("through the app: a delivery handled by one instance is skipped by the other; a failed one is not remembered", () => {
    beforeAll(() => nock.disableNetConnect());
    afterAll(() => nock.enableNetConnect());

    test("handled on A, skipped on B", async () => {
      const [a, b] = [testApp((await instance()).runtime), testApp((await instance()).runtime)];
      // An event our own App caused is handled without a single GitHub call.
      await a.receive(
        "issues",
        issuesEvent("opened", { sender: aUser("merge-captain[bot]", "Bot") }),
        "delivery-handled",
      );
      expect(await b.runtime.deliveries.seen("delivery-handled")).toBe(true);
      // Were B to run this (a person's issue) it would call GitHub, which is unreachable here, and fail.
      await expect(b.receive("issues", issuesEvent("opened"), "delivery-handled")).resolves.toBeUndefined();
    });

    test("failed on A: neither instance remembers it, so a redelivery runs again", async () => {
      const [a, b] = [testApp((await instance()).runtime), testApp((await instance()).runtime)];
      await expect(a.receive("issues", issuesEvent("opened"), "delivery-failed")).rejects.toThrow();
      expect(await a.runtime.deliveries.seen("delivery-failed")).toBe(false);
      expect(await b.runtime.deliveries.seen("delivery-failed")).toBe(false);
      expect(await admin.keys(`${KEY_PREFIX}delivery:*`)).toEqual([]);
    });
  });

  describe("the reconciler's lease, memory and the ETag cache, shared", () => {
    test("two instances start a run at once: exactly one reconciles; the lease is free again afterwards", async () => {
      const fake = await startFakeGitHub({ log: () => {} });
      try {
        fake.state.addRepo({ owner: "acme", name: "nmoe" });
        const [a, b] = [(await instance()).runtime, (await instance()).runtime];
        const gate = deferred();
        const entered = deferred();
        // A holds its run open until B has tried.
        const depsA = reconcilerFor(fake, a, {
          onRun: async () => {
            entered.resolve();
            await gate.promise;
          },
        });
        const runA = reconcileAll(depsA, "periodic");
        await entered.promise;
        const mark = fake.requests.mark();
        expect(await reconcileAll(reconcilerFor(fake, b), "periodic")).toBeUndefined();
        expect(fake.requests.since(mark)).toEqual([]);
        expect(await admin.exists(`${KEY_PREFIX}lock:lease:reconciler`)).toBe(1);
        gate.resolve();
        expect((await runA)?.repos.map((r) => r.repo)).toEqual(["acme/nmoe"]);
        expect(await admin.exists(`${KEY_PREFIX}lock:lease:reconciler`)).toBe(0);
        expect(await reconcileAll(reconcilerFor(fake, b), "periodic")).toBeDefined();
      } finally {
        await fake.close();
      }
    });

    test("an interval is claimed by one instance", async () => {
      const [a, b] = [(await instance()).runtime, (await instance()).runtime];
      expect(await a.leases.claim("reconciler-interval", 60_000)).toBe(true);
      expect(await b.leases.claim("reconciler-interval", 60_000)).toBe(false);
      expect(await admin.pttl(`${KEY_PREFIX}claim:reconciler-interval`)).toBeGreaterThan(50_000);
    });

    test("what one instance's reconciler confirmed, another reads; garbage reads as nothing confirmed", async () => {
      const [a, b] = [(await instance()).runtime, (await instance()).runtime];
      await a.reconciled.set("acme/nmoe", { pulls: { "3": "0123456789abcdef" }, runs: ["9:completed:success"] });
      expect(await b.reconciled.get("acme/nmoe")).toEqual({
        pulls: { "3": "0123456789abcdef" },
        runs: ["9:completed:success"],
      });
      expect(await admin.ttl(`${KEY_PREFIX}reconciled:acme/nmoe`)).toBeGreaterThan(6 * 24 * 60 * 60);
      await admin.set(`${KEY_PREFIX}reconciled:acme/other`, '{"pulls": {"x": 1}}');
      expect(await b.reconciled.get("acme/other")).toEqual(EMPTY_MEMORY);
    });

    test("ETag entries are shared, keyed per installation, and expire", async () => {
      const [a, b] = [await instance(), await instance()];
      const entry = { etag: 'W/"1"', status: 200, url: "u", headers: { etag: 'W/"1"' }, body: "[]", json: true };
      await a.etags.set("77\naccept\nhttps://api.github.com/repos/acme/nmoe/pulls", entry);
      expect(await b.etags.get("77\naccept\nhttps://api.github.com/repos/acme/nmoe/pulls")).toEqual(entry);
      expect(await b.etags.get("78\naccept\nhttps://api.github.com/repos/acme/nmoe/pulls")).toBeUndefined();
      const keys = await admin.keys(`${KEY_PREFIX}etag:*`);
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^merge-captain:etag:77:[0-9a-f]{64}$/);
      expect(await admin.ttl(keys[0]!)).toBeGreaterThan(0);
    });
  });

  // Started with a reachable REDIS_URL, Probot opens its own throttling connection that it offers no
  // way to close, so the server's success path is covered through createRuntimeFromEnv above and below.
  describe("the server", () => {
    const env = (redisUrl: string): NodeJS.ProcessEnv => ({
      WEBHOOK_SECRET: "s",
      APP_ID: "1",
      PRIVATE_KEY: appPrivateKey(),
      LOG_LEVEL: "fatal",
      REDIS_URL: redisUrl,
    });

    test("refuses to start when REDIS_URL points at nothing", async () => {
      const nothing = await freePort();
      await expect(
        startServer({ env: env(`redis://:hunter2@127.0.0.1:${nothing}`), port: 0, host: "127.0.0.1" }),
      ).rejects.toThrow(StartupError);
      await expect(
        startServer({ env: env(`redis://:hunter2@127.0.0.1:${nothing}`), port: 0, host: "127.0.0.1" }),
      ).rejects.toThrow(new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${nothing}(?![^]*hunter2)`));
    });
  });
});
