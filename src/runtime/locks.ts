/**
 * Per-PR serialisation and delivery de-duplication: the interfaces handlers use, and their
 * in-memory implementations for a single instance. GitHub delivers webhooks late, twice or out of
 * order; events for one PR must not interleave their read-modify-write of the sticky comment.
 * Several instances share a Redis implementation instead (`redis-runtime.ts`).
 */

/** Runs work for one key (a PR) at a time. */
export interface PerKeyLock {
  /** Run `fn` while holding the lock for `key`; rejects without running `fn` if the lock cannot be had. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Which webhook deliveries were already handled successfully. */
export interface HandledDeliveries {
  seen(id: string | undefined): Promise<boolean>;
  /** Record a delivery once it was handled (a failed one stays retryable). */
  remember(id: string | undefined): Promise<void>;
}

export class KeyedMutex implements PerKeyLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `fn` after every earlier `fn` for the same key has settled. */
  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    try {
      await before;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** Remembers the last `capacity` handled delivery ids: a redelivery of one of them is skipped. */
export class DeliveryLog implements HandledDeliveries {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 5000) {}

  async seen(id: string | undefined): Promise<boolean> {
    return id !== undefined && this.ids.has(id);
  }

  async remember(id: string | undefined): Promise<void> {
    if (!id) return;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
}
