/**
 * Coalesce bursts of work per key: many `schedule` calls within a quiet period run the latest job
 * once. Used for the merge plan, which many events touch but one rewrite covers.
 *
 * In memory, per instance, also when several instances share Redis: a job reads GitHub afresh and
 * writes only what changed, under a lock that *is* shared, so two instances each running one job
 * for the same burst cost a few reads, never a second write. Sharing the timers in Redis would save
 * those reads at the price of a leader and lost jobs when it dies.
 */

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending refresh never keeps the process alive.
    t.unref();
    return t;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface DebounceOptions {
  /** Quiet period after the last `schedule` before the job runs. */
  delayMs?: number;
  /** A steady stream of events still runs the job at least this often. */
  maxWaitMs?: number;
  now?: () => number;
  timers?: Timers;
  /** A job that threw (jobs report their own errors; this is the last resort). */
  onError?: (key: string, error: unknown) => void;
}

interface Pending {
  job: () => Promise<void>;
  firstAt: number;
  timer: unknown;
}

export class Debouncer {
  private readonly delayMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly onError: (key: string, error: unknown) => void;
  private readonly pending = new Map<string, Pending>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(options: DebounceOptions = {}) {
    this.delayMs = options.delayMs ?? 5_000;
    this.maxWaitMs = Math.max(options.maxWaitMs ?? 30_000, this.delayMs);
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? realTimers;
    this.onError = options.onError ?? (() => {});
  }

  /** Run `job` for `key` after the quiet period; a later call for the same key replaces it. */
  schedule(key: string, job: () => Promise<void>): void {
    const at = this.now();
    const entry = this.pending.get(key);
    if (entry) this.timers.clear(entry.timer);
    const firstAt = entry?.firstAt ?? at;
    const wait = Math.max(0, Math.min(this.delayMs, firstAt + this.maxWaitMs - at));
    this.pending.set(key, { job, firstAt, timer: this.timers.set(() => void this.fire(key), wait) });
  }

  /** Keys with a job waiting for its quiet period to end. */
  get waiting(): string[] {
    return [...this.pending.keys()];
  }

  /** Run every waiting job now and wait for all jobs to finish (tests, the demo, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.keys()].map((key) => this.fire(key)));
    await Promise.all([...this.running.values()]);
  }

  /** Drop waiting jobs (the server is closing). */
  cancel(): void {
    for (const entry of this.pending.values()) this.timers.clear(entry.timer);
    this.pending.clear();
  }

  private async fire(key: string): Promise<void> {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.timers.clear(entry.timer);
    this.pending.delete(key);
    // Jobs for one key never overlap: a burst during a run waits for it, then runs once.
    const before = this.running.get(key) ?? Promise.resolve();
    const run = before.then(entry.job).catch((error: unknown) => this.onError(key, error));
    this.running.set(key, run);
    await run;
    if (this.running.get(key) === run) this.running.delete(key);
  }
}
