/**
 * Conditional reads: GETs are sent with `If-None-Match` when an earlier answer is cached, and a
 * 304 (free of rate limit, GitHub's REST docs) is answered from the cache. Entries are keyed by
 * installation, media type and full URL, so no installation ever sees another's bodies. In memory
 * by default (an LRU bounded in bytes); in Redis when `REDIS_URL` is set, shared by instances.
 */
import type { Octokit } from "@octokit/core";
import { LRUCache } from "lru-cache";
import { httpStatus } from "../github/errors.js";
import { installationKey } from "./write-queue.js";

export interface CachedResponse {
  etag: string;
  status: number;
  url: string;
  headers: Record<string, string>;
  /** The response data as text: JSON for objects (parsed afresh on each hit: callers may mutate it), else the raw text. */
  body: string;
  json: boolean;
}

export interface EtagStore {
  get(key: string): Promise<CachedResponse | undefined>;
  set(key: string, entry: CachedResponse): Promise<void>;
}

/**
 * Larger answers are not cached. A page of 100 open PRs is the biggest answer worth keeping: each
 * PR carries its head and base repository objects, so a page is 1–2 MB on GitHub.
 */
export const MAX_CACHED_BODY_BYTES = 4 * 1024 * 1024;

/** In-process LRU, bounded by the bytes it holds. */
export class MemoryEtagStore implements EtagStore {
  private readonly lru: LRUCache<string, CachedResponse>;

  constructor(maxBytes = 64 * 1024 * 1024) {
    this.lru = new LRUCache<string, CachedResponse>({
      maxSize: maxBytes,
      sizeCalculation: (e, key) => Math.max(1, e.body.length + key.length + JSON.stringify(e.headers).length),
    });
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    return this.lru.get(key);
  }

  async set(key: string, entry: CachedResponse): Promise<void> {
    this.lru.set(key, entry);
  }

  get size(): number {
    return this.lru.size;
  }
}

function headersOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string" || typeof v === "number") out[k] = String(v);
  return out;
}

/** Only text and JSON answers are kept; binary downloads (artifacts) are not worth a cache entry. */
function toEntry(response: {
  status: number;
  url: string;
  headers: unknown;
  data: unknown;
}): CachedResponse | undefined {
  const headers = headersOf(response.headers);
  const etag = headers["etag"];
  if (etag === undefined || response.status !== 200) return undefined;
  const data = response.data;
  let body: string;
  let json: boolean;
  if (typeof data === "string") {
    body = data;
    json = false;
  } else if (data !== null && typeof data === "object" && !(data instanceof ArrayBuffer) && !ArrayBuffer.isView(data)) {
    body = JSON.stringify(data);
    json = true;
  } else return undefined;
  if (body.length > MAX_CACHED_BODY_BYTES) return undefined;
  return { etag, status: response.status, url: response.url, headers, body, json };
}

export interface ConditionalRequestsOptions {
  /** Store trouble (Redis away): the read goes on uncached. */
  onError?: (message: string, error: unknown) => void;
}

/** The Octokit plugin: conditional GETs against `store`, per installation. */
export function conditionalRequestsPlugin(store: EtagStore, options: ConditionalRequestsOptions = {}) {
  const onError = options.onError ?? (() => {});
  return (octokit: Octokit, octokitOptions: { auth?: unknown }): void => {
    const installation = installationKey(octokitOptions);
    octokit.hook.wrap("request", async (request, endpoint) => {
      if ((endpoint.method ?? "GET").toUpperCase() !== "GET") return request(endpoint);
      const parsed = octokit.request.endpoint.parse(endpoint);
      const key = `${installation}\n${String(parsed.headers["accept"] ?? "")}\n${parsed.url}`;
      const cached = await store.get(key).catch((error: unknown) => {
        onError("could not read the ETag cache", error);
        return undefined;
      });
      // Set in place: Octokit's hooks are bound to this options object, not to what is passed on.
      if (cached) endpoint.headers["if-none-match"] = cached.etag;
      try {
        const response = await request(endpoint);
        const entry = toEntry(response);
        if (entry)
          await store.set(key, entry).catch((error: unknown) => onError("could not write the ETag cache", error));
        return response;
      } catch (err) {
        if (!cached || httpStatus(err) !== 304) throw err;
        const fresh = headersOf((err as { response?: { headers?: unknown } }).response?.headers);
        return {
          status: cached.status,
          url: cached.url,
          headers: { ...cached.headers, ...fresh, etag: fresh["etag"] ?? cached.etag },
          data: cached.json ? (JSON.parse(cached.body) as unknown) : cached.body,
        };
      }
    });
  };
}
