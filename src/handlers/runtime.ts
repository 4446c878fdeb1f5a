/** What handlers share across events in one process: locks, the delivery log, the clock and id source. */
import { randomUUID } from "node:crypto";
import { DeliveryLog, KeyedMutex } from "./locks.js";

export interface Runtime {
  locks: KeyedMutex;
  deliveries: DeliveryLog;
  now: () => Date;
  newId: () => string;
}

export function createRuntime(overrides: Partial<Runtime> = {}): Runtime {
  return { locks: new KeyedMutex(), deliveries: new DeliveryLog(), now: () => new Date(), newId: () => randomUUID(), ...overrides };
}
