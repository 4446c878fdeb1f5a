/**
 * Orders writes by priority in front of Probot's throttle, without bypassing it: a write waits here
 * until the throttle's next slot is due (one write per second per installation), then the most
 * urgent waiting write — not the oldest — enters the throttle, which still enforces the spacing.
 */
import type { Octokit } from "@octokit/core";
import { priorityOf, WRITE_PRIORITIES, type WritePriority } from "../github/priority.js";

/** @octokit/plugin-throttling's write limiter: `minTime` 1000 ms between writes per installation (not configurable through Probot). */
export const THROTTLE_WRITE_SPACING_MS = 1000;

export interface WriteQueueOptions {
  /** Time between two admitted writes of one installation; defaults to the throttle's. */
  spacingMs?: number;
  now?: () => number;
  /** Called whenever the number of waiting writes of a priority changes (for the metrics gauge). */
  onDepth?: (priority: WritePriority, waiting: number) => void;
}

interface Lane {
  lastAdmitted: number;
  waiting: Record<WritePriority, Array<() => void>>;
  timer: NodeJS.Timeout | undefined;
}

export class WriteQueue {
  readonly spacingMs: number;
  private readonly now: () => number;
  private readonly onDepth: (priority: WritePriority, waiting: number) => void;
  private readonly lanes = new Map<string, Lane>();
  private readonly depths: Record<WritePriority, number> = { command: 0, verdict: 0, refresh: 0 };

  constructor(options: WriteQueueOptions = {}) {
    this.spacingMs = options.spacingMs ?? THROTTLE_WRITE_SPACING_MS;
    this.now = options.now ?? Date.now;
    this.onDepth = options.onDepth ?? (() => {});
  }

  /**
   * Resolves when a write of `priority` for `key` (an installation) may go to the throttle. With
   * `spacingMs` 0 (no throttle) it resolves at once: there is no slot to compete for.
   */
  admit(key: string, priority: WritePriority, spacingMs = this.spacingMs): Promise<void> {
    if (spacingMs <= 0) return Promise.resolve();
    const lane = this.lane(key);
    return new Promise<void>((resolve) => {
      lane.waiting[priority].push(resolve);
      this.count(priority, +1);
      this.pump(lane, spacingMs);
    });
  }

  /** Writes waiting, per priority, over all installations. */
  waiting(): Record<WritePriority, number> {
    return { ...this.depths };
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        lastAdmitted: Number.NEGATIVE_INFINITY,
        waiting: { command: [], verdict: [], refresh: [] },
        timer: undefined,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private pump(lane: Lane, spacingMs: number): void {
    if (lane.timer !== undefined) return;
    const next = WRITE_PRIORITIES.find((p) => lane.waiting[p].length > 0);
    if (next === undefined) return;
    const due = lane.lastAdmitted + spacingMs - this.now();
    if (due > 0) {
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        this.pump(lane, spacingMs);
      }, due);
      return;
    }
    lane.lastAdmitted = this.now();
    this.count(next, -1);
    lane.waiting[next].shift()!();
    // The next one waits for its slot; the timer keeps the lane moving.
    this.pump(lane, spacingMs);
  }

  private count(priority: WritePriority, delta: number): void {
    this.depths[priority] += delta;
    this.onDepth(priority, this.depths[priority]);
  }
}

/** What the throttle treats as a write: any non-GET/HEAD except the token exchange (its `auth` limiter), plus GraphQL. */
function isThrottledWrite(method: string, url: string): boolean {
  if (method === "GET" || method === "HEAD") return false;
  return !/\/app\/installations\/[^/]+\/access_tokens$|\/applications\/[^/]+\/token(\/scoped)?$|\/login\/oauth\/access_token$/.test(
    url,
  );
}

/** The key the throttle uses for this Octokit: its installation (Probot sets it), else the app itself. */
export function installationKey(options: { auth?: unknown; throttle?: unknown }): string {
  const auth = options.auth as { installationId?: unknown } | undefined;
  if (auth && (typeof auth.installationId === "number" || typeof auth.installationId === "string"))
    return String(auth.installationId);
  return "app";
}

/**
 * The Octokit plugin: every write waits for `queue.admit` with the priority its adapter gave
 * (`refresh` when none was given). With the throttle off (the demo, tests) writes are not held.
 */
export function writeQueuePlugin(queue: WriteQueue) {
  return (octokit: Octokit, options: { auth?: unknown; throttle?: { enabled?: boolean } }): void => {
    const key = installationKey(options);
    const spacing = options.throttle?.enabled === false ? 0 : queue.spacingMs;
    octokit.hook.wrap("request", async (request, endpoint) => {
      const method = (endpoint.method ?? "GET").toUpperCase();
      if (isThrottledWrite(method, endpoint.url))
        await queue.admit(key, priorityOf(endpoint.request) ?? "refresh", spacing);
      return request(endpoint);
    });
  };
}
