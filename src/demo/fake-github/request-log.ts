/** Every request the fake answered, so tests can count API calls per event and read what the app wrote. */

export interface LoggedRequest {
  /** Position in the log; `mark()` returns the next one. */
  seq: number;
  method: string;
  /** The OpenAPI route template (`GET /repos/{owner}/{repo}` style key is `method + " " + route`); the raw path when nothing matched. */
  route: string;
  path: string;
  status: number;
  /** Parsed JSON body of the request, when it had one. */
  body?: unknown;
  /** What fault, if any, shaped this answer. */
  fault?: string;
  /** When the answer was sent (ms since the epoch): benchmarks measure time-to-check with it. */
  at: number;
}

const WRITE_METHODS = new Set(["POST", "PATCH", "PUT", "DELETE"]);

export class RequestLog {
  readonly entries: LoggedRequest[] = [];

  record(entry: Omit<LoggedRequest, "seq" | "at">): LoggedRequest {
    const logged = { seq: this.entries.length, at: Date.now(), ...entry };
    this.entries.push(logged);
    return logged;
  }

  /** A bookmark: pass it to `since` to see only what happened afterwards. */
  mark(): number {
    return this.entries.length;
  }

  since(mark: number): LoggedRequest[] {
    return this.entries.slice(mark);
  }

  /** Requests that changed (or tried to change) state: POST, PATCH, PUT, DELETE. */
  writes(mark = 0): LoggedRequest[] {
    return this.since(mark).filter((r) => WRITE_METHODS.has(r.method));
  }

  /** `{"GET /repos/{owner}/{repo}/pulls/{pull_number}": 1, …}` for the requests since `mark`. */
  countByRoute(mark = 0): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.since(mark)) {
      const key = `${r.method} ${r.route}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  /** How many requests since `mark` hit `method` + `route` (template). */
  count(method: string, route: string, mark = 0): number {
    return this.since(mark).filter((r) => r.method === method && r.route === route).length;
  }
}
