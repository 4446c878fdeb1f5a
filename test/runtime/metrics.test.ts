/** The metrics registry: the names operators scrape, and no repository names in any label. */
import { describe, expect, test } from "@jest/globals";
import { Metrics } from "../../src/runtime/metrics.js";

describe("Metrics", () => {
  test("renders every family in Prometheus text; labels are events, routes, statuses, priorities, installation ids", async () => {
    const m = new Metrics();
    m.delivery("pull_request.opened", "handled", 0.42);
    m.delivery("pull_request.opened", "duplicate", 0);
    m.writesWaiting("command", 2);
    m.call({ installation: "77", method: "GET", route: "/repos/{owner}/{repo}/pulls", status: 304 });
    m.rateLimit("77", { remaining: 4100, limit: 5000, reset: 0 });
    m.reconcileRun("completed");
    m.repaired("missing-check", 3);
    const { contentType, body } = await m.render();
    expect(contentType).toMatch(/^text\/plain/);
    for (const line of [
      'merge_captain_deliveries_total{event="pull_request.opened",outcome="handled"} 1',
      'merge_captain_deliveries_total{event="pull_request.opened",outcome="duplicate"} 1',
      'merge_captain_handler_duration_seconds_count{event="pull_request.opened"} 1',
      'merge_captain_writes_waiting{priority="command"} 2',
      'merge_captain_writes_waiting{priority="refresh"} 0',
      'merge_captain_github_requests_total{method="GET",route="/repos/{owner}/{repo}/pulls",status="304"} 1',
      'merge_captain_github_rate_limit_remaining{installation="77"} 4100',
      'merge_captain_reconciler_runs_total{outcome="completed"} 1',
      'merge_captain_reconciler_repairs_total{kind="missing-check"} 3',
    ])
      expect(body).toContain(line);
    expect(body).toContain("merge_captain_process_cpu_seconds_total");
  });

  test("two registries do not collide (each server has its own)", async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.reconcileRun("skipped");
    expect((await b.render()).body).not.toContain('outcome="skipped"');
  });
});
