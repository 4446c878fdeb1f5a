/** API-call accounting: route templates without repository names, 304s apart, meters and budgets, the rate limit seen. */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { ProbotOctokit } from "probot";
import {
  apiCallsPlugin,
  CallBudgetExhausted,
  CallMeter,
  metered,
  RateLimits,
  routeOf,
  type ApiCall,
} from "../../src/runtime/api-calls.js";
import { conditionalRequestsPlugin, MemoryEtagStore } from "../../src/runtime/etag-cache.js";

const API = "https://api.github.com";

describe("routeOf: a label with no repository in it", () => {
  test.each([
    ["/repos/{owner}/{repo}/pulls", "/repos/{owner}/{repo}/pulls"],
    ["https://api.github.com/repos/acme/secret-project/pulls?state=open&page=2", "/repos/{owner}/{repo}/pulls"],
    [
      "https://ghe.example.com/api/v3/repos/acme/x/issues/12/comments?page=3",
      "/repos/{owner}/{repo}/issues/{id}/comments",
    ],
    ["/repos/acme/x/contents/configs/gates/gates.toml", "/repos/{owner}/{repo}/contents/{path}"],
    ["/repos/acme/x/commits/0123abc/check-runs", "/repos/{owner}/{repo}/commits/{ref}/check-runs"],
    ["/installation/repositories?page=2", "/installation/repositories"],
  ])("%s → %s", (url, route) => {
    expect(routeOf(url)).toBe(route);
  });
});

describe("the plugin", () => {
  beforeEach(() => {
    nock.cleanAll();
    nock.disableNetConnect();
  });
  afterEach(() => nock.cleanAll());

  const rate = { "x-ratelimit-remaining": "4321", "x-ratelimit-limit": "5000", "x-ratelimit-reset": "1700000000" };

  function octokit(calls: ApiCall[], limits: RateLimits) {
    const Counted = ProbotOctokit.plugin(
      apiCallsPlugin({ call: (c) => calls.push(c) }, limits),
      conditionalRequestsPlugin(new MemoryEtagStore()),
    );
    return new Counted({
      auth: { token: "t", installationId: 9 },
      throttle: { enabled: false },
      retry: { enabled: false },
    });
  }

  test("reports each call with its status (a 304 as 304, though the caller gets data) and the rate limit", async () => {
    nock(API)
      .get("/repos/acme/nmoe/pulls")
      .reply(200, [], { etag: 'W/"1"', ...rate })
      .get("/repos/acme/nmoe/pulls")
      .reply(304, "", { etag: 'W/"1"', ...rate })
      .get("/repos/acme/nmoe/contents/x")
      .reply(404, { message: "Not Found" }, rate);
    const calls: ApiCall[] = [];
    const limits = new RateLimits();
    const o = octokit(calls, limits);
    await o.request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "nmoe" });
    expect((await o.request("GET /repos/{owner}/{repo}/pulls", { owner: "acme", repo: "nmoe" })).status).toBe(200);
    await expect(o.request("GET /repos/acme/nmoe/contents/x")).rejects.toMatchObject({ status: 404 });
    expect(calls).toEqual([
      { installation: "9", method: "GET", route: "/repos/{owner}/{repo}/pulls", status: 200 },
      { installation: "9", method: "GET", route: "/repos/{owner}/{repo}/pulls", status: 304 },
      { installation: "9", method: "GET", route: "/repos/{owner}/{repo}/contents/{path}", status: 404 },
    ]);
    expect(limits.get("9")).toEqual({ remaining: 4321, limit: 5000, reset: 1700000000 });
  });

  test("meters count the calls of the work they wrap (nested), 304s apart, and refuse calls past their budget", async () => {
    nock(API)
      .get("/a")
      .times(3)
      .reply(function () {
        return this.req.headers["if-none-match"] === 'W/"a"'
          ? [304, "", { etag: 'W/"a"' }]
          : [200, {}, { etag: 'W/"a"' }];
      });
    const o = octokit([], new RateLimits());
    const outer = new CallMeter(100);
    const inner = new CallMeter(2);
    await metered(outer, async () => {
      await o.request("GET /a");
      await metered(inner, async () => {
        await o.request("GET /a"); // 304
        await o.request("GET /b").catch(() => undefined); // no interceptor: a failed call still counts
        await expect(o.request("GET /a")).rejects.toBeInstanceOf(CallBudgetExhausted);
      });
    });
    expect({ counted: inner.counted, revalidated: inner.revalidated, left: inner.left }).toEqual({
      counted: 1,
      revalidated: 1,
      left: 0,
    });
    expect({ counted: outer.counted, revalidated: outer.revalidated }).toEqual({ counted: 2, revalidated: 1 });
    expect(inner.byRoute).toEqual({ "GET /a (304)": 1, "GET /b": 1 });
  });

  test("calls outside any meter are not metered", async () => {
    nock(API).get("/a").reply(200, {});
    const meter = new CallMeter(1);
    await octokit([], new RateLimits()).request("GET /a");
    expect(meter.total).toBe(0);
  });
});
