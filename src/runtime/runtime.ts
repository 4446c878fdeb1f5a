/** What handlers share across events: locks, the delivery log, the clock and id source (in memory here; see redis-runtime.ts for several instances). */
import { randomUUID } from "node:crypto";
import { Debouncer } from "./debounce.js";
import { DeliveryLog, KeyedMutex, type HandledDeliveries, type PerKeyLock } from "./locks.js";

export interface Runtime {
  locks: PerKeyLock;
  deliveries: HandledDeliveries;
  /** Coalesces follow-up work many events share (the merge plan); per instance, see debounce.ts. */
  debounce: Debouncer;
  now: () => Date;
  newId: () => string;
}

/** The single-instance runtime: locks and the delivery log live in this process. */
export function createRuntime(overrides: Partial<Runtime> = {}): Runtime {
  return {
    locks: new KeyedMutex(),
    deliveries: new DeliveryLog(),
    debounce: new Debouncer(),
    now: () => new Date(),
    newId: () => randomUUID(),
    ...overrides,
  };
}
