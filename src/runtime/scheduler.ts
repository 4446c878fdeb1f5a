/**
 * A small clock for periodic jobs: the reconciler and the experiment heartbeat.
 * Each job may run at start-up, then runs again `everyMs` after its last run ended; a job never
 * overlaps itself, and a failed run is reported and does not stop the clock.
 */

/** Why a job runs: its start-up run, its clock, or someone asking (`trigger`). */
export type RunReason = "start-up" | "periodic" | "triggered";

export interface PeriodicJob {
  name: string;
  /** Time from the end of one run to the start of the next; 0 or less: never periodically (still `trigger`able). */
  everyMs: number;
  /** Run once as soon as the scheduler starts. */
  atStart?: boolean;
  /** Otherwise the first periodic run comes after this long (default `everyMs`). */
  firstDelayMs?: number;
  run: (reason: RunReason) => Promise<void>;
}

interface Slot {
  job: PeriodicJob;
  timer: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

export class Scheduler {
  private readonly slots = new Map<string, Slot>();
  private started = false;
  private stopped = false;

  constructor(private readonly onError: (job: string, error: unknown) => void = () => {}) {}

  /** Add a job; if the scheduler already runs, the job starts now as if it had been there. */
  add(job: PeriodicJob): void {
    if (this.slots.has(job.name)) throw new Error(`merge-captain: a periodic job named ${job.name} already exists`);
    const slot: Slot = { job, timer: undefined, running: undefined };
    this.slots.set(job.name, slot);
    if (this.started && !this.stopped) this.begin(slot);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const slot of this.slots.values()) this.begin(slot);
  }

  /** Run a job now; when it is already running, wait for that run instead of starting a second. */
  trigger(name: string): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot) return Promise.reject(new Error(`merge-captain: no periodic job named ${name}`));
    return this.runSlot(slot, "triggered");
  }

  /** Names of the jobs running right now. */
  running(): string[] {
    return [...this.slots.values()].filter((s) => s.running !== undefined).map((s) => s.job.name);
  }

  /** No more runs; resolves when the runs in progress have ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const slot of this.slots.values()) clearTimeout(slot.timer);
    await Promise.all([...this.slots.values()].flatMap((s) => (s.running ? [s.running] : [])));
  }

  private begin(slot: Slot): void {
    if (slot.job.atStart) void this.runSlot(slot, "start-up");
    else this.schedule(slot, slot.job.firstDelayMs);
  }

  private schedule(slot: Slot, delayMs = slot.job.everyMs): void {
    if (this.stopped || slot.job.everyMs <= 0) return;
    clearTimeout(slot.timer);
    slot.timer = setTimeout(() => void this.runSlot(slot, "periodic"), delayMs);
    // The server's socket keeps the process alive; a pending run must not.
    slot.timer.unref();
  }

  private runSlot(slot: Slot, reason: RunReason): Promise<void> {
    if (slot.running) return slot.running;
    if (this.stopped) return Promise.resolve();
    clearTimeout(slot.timer);
    slot.running = slot.job
      .run(reason)
      .catch((error: unknown) => this.onError(slot.job.name, error))
      .finally(() => {
        slot.running = undefined;
        this.schedule(slot);
      });
    return slot.running;
  }
}
