/**
 * Leases: work that at most one holder may do at a time (the reconciler), and intervals at most one
 * holder may claim (so instances behind a load balancer reconcile once per interval between them).
 * In memory for one instance; in Redis for several (redis.ts).
 */

export interface Leases {
  /** Run `fn` if nobody holds `name`; otherwise do nothing and say so. Never waits. */
  tryRun<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  /** True for the first claim of `name` within `ms`, false for every other claim until then. */
  claim(name: string, ms: number): Promise<boolean>;
}

export class LocalLeases implements Leases {
  private readonly held = new Set<string>();
  private readonly claimed = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async tryRun<T>(name: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }> {
    if (this.held.has(name)) return { ran: false };
    this.held.add(name);
    try {
      return { ran: true, value: await fn() };
    } finally {
      this.held.delete(name);
    }
  }

  async claim(name: string, ms: number): Promise<boolean> {
    const until = this.claimed.get(name);
    if (until !== undefined && until > this.now()) return false;
    this.claimed.set(name, this.now() + ms);
    return true;
  }
}
