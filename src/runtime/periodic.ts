/**
 * A job on a timer of its own (the experiment heartbeat today): unref'd so it never keeps the
 * process alive, never two runs at once, errors reported rather than thrown. A scheduler that
 * already ticks (a reconciler's) can call the same job function instead.
 */

export interface Periodic {
  /** Run the job now unless a run is in progress (then wait for that one). */
  runNow(): Promise<void>;
  /** No further runs; resolves when a run in progress has finished. */
  stop(): Promise<void>;
}

export interface PeriodicOptions {
  intervalMs: number;
  /** The first run; defaults to a random point in the second half of the first interval, so instances started together spread out. */
  firstDelayMs?: number;
  run: () => Promise<void>;
  onError: (error: unknown) => void;
}

export function startPeriodic(opts: PeriodicOptions): Periodic {
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const once = (): Promise<void> => {
    running ??= opts
      .run()
      .catch(opts.onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      void once().finally(() => schedule(opts.intervalMs));
    }, ms);
    timer.unref();
  };
  schedule(opts.firstDelayMs ?? Math.floor(opts.intervalMs * (0.5 + Math.random() / 2)));
  return {
    runNow: once,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/** The heartbeat's interval from `HEARTBEAT_INTERVAL_S` (default 900 s; 0 turns the timer off). */
export function heartbeatIntervalMs(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.HEARTBEAT_INTERVAL_S;
  if (raw === undefined || raw === "") return 900_000;
  if (!/^\d{1,7}$/.test(raw))
    throw new Error(`HEARTBEAT_INTERVAL_S must be a whole number of seconds (0: off), not "${raw.slice(0, 20)}"`);
  const s = Number(raw);
  if (s === 0) return undefined;
  if (s < 60) throw new Error("HEARTBEAT_INTERVAL_S must be at least 60 seconds (or 0: off)");
  return s * 1000;
}
