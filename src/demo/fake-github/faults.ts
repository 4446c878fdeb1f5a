/** Faults injected on demand: the next N requests to a route fail, stall, or lose their response after the write. */

export type Fault =
  /** Answer with this status instead of handling the request (e.g. 500, 502). */
  | { kind: "status"; status: number; message?: string }
  /** Primary rate limit: 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset`. */
  | { kind: "rate-limit"; resetInSeconds?: number }
  /** Secondary rate limit: 429 with `retry-after`. */
  | { kind: "retry-after"; seconds: number }
  /** Wait this long, then handle the request normally. */
  | { kind: "delay"; ms: number }
  /** Apply the write, then destroy the socket before any response byte is sent. */
  | { kind: "response-lost" };

export interface FaultRule {
  method: string;
  /** OpenAPI route template, e.g. `/repos/{owner}/{repo}/check-runs`. */
  route: string;
  fault: Fault;
  /** How many more matching requests this rule applies to. */
  remaining: number;
}

export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case "status":
      return `status ${fault.status}`;
    case "rate-limit":
      return "rate limited (403)";
    case "retry-after":
      return `retry-after ${fault.seconds}s (429)`;
    case "delay":
      return `delay ${fault.ms}ms`;
    case "response-lost":
      return "response lost";
  }
}

export class FaultInjector {
  private readonly rules: FaultRule[] = [];

  /** The next `times` requests matching `method route` get `fault` (rules apply in the order added). */
  inject(method: string, route: string, fault: Fault, times = 1): void {
    this.rules.push({ method: method.toUpperCase(), route, fault, remaining: times });
  }

  /** Take the fault for this request, if any rule still applies. */
  take(method: string, route: string): Fault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && r.method === method && r.route === route);
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  /** Rules not yet used up — a test can assert its faults were all consumed. */
  pending(): FaultRule[] {
    return this.rules.filter((r) => r.remaining > 0);
  }

  clear(): void {
    this.rules.length = 0;
  }
}
