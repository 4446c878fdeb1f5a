/** Conditional reads: If-None-Match from the cache, a 304 answered with the cached data, per installation, bounded. */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { ProbotOctokit } from "probot";
import {
  conditionalRequestsPlugin,
  MAX_CACHED_BODY_BYTES,
  MemoryEtagStore,
  type CachedResponse,
  type EtagStore,
} from "../../src/runtime/etag-cache.js";

const API = "https://api.github.com";

function octokitFor(store: EtagStore, installationId?: number, onError?: (m: string) => void) {
  const Cached = ProbotOctokit.plugin(conditionalRequestsPlugin(store, onError ? { onError } : {}));
  return new Cached({
    // Probot's auth with a plain token; the installation id is what the cache keys on.
    auth: installationId === undefined ? { token: "ghs_token" } : { token: "ghs_token", installationId },
    throttle: { enabled: false },
    retry: { enabled: false },
  });
}

/** A tiny GitHub for one path: answers with `etag` and `body`, or 304 when If-None-Match matches. */
function serve(path: string, etag: string, body: unknown, times = 10): { seen: Array<string | undefined> } {
  const seen: Array<string | undefined> = [];
  nock(API)
    .get(path)
    .times(times)
    .reply(function () {
      const sent = this.req.headers["if-none-match"];
      seen.push(typeof sent === "string" ? sent : undefined);
      if (sent === etag) return [304, "", { etag, "x-ratelimit-remaining": "4999" }];
      return [200, body as nock.Body, { etag, "content-type": "application/json; charset=utf-8" }];
    });
  return { seen };
}

beforeEach(() => {
  nock.cleanAll();
  nock.disableNetConnect();
});
afterEach(() => nock.cleanAll());

describe("conditional GETs", () => {
  test("the first read is plain; the next sends If-None-Match and a 304 gives the same data", async () => {
    const gh = serve("/repos/acme/nmoe/pulls?state=open", 'W/"v1"', [{ number: 1 }]);
    const octokit = octokitFor(new MemoryEtagStore());
    const first = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      owner: "acme",
      repo: "nmoe",
      state: "open",
    });
    const second = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
      owner: "acme",
      repo: "nmoe",
      state: "open",
    });
    expect(gh.seen).toEqual([undefined, 'W/"v1"']);
    expect(second.status).toBe(200);
    expect(second.data).toEqual(first.data);
    // The 304's own headers (the rate limit) are what the caller sees.
    expect(second.headers["x-ratelimit-remaining"]).toBe("4999");
  });

  test("a changed resource (new ETag) replaces the entry", async () => {
    const store = new MemoryEtagStore();
    const octokit = octokitFor(store);
    serve("/repos/acme/nmoe", 'W/"v1"', { v: 1 }, 1);
    await octokit.request("GET /repos/acme/nmoe");
    nock(API).get("/repos/acme/nmoe").reply(200, { v: 2 }, { etag: 'W/"v2"' });
    expect((await octokit.request("GET /repos/acme/nmoe")).data).toEqual({ v: 2 });
    const gh = serve("/repos/acme/nmoe", 'W/"v2"', { v: 2 }, 1);
    expect((await octokit.request("GET /repos/acme/nmoe")).data).toEqual({ v: 2 });
    expect(gh.seen).toEqual(['W/"v2"']);
  });

  test("the media type is part of the key: the raw file and its JSON entry are cached apart", async () => {
    const seen: string[] = [];
    nock(API)
      .get("/repos/acme/nmoe/contents/a.txt")
      .times(4)
      .reply(function () {
        const raw = String(this.req.headers["accept"]).includes("raw");
        seen.push(`${raw ? "raw" : "json"}:${String(this.req.headers["if-none-match"] ?? "-")}`);
        const etag = raw ? 'W/"raw"' : 'W/"json"';
        if (this.req.headers["if-none-match"] === etag) return [304, "", { etag }];
        return raw
          ? [200, "hello\n", { etag, "content-type": "text/plain; charset=utf-8" }]
          : [200, { content: "aGVsbG8K" }, { etag }];
      });
    const octokit = octokitFor(new MemoryEtagStore());
    const raw = { owner: "acme", repo: "nmoe", path: "a.txt", mediaType: { format: "raw" } };
    const json = { owner: "acme", repo: "nmoe", path: "a.txt" };
    await octokit.rest.repos.getContent(raw);
    await octokit.rest.repos.getContent(json);
    expect((await octokit.rest.repos.getContent(raw)).data).toBe("hello\n");
    expect((await octokit.rest.repos.getContent(json)).data).toEqual({ content: "aGVsbG8K" });
    expect(seen).toEqual(["raw:-", "json:-", 'raw:W/"raw"', 'json:W/"json"']);
  });

  test("installations never share an entry", async () => {
    const gh = serve("/repos/acme/nmoe", 'W/"v1"', { secret: "only for installation 1" });
    const store = new MemoryEtagStore();
    await octokitFor(store, 1).request("GET /repos/acme/nmoe");
    await octokitFor(store, 2).request("GET /repos/acme/nmoe");
    await octokitFor(store, 1).request("GET /repos/acme/nmoe");
    expect(gh.seen).toEqual([undefined, undefined, 'W/"v1"']);
  });

  test("a cached list is handed out afresh each time: a caller (paginate) mutating it cannot corrupt the cache", async () => {
    serve("/installation/repositories?per_page=100", 'W/"r"', {
      total_count: 1,
      repository_selection: "all",
      repositories: [{ name: "nmoe" }],
    });
    const octokit = octokitFor(new MemoryEtagStore());
    const list = () => octokit.paginate("GET /installation/repositories", { per_page: 100 });
    expect(await list()).toEqual([{ name: "nmoe" }]);
    expect(await list()).toEqual([{ name: "nmoe" }]);
    expect(await list()).toEqual([{ name: "nmoe" }]);
  });

  test.each([
    ["no ETag", { "content-type": "application/json" }, { a: 1 }],
    ["a body over the size bound", { etag: 'W/"big"' }, { big: "x".repeat(MAX_CACHED_BODY_BYTES + 1) }],
    ["binary data", { etag: 'W/"zip"', "content-type": "application/zip" }, Buffer.from([80, 75, 3, 4])],
  ])("an answer with %s is not cached", async (_what, headers, body) => {
    const store = new MemoryEtagStore();
    nock(API).get("/x").reply(200, body, headers);
    await octokitFor(store).request("GET /x");
    expect(store.size).toBe(0);
  });

  test("writes are never conditional", async () => {
    const store = new MemoryEtagStore();
    let sent: unknown = "unset";
    nock(API)
      .post("/repos/acme/nmoe/issues/1/comments")
      .reply(function () {
        sent = this.req.headers["if-none-match"];
        return [201, { id: 1 }, { etag: 'W/"c"' }];
      });
    await octokitFor(store).request("POST /repos/acme/nmoe/issues/1/comments", { body: "x" });
    expect(sent).toBeUndefined();
    expect(store.size).toBe(0);
  });

  test("a store that fails (Redis away) only costs the cache: the read goes through, the trouble is reported", async () => {
    const broken: EtagStore = {
      get: () => Promise.reject(new Error("connection lost")),
      set: () => Promise.reject(new Error("connection lost")),
    };
    const reported: string[] = [];
    nock(API).get("/repos/acme/nmoe").reply(200, { ok: true }, { etag: 'W/"1"' });
    const res = await octokitFor(broken, 1, (m) => reported.push(m)).request("GET /repos/acme/nmoe");
    expect(res.data).toEqual({ ok: true });
    expect(reported).toEqual(["could not read the ETag cache", "could not write the ETag cache"]);
  });

  test("a 304 without a cached entry (someone else's If-None-Match) stays an error", async () => {
    nock(API).get("/y").reply(304, "");
    await expect(
      octokitFor(new MemoryEtagStore()).request("GET /y", { headers: { "if-none-match": 'W/"theirs"' } }),
    ).rejects.toMatchObject({ status: 304 });
  });
});

describe("MemoryEtagStore", () => {
  test("is bounded in bytes: the least recently used entries go first", async () => {
    const store = new MemoryEtagStore(10_000);
    const entry = (n: number): CachedResponse => ({
      etag: `W/"${n}"`,
      status: 200,
      url: `/x/${n}`,
      headers: {},
      body: "x".repeat(3000),
      json: false,
    });
    for (let i = 0; i < 5; i++) await store.set(`k${i}`, entry(i));
    expect(store.size).toBeLessThan(5);
    expect(await store.get("k4")).toBeDefined();
    expect(await store.get("k0")).toBeUndefined();
  });
});
