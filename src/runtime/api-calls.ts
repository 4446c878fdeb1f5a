/**
 * Accounting of every GitHub API call the app makes: the status it got (a 304 apart from a 200),
 * the rate limit GitHub reported, and the calls of one unit of work (a reconciler run) against its
 * budget. An Octokit plugin; it sees the raw exchange, before the ETag cache turns a 304 into data.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Octokit } from "@octokit/core";
import { httpStatus } from "../github/errors.js";
import { installationKey } from "./write-queue.js";

export interface ApiCall {
  /** The installation id, or "app" for calls made with the App's JWT. */
  installation: string;
  method: string;
  /** The route template (`/repos/{owner}/{repo}/pulls`), never a repository's name. */
  route: string;
  /** 0 when no answer arrived. */
  status: number;
}

export interface RateLimitState {
  remaining: number;
  limit: number;
  /** Epoch seconds when the window resets. */
  reset: number;
}

/** What the server does with each call: metrics, the rate-limit view. */
export interface ApiObserver {
  call(call: ApiCall): void;
  rateLimit(installation: string, state: RateLimitState): void;
}

/** The last `x-ratelimit-*` GitHub sent per installation: the reconciler stops well before zero. */
export class RateLimits implements Pick<ApiObserver, "rateLimit"> {
  private readonly byInstallation = new Map<string, RateLimitState>();

  rateLimit(installation: string, state: RateLimitState): void {
    this.byInstallation.set(installation, state);
  }

  get(installation: string): RateLimitState | undefined {
    return this.byInstallation.get(installation);
  }
}

/** The call budget of a unit of work was spent; the work stops and the next run continues. */
export class CallBudgetExhausted extends Error {
  constructor(readonly limit: number) {
    super(`merge-captain: the call budget of ${limit} API calls was spent`);
    this.name = "CallBudgetExhausted";
  }
}

/** Counts the calls made inside `metered(meter, …)`: 304s apart, and refuses calls past `limit`. */
export class CallMeter {
  /** Calls that count against the rate limit (everything but a 304). */
  counted = 0;
  /** 304s: answered from the ETag cache, free of rate limit. */
  revalidated = 0;
  readonly byRoute: Record<string, number> = {};

  constructor(readonly limit = Number.POSITIVE_INFINITY) {}

  get total(): number {
    return this.counted + this.revalidated;
  }

  /** Calls still allowed. */
  get left(): number {
    return Math.max(0, this.limit - this.total);
  }

  /** Throws before a call that would exceed the budget. */
  admit(): void {
    if (this.total >= this.limit) throw new CallBudgetExhausted(this.limit);
  }

  record(call: ApiCall): void {
    if (call.status === 304) this.revalidated += 1;
    else this.counted += 1;
    const key = `${call.method} ${call.route}${call.status === 304 ? " (304)" : ""}`;
    this.byRoute[key] = (this.byRoute[key] ?? 0) + 1;
  }
}

const current = new AsyncLocalStorage<CallMeter[]>();

/** Run `fn` with every API call it makes (through any Octokit with the plugin) counted by `meter`; meters nest. */
export function metered<T>(meter: CallMeter, fn: () => Promise<T>): Promise<T> {
  return current.run([...(current.getStore() ?? []), meter], fn);
}

/**
 * A route template for a metric label: Octokit passes templates for REST methods, but full URLs
 * for later pages of a listing, which carry the owner and repository; those are folded back.
 */
export function routeOf(url: string): string {
  let path = url.replace(/^https?:\/\/[^/]+/, "");
  const query = path.search(/[?#]/);
  if (query >= 0) path = path.slice(0, query);
  path = path.replace(/^\/api\/v3(?=\/)/, "");
  if (path.includes("{")) return path;
  path = path.replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{owner}/{repo}");
  path = path.replace(/\/contents\/.*$/, "/contents/{path}");
  path = path.replace(/\/commits\/[^/]+/, "/commits/{ref}");
  return path
    .split("/")
    .map((seg) => (/^\d+$/.test(seg) ? "{id}" : seg))
    .join("/");
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

function rateLimitOf(headers: unknown): RateLimitState | undefined {
  const remaining = Number(header(headers, "x-ratelimit-remaining"));
  const limit = Number(header(headers, "x-ratelimit-limit"));
  const reset = Number(header(headers, "x-ratelimit-reset"));
  if (!Number.isFinite(remaining) || !Number.isFinite(limit) || header(headers, "x-ratelimit-remaining") === undefined)
    return undefined;
  return { remaining, limit, reset: Number.isFinite(reset) ? reset : 0 };
}

/** The Octokit plugin: every exchange is reported to `observers` and to the meters of the work it belongs to. */
export function apiCallsPlugin(...observers: Array<Partial<ApiObserver>>) {
  return (octokit: Octokit, options: { auth?: unknown }): void => {
    const installation = installationKey(options);
    octokit.hook.wrap("request", async (request, endpoint) => {
      const meters = current.getStore() ?? [];
      for (const m of meters) m.admit();
      const method = (endpoint.method ?? "GET").toUpperCase();
      const report = (status: number, headers: unknown): void => {
        const call = { installation, method, route: routeOf(endpoint.url), status };
        for (const m of meters) m.record(call);
        for (const o of observers) o.call?.(call);
        const rate = rateLimitOf(headers);
        if (rate) for (const o of observers) o.rateLimit?.(installation, rate);
      };
      try {
        const response = await request(endpoint);
        report(response.status, response.headers);
        return response;
      } catch (err) {
        const response = (err as { response?: { headers?: unknown } }).response;
        report(httpStatus(err) ?? 0, response?.headers);
        throw err;
      }
    });
  };
}
