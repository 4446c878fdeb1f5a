/** Graceful shutdown and the operator endpoints of the real server, in process: draining, 503s, what was left; /healthz, /metrics. */
import { afterEach, describe, expect, test } from "@jest/globals";
import { startDemoWorld, type DemoWorld } from "../../src/demo/story.js";
import { openAttestedPull, VALID_ISSUE } from "../../src/demo/fixtures.js";
import * as hooks from "../../src/demo/webhooks.js";

let world: DemoWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

function openGoodPull(w: DemoWorld): { number: number; sha: string } {
  const issue = w.repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" });
  return openAttestedPull(w.repo, issue.number, "shutdown");
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error("timed out");
}

describe("graceful shutdown", () => {
  test("draining: new deliveries get 503, /healthz says draining, the handler in flight finishes", async () => {
    world = await startDemoWorld();
    const w = world;
    const pr = openGoodPull(w);
    // GitHub is slow to list the files: the handler is in flight when the shutdown starts.
    w.fake.fail("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", { kind: "delay", ms: 800 });
    const delivery = hooks.sendWebhook(
      w.app.webhookUrl,
      w.secret,
      "pull_request",
      hooks.pullRequestOpened(w.fake.state, w.repo, pr.number),
    );
    await until(() => w.app.runtime.work.inFlight().length === 1);
    const stopping = w.app.shutdown(10_000);
    const health = await fetch(`${w.app.url}/healthz`);
    expect({ status: health.status, body: await health.text() }).toEqual({ status: 503, body: "draining\n" });
    const refused = await hooks.sendWebhook(
      w.app.webhookUrl,
      w.secret,
      "pull_request",
      hooks.pullRequestOpened(w.fake.state, w.repo, pr.number),
    );
    expect(refused.status).toBe(503);
    expect(await stopping).toEqual({ finished: true, left: [] });
    expect((await delivery).status).toBe(200);
    expect(w.repo.checkRunsFor(pr.sha).filter((c) => c.name === "merge-captain")).toHaveLength(1);
  });

  test("past the grace it stops anyway and says what was left", async () => {
    world = await startDemoWorld();
    const w = world;
    const pr = openGoodPull(w);
    w.fake.fail("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", { kind: "delay", ms: 1500 });
    const delivery = hooks
      .sendWebhook(
        w.app.webhookUrl,
        w.secret,
        "pull_request",
        hooks.pullRequestOpened(w.fake.state, w.repo, pr.number),
        {
          deliveryId: "slow-delivery",
        },
      )
      .catch(() => undefined);
    await until(() => w.app.runtime.work.inFlight().length === 1);
    expect(await w.app.shutdown(50)).toEqual({ finished: false, left: ["pull_request.opened slow-delivery"] });
    await delivery;
  });
});

describe("operator endpoints", () => {
  test("/metrics is off by default", async () => {
    world = await startDemoWorld();
    expect((await fetch(`${world.app.url}/metrics`)).status).toBe(404);
  });

  test("with METRICS=1, /metrics counts deliveries and API calls by route and status, with no repository names", async () => {
    world = await startDemoWorld({ env: { METRICS: "1" } });
    const w = world;
    const pr = openGoodPull(w);
    await w.send("pull_request", hooks.pullRequestOpened(w.fake.state, w.repo, pr.number));
    await w.send("pull_request", hooks.pullRequestEdited(w.fake.state, w.repo, pr.number, { body: { from: "" } }));
    const res = await fetch(`${w.app.url}/metrics`);
    const body = await res.text();
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('merge_captain_deliveries_total{event="pull_request.opened",outcome="handled"} 1');
    expect(body).toMatch(
      /merge_captain_github_requests_total\{method="GET",route="\/repos\/\{owner\}\/\{repo\}\/pulls",status="200"\} \d+/,
    );
    expect(body).toMatch(/merge_captain_github_requests_total\{method="GET",route="[^"]+",status="304"\} \d+/);
    expect(body).toMatch(/merge_captain_github_rate_limit_remaining\{installation="1"\} \d+/);
    expect(body).toMatch(/merge_captain_reconciler_runs_total\{outcome="completed"\} 1/);
    expect(body).not.toContain("moe-lab");
    expect(body).not.toContain("acme");
  });
});
