/**
 * The experiment heartbeat's interval from the environment. The heartbeat runs on the server's
 * periodic clock (src/runtime/scheduler.ts), beside the reconciler.
 */

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
