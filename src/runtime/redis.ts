/**
 * The runtime for several instances behind a load balancer: per-PR locks and the delivery log in
 * Redis (enabled by `REDIS_URL`), so two instances never interleave work on one PR and a delivery
 * handled by one is skipped by the other.
 */
import { createHash, randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { MemoryEtagStore, type CachedResponse, type EtagStore } from "./etag-cache.js";
import type { Leases } from "./lease.js";
import type { HandledDeliveries, PerKeyLock } from "./locks.js";
import { parseMemory, type ReconcileMemory } from "./reconcile-memory.js";
import type { RepoMemory } from "../core/reconcile/plan.js";
import { createRuntime, type Runtime } from "./runtime.js";

/** Every key this app writes starts with this, so it can share a Redis with Probot's throttling and others. */
export const KEY_PREFIX = "merge-captain:";

/** Reports trouble that does not fail the delivery (a release or renewal that did not reach Redis). */
export type ReportRedisError = (message: string, error: unknown) => void;

export interface RedisLockOptions {
  /** How long a lock lives unless renewed: a holder that died frees it after this. */
  ttlMs?: number;
  /** How long a waiter tries before it gives up and fails the delivery (GitHub can redeliver it). */
  waitMs?: number;
  /** First pause between attempts; it doubles up to `maxPollMs`, with jitter so waiters spread out. */
  pollMs?: number;
  maxPollMs?: number;
  /** Injected in tests to observe waiting and to give up without waiting in real time. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onError?: ReportRedisError;
}

/** A waiter did not get the lock within its bound; the work did not run. */
export class LockWaitTimeout extends Error {
  constructor(
    readonly key: string,
    readonly waitedMs: number,
  ) {
    super(
      `merge-captain: gave up after ${waitedMs} ms waiting for the lock on ${key} (another instance holds it); the work did not run, and a redelivery of this event will try again`,
    );
    this.name = "LockWaitTimeout";
  }
}

// Compare-and-delete / compare-and-extend: only the holder's token may release or renew, so a
// holder whose lock expired and was taken over never touches the new holder's lock.
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ignore: ReportRedisError = () => {};

/**
 * A lock per key in Redis: `SET key token NX PX ttl`, renewed while the work runs (so only a dead
 * holder loses it), released by compare-and-delete. Never runs the work without the lock.
 */
export class RedisLock implements PerKeyLock {
  private readonly ttlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly onError: ReportRedisError;

  constructor(
    private readonly redis: Redis,
    options: RedisLockOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.waitMs = options.waitMs ?? 60_000;
    this.pollMs = options.pollMs ?? 25;
    this.maxPollMs = options.maxPollMs ?? 500;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? ignore;
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const redisKey = `${KEY_PREFIX}lock:${key}`;
    const token = randomUUID();
    await this.acquire(key, redisKey, token);
    const renewal = setInterval(
      () => {
        this.redis
          .eval(RENEW, 1, redisKey, token, String(this.ttlMs))
          .catch((error: unknown) => this.onError(`could not renew the lock on ${key}`, error));
      },
      Math.max(1, Math.floor(this.ttlMs / 3)),
    );
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      // A release that does not reach Redis must not hide fn's outcome; the lock expires by its TTL.
      await this.redis
        .eval(RELEASE, 1, redisKey, token)
        .catch((error: unknown) =>
          this.onError(`could not release the lock on ${key}; it expires within ${this.ttlMs} ms`, error),
        );
    }
  }

  /** Take the lock or throw: LockWaitTimeout past the bound, or Redis's own error if it is unreachable. */
  private async acquire(key: string, redisKey: string, token: string): Promise<void> {
    const start = this.now();
    let pause = this.pollMs;
    for (;;) {
      if ((await this.redis.set(redisKey, token, "PX", this.ttlMs, "NX")) === "OK") return;
      const waited = this.now() - start;
      if (waited >= this.waitMs) throw new LockWaitTimeout(key, waited);
      await this.sleep(Math.min(pause * (0.5 + Math.random() / 2), this.waitMs - waited));
      pause = Math.min(pause * 2, this.maxPollMs);
    }
  }
}

export interface RedisDeliveriesOptions {
  /** How long a handled delivery is remembered; GitHub lets a delivery be redelivered for 3 days. */
  ttlSeconds?: number;
  onError?: ReportRedisError;
}

/** Handled delivery ids as `merge-captain:delivery:<id>` keys that expire on their own. */
export class RedisDeliveries implements HandledDeliveries {
  private readonly ttlSeconds: number;
  private readonly onError: ReportRedisError;

  constructor(
    private readonly redis: Redis,
    options: RedisDeliveriesOptions = {},
  ) {
    this.ttlSeconds = options.ttlSeconds ?? 3 * 24 * 60 * 60;
    this.onError = options.onError ?? ignore;
  }

  async seen(id: string | undefined): Promise<boolean> {
    if (id === undefined) return false;
    return (await this.redis.exists(`${KEY_PREFIX}delivery:${id}`)) === 1;
  }

  async remember(id: string | undefined): Promise<void> {
    if (!id) return;
    // The work is done; failing to note it only costs a repeat (handlers are idempotent), so it does not fail the delivery.
    await this.redis
      .set(`${KEY_PREFIX}delivery:${id}`, "1", "EX", this.ttlSeconds, "NX")
      .catch((error: unknown) => this.onError(`could not record delivery ${id} as handled`, error));
  }
}

/** Entries as `merge-captain:etag:<installation>:<sha256>` with a TTL, so a shared Redis stays bounded. */
export class RedisEtagStore implements EtagStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 24 * 60 * 60,
  ) {}

  private redisKey(key: string): string {
    const installation = key.slice(0, key.indexOf("\n"));
    return `${KEY_PREFIX}etag:${installation}:${createHash("sha256").update(key).digest("hex")}`;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const raw = await this.redis.get(this.redisKey(key));
    if (raw === null) return undefined;
    try {
      const { key: stored, ...entry } = JSON.parse(raw) as CachedResponse & { key?: string };
      // A hash collision, however unlikely, must never hand one request another's body.
      return stored === key ? entry : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, entry: CachedResponse): Promise<void> {
    await this.redis.set(this.redisKey(key), JSON.stringify({ ...entry, key }), "EX", this.ttlSeconds);
  }
}

/**
 * Leases in Redis: `tryRun` holds `merge-captain:lock:lease:<name>` exactly like a PR lock (renewed
 * while the work runs, freed by compare-and-delete, taken over after the TTL if the holder died)
 * but never waits; `claim` is `SET NX PX`, so one instance claims an interval.
 */
export class RedisLeases implements Leases {
  private readonly lock: RedisLock;

  constructor(
    private readonly redis: Redis,
    options: Omit<RedisLockOptions, "waitMs"> = {},
  ) {
    this.lock = new RedisLock(redis, { ...options, waitMs: 0 });
  }

  async tryRun<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    try {
      return { ran: true, value: await this.lock.run(`lease:${name}`, fn) };
    } catch (error) {
      // Only "someone else holds it" means not run; fn's own failure (or Redis's) propagates.
      if (error instanceof LockWaitTimeout && error.key === `lease:${name}`) return { ran: false };
      throw error;
    }
  }

  async claim(name: string, ms: number): Promise<boolean> {
    return (await this.redis.set(`${KEY_PREFIX}claim:${name}`, "1", "PX", Math.max(1, Math.floor(ms)), "NX")) === "OK";
  }
}

/** The reconciler's memory per repository as `merge-captain:reconciled:<repo>` JSON, kept a week. */
export class RedisReconcileMemory implements ReconcileMemory {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 7 * 24 * 60 * 60,
  ) {}

  async get(repo: string): Promise<RepoMemory> {
    return parseMemory(await this.redis.get(`${KEY_PREFIX}reconciled:${repo}`));
  }

  async set(repo: string, memory: RepoMemory): Promise<void> {
    await this.redis.set(`${KEY_PREFIX}reconciled:${repo}`, JSON.stringify(memory), "EX", this.ttlSeconds);
  }
}

export interface RedisRuntimeOptions {
  lock?: RedisLockOptions;
  deliveries?: RedisDeliveriesOptions;
  /** Connection trouble and failed releases; the server passes Probot's logger. */
  onError?: ReportRedisError;
  /** Anything else, as for `createRuntime` (clock, id source, telemetry, scheduler). */
  overrides?: Partial<Omit<Runtime, "locks" | "deliveries" | "leases" | "reconciled">>;
}

export interface RuntimeFromEnv {
  runtime: Runtime;
  /** The ETag cache for conditional reads: shared in Redis, or in this process. */
  etags: EtagStore;
  /** Where locks live, for the startup line: "memory" or the Redis host (never its password). */
  store: string;
  /** Closes the Redis connection, if any. */
  close(): Promise<void>;
}

/** The host and port of a Redis URL, for messages (the URL may carry a password). */
export function redisHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "6379"}`;
  } catch {
    return "(unparseable REDIS_URL)";
  }
}

/**
 * The runtime the environment asks for: Redis-backed when `REDIS_URL` is set (the same variable
 * Probot reads for its shared throttling), in memory otherwise. Rejects if Redis cannot be reached,
 * so an instance never starts with locks that would not be shared.
 */
export async function createRuntimeFromEnv(
  env: NodeJS.ProcessEnv,
  options: RedisRuntimeOptions = {},
): Promise<RuntimeFromEnv> {
  const url = env.REDIS_URL;
  if (!url)
    return {
      runtime: createRuntime(options.overrides),
      etags: new MemoryEtagStore(),
      store: "memory",
      close: async () => {},
    };
  const onError = options.onError ?? ignore;
  // Few retries per command: a handler should fail (and be redelivered) rather than hang while Redis is away.
  // A short disconnectTimeout: after a failed first connect, ioredis would otherwise keep a 2 s timer for the dead socket.
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    connectTimeout: 5_000,
    disconnectTimeout: 100,
    connectionName: "merge-captain",
  });
  // Without a listener ioredis prints every connection error to stderr itself.
  redis.on("error", (error: unknown) => onError(`Redis at ${redisHost(url)}`, error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `cannot reach Redis at ${redisHost(url)} (REDIS_URL): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const runtime = createRuntime({
    ...options.overrides,
    locks: new RedisLock(redis, { onError, ...options.lock }),
    deliveries: new RedisDeliveries(redis, { onError, ...options.deliveries }),
    leases: new RedisLeases(redis, { onError }),
    reconciled: new RedisReconcileMemory(redis),
  });
  return {
    runtime,
    etags: new RedisEtagStore(redis),
    store: `redis ${redisHost(url)}`,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
