/** The work in flight (webhook handlers, reconciler runs), so a shutdown can wait for it and say what it left. */

export interface Drained {
  /** True when everything finished within the bound. */
  finished: boolean;
  /** What was still running when the bound was reached. */
  left: string[];
}

export class WorkTracker {
  private readonly running = new Map<number, string>();
  private next = 0;
  private readonly idle = new Set<() => void>();

  /** Run `fn`, counted as in flight under the label `what` (e.g. `pull_request.opened 1a2b…`). */
  async track<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const id = this.next++;
    this.running.set(id, what);
    try {
      return await fn();
    } finally {
      this.running.delete(id);
      if (this.running.size === 0) for (const wake of this.idle) wake();
    }
  }

  inFlight(): string[] {
    return [...this.running.values()];
  }

  /** Resolves once nothing is in flight, or after `timeoutMs` with what is left. */
  drain(timeoutMs: number): Promise<Drained> {
    if (this.running.size === 0) return Promise.resolve({ finished: true, left: [] });
    return new Promise<Drained>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve({ finished: this.running.size === 0, left: this.inFlight() });
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.idle.add(done);
    });
  }
}
