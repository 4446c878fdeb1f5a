/**
 * What operators see at `GET /metrics` (Prometheus text, prom-client) when `METRICS=1`: deliveries,
 * handler time, writes waiting per priority, API calls by route and status, the rate limit left,
 * reconciler runs and repairs. Labels are event names, route templates, statuses, priorities and
 * installation ids — never a repository's name or content.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { WritePriority } from "../github/priority.js";
import type { ApiCall, ApiObserver, RateLimitState } from "./api-calls.js";

export type DeliveryOutcome = "handled" | "failed" | "duplicate";
export type ReconcileOutcome = "completed" | "budget-spent" | "rate-limited" | "failed" | "skipped";
export type RepairKind = "missing-check" | "stale-check" | "tier-b-run";

/** What the app reports as it works; a no-op when metrics are off. */
export interface Telemetry extends ApiObserver {
  delivery(event: string, outcome: DeliveryOutcome, seconds: number): void;
  writesWaiting(priority: WritePriority, waiting: number): void;
  reconcileRun(outcome: ReconcileOutcome): void;
  repaired(kind: RepairKind, count: number): void;
}

export const NO_TELEMETRY: Telemetry = {
  delivery: () => {},
  writesWaiting: () => {},
  reconcileRun: () => {},
  repaired: () => {},
  call: () => {},
  rateLimit: () => {},
};

export class Metrics implements Telemetry {
  readonly registry = new Registry();
  private readonly deliveries: Counter<"event" | "outcome">;
  private readonly duration: Histogram<"event">;
  private readonly waiting: Gauge<"priority">;
  private readonly calls: Counter<"method" | "route" | "status">;
  private readonly remaining: Gauge<"installation">;
  private readonly runs: Counter<"outcome">;
  private readonly repairs: Counter<"kind">;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: "merge_captain_" });
    this.deliveries = new Counter({
      name: "merge_captain_deliveries_total",
      help: "Webhook deliveries by event and outcome (duplicate: a redelivery already handled)",
      labelNames: ["event", "outcome"],
      registers,
    });
    this.duration = new Histogram({
      name: "merge_captain_handler_duration_seconds",
      help: "Time from a delivery's arrival at its handler to the end of its work, by event",
      labelNames: ["event"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.waiting = new Gauge({
      name: "merge_captain_writes_waiting",
      help: "Writes waiting in front of the throttle, by priority",
      labelNames: ["priority"],
      registers,
    });
    this.calls = new Counter({
      name: "merge_captain_github_requests_total",
      help: "GitHub API calls by method, route template and status (304: answered from the ETag cache, free of rate limit)",
      labelNames: ["method", "route", "status"],
      registers,
    });
    this.remaining = new Gauge({
      name: "merge_captain_github_rate_limit_remaining",
      help: "x-ratelimit-remaining as GitHub last reported it, by installation id",
      labelNames: ["installation"],
      registers,
    });
    this.runs = new Counter({
      name: "merge_captain_reconciler_runs_total",
      help: "Reconciler runs by outcome (skipped: another instance held the lease)",
      labelNames: ["outcome"],
      registers,
    });
    this.repairs = new Counter({
      name: "merge_captain_reconciler_repairs_total",
      help: "PRs and Tier-B runs the reconciler repaired, by kind",
      labelNames: ["kind"],
      registers,
    });
    for (const p of ["command", "verdict", "refresh"] as const) this.waiting.set({ priority: p }, 0);
  }

  delivery(event: string, outcome: DeliveryOutcome, seconds: number): void {
    this.deliveries.inc({ event, outcome });
    if (outcome !== "duplicate") this.duration.observe({ event }, seconds);
  }

  writesWaiting(priority: WritePriority, waiting: number): void {
    this.waiting.set({ priority }, waiting);
  }

  reconcileRun(outcome: ReconcileOutcome): void {
    this.runs.inc({ outcome });
  }

  repaired(kind: RepairKind, count: number): void {
    if (count > 0) this.repairs.inc({ kind }, count);
  }

  call(call: ApiCall): void {
    this.calls.inc({ method: call.method, route: call.route, status: String(call.status) });
  }

  rateLimit(installation: string, state: RateLimitState): void {
    this.remaining.set({ installation }, state.remaining);
  }

  /** The exposition text and its content type, for the HTTP answer. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
