/** What handlers share across events: locks, the delivery log, leases, the reconciler's memory, the work in flight, the periodic clock, telemetry, the debouncer, the clock and id source (in memory here; see redis.ts for several instances). */
import { randomUUID } from "node:crypto";
import { RateLimits } from "./api-calls.js";
import { Debouncer } from "./debounce.js";
import { LocalLeases, type Leases } from "./lease.js";
import { DeliveryLog, KeyedMutex, type HandledDeliveries, type PerKeyLock } from "./locks.js";
import { NO_TELEMETRY, type Telemetry } from "./metrics.js";
import { LocalReconcileMemory, type ReconcileMemory } from "./reconcile-memory.js";
import { Scheduler } from "./scheduler.js";
import { WorkTracker } from "./work.js";

export interface Runtime {
  locks: PerKeyLock;
  deliveries: HandledDeliveries;
  /** At most one reconciler at a time (one instance of several, with Redis). */
  leases: Leases;
  /** What the reconciler confirmed per repository. */
  reconciled: ReconcileMemory;
  /** Handlers and reconciler runs in flight, for a graceful shutdown. */
  work: WorkTracker;
  /** Periodic jobs (the reconciler); the server starts and stops it. */
  scheduler: Scheduler;
  /** The rate limit GitHub last reported per installation. */
  rateLimits: RateLimits;
  telemetry: Telemetry;
  /** Coalesces follow-up work many events share (the merge plan); per instance, see debounce.ts. */
  debounce: Debouncer;
  now: () => Date;
  newId: () => string;
}

/** The single-instance runtime: everything lives in this process. */
export function createRuntime(overrides: Partial<Runtime> = {}): Runtime {
  return {
    locks: new KeyedMutex(),
    deliveries: new DeliveryLog(),
    leases: new LocalLeases(),
    reconciled: new LocalReconcileMemory(),
    work: new WorkTracker(),
    scheduler: new Scheduler(),
    rateLimits: new RateLimits(),
    telemetry: NO_TELEMETRY,
    debounce: new Debouncer(),
    now: () => new Date(),
    newId: () => randomUUID(),
    ...overrides,
  };
}
