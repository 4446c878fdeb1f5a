/** A push to a Tier-B PR: earlier results turn stale in the comment and check run, and the deployment protection rule rejects the old run. */
import { describe, expect, test } from "@jest/globals";
import { ledgerIn } from "../support/ledger.js";
import type { Dispatch, Ledger } from "../../src/core/ledger/types.js";
import { workflowInputs } from "../../src/core/tierb/plan.js";
import { testApp, useStrictNock } from "../support/probot.js";
import { HEAD, pullRequestEvent } from "../support/payloads.js";
import {
  aRun,
  calls,
  ENVIRONMENT,
  HEAD2,
  ISSUE,
  PR,
  protectionRuleEvent,
  RUN_ID,
  RUN_URL,
  sticky,
  trace,
  aDispatch,
  DISPATCH_ID,
  worldWithDispatch,
  type World,
} from "./tier-b-world.js";

const ID = DISPATCH_ID;
const PROTECTION = `/repos/acme/nmoe/actions/runs/${RUN_ID}/deployment_protection_rule`;

useStrictNock();

function waiting(over: Partial<Dispatch> = {}): Dispatch {
  return aDispatch({ state: "waiting", runId: RUN_ID, runUrl: RUN_URL, ...over });
}

function worldWith(d: Dispatch, over: Partial<World> = {}): World {
  const world = worldWithDispatch(d, over);
  world.run = aRun({ inputs: workflowInputs(d), status: "waiting" });
  return world;
}

function ledgerOf(world: World): Ledger {
  return ledgerIn(sticky(world)!.body, "pr", PR);
}

describe("deployment_protection_rule", () => {
  test("approves a recorded run while the PR head is still the pinned SHA and the requester still has write access", async () => {
    const world = worldWith(waiting());
    await testApp().receive("deployment_protection_rule", protectionRuleEvent());
    expect(trace(world)).toEqual([
      "GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml",
      "GET /repos/acme/.github/contents/.github%2Fmerge-captain.yml",
      `GET /repos/acme/nmoe/actions/runs/${RUN_ID}`,
      "GET /repos/acme/nmoe/issues/12/comments",
      "GET /repos/acme/nmoe/pulls/12",
      "GET /repos/acme/nmoe/collaborators/maint/permission",
      `POST ${PROTECTION}`,
    ]);
    expect(calls(world, "POST", PROTECTION)[0]!.body).toEqual({
      environment_name: ENVIRONMENT,
      state: "approved",
      comment: "merge-captain: approved for 9f2c4b1, requested by maint",
    });
  });

  test.each([
    [
      "the PR head moved after /tier-b",
      { heads: [HEAD2] },
      waiting(),
      "the PR head moved from 9f2c4b1 to 8e1b3a0 after `/tier-b`",
    ],
    [
      "the requester lost write access",
      { permissions: { maint: "read" } },
      waiting(),
      "@maint no longer has write access to run Tier-B",
    ],
    [
      "the run is not in the ledger",
      {},
      waiting({ id: "e0000000-0000-4000-8000-000000000002", runId: 999 }),
      "merge-captain has no record of dispatching this run",
    ],
  ])("rejects when %s", async (_, over, d, reason) => {
    const world = worldWith(d, over);
    if (d.runId === 999) world.run = aRun({ inputs: workflowInputs({ ...d, id: ID }), status: "waiting" });
    await testApp().receive("deployment_protection_rule", protectionRuleEvent());
    const [review] = calls(world, "POST", PROTECTION);
    expect(review!.body).toMatchObject({ environment_name: ENVIRONMENT, state: "rejected" });
    expect(String(review!.body?.["comment"])).toContain(reason);
    expect(calls(world, "POST", PROTECTION)).toHaveLength(1);
  });
});

describe("a push (synchronize) after the dispatch", () => {
  test("the waiting run is cancelled and marked stale in the comment and its check run; the protection rule then rejects it", async () => {
    const world = worldWith(waiting(), { heads: [HEAD2] });
    const app = testApp();
    await app.receive("pull_request", {
      ...pullRequestEvent("synchronize", { number: PR, headSha: HEAD2, before: HEAD, body: `Fixes #${ISSUE}` }),
    });

    expect(calls(world, "POST", `/repos/acme/nmoe/actions/runs/${RUN_ID}/cancel`)).toHaveLength(1);
    expect(ledgerOf(world).dispatches[0]).toMatchObject({
      state: "cancelled",
      endReason: "head-moved",
      stale: true,
      staleBy: HEAD2,
    });
    expect(sticky(world)!.body).toContain("⚠️ **stale**: the PR head is now `8e1b3a0`");
    const tierB = calls(world, "PATCH", "/repos/acme/nmoe/check-runs/5000").at(-1)?.body;
    expect(tierB).toMatchObject({ name: "Tier-B: smoke", status: "completed", conclusion: "cancelled" });
    expect(tierB?.["output"]).toMatchObject({
      title: "Cancelled: the PR head moved before it started",
      summary: expect.stringContaining("⚠️ **stale**: the PR head is now `8e1b3a0`"),
    });

    world.log.length = 0;
    await app.receive("deployment_protection_rule", protectionRuleEvent());
    const [review] = calls(world, "POST", PROTECTION);
    expect(review!.body).toMatchObject({ environment_name: ENVIRONMENT, state: "rejected" });
    expect(String(review!.body?.["comment"])).toContain("the PR has a newer head (8e1b3a0) than the approved 9f2c4b1");
  });

  test("finished results on the old head are kept but shown as stale, and no longer make the verdict green", async () => {
    const done = waiting({
      state: "completed",
      conclusion: "success",
      runConclusion: "success",
      results: { outcome: "valid", gates: [{ id: "b200:step_1x10", status: "pass", rc: 0 }] },
    });
    const world = worldWith(done, { heads: [HEAD2] });
    await testApp().receive(
      "pull_request",
      pullRequestEvent("synchronize", { number: PR, headSha: HEAD2, before: HEAD, body: `Fixes #${ISSUE}` }),
    );

    expect(calls(world, "POST", /\/cancel$/)).toEqual([]);
    expect(ledgerOf(world).dispatches[0]).toMatchObject({
      state: "completed",
      stale: true,
      staleBy: HEAD2,
      results: { outcome: "valid" },
    });
    const body = sticky(world)!.body;
    expect(body).toContain("| `b200:step_1x10` | ✅ pass | 0 |");
    expect(body).toContain("⚠️ **stale**: the PR head is now `8e1b3a0`; these results do not count for it");
    expect(calls(world, "PATCH", "/repos/acme/nmoe/check-runs/5000").at(-1)?.body).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: expect.stringContaining("stale") },
    });
    const verdict = calls(world, "POST", "/repos/acme/nmoe/check-runs").find(
      (c) => c.body?.["name"] === "merge-captain",
    );
    expect(verdict?.body?.["head_sha"]).toBe(HEAD2);
    expect(String((verdict?.body?.["output"] as { summary: string }).summary)).toMatch(
      /\| ❌ \| Tier-B green on this head \|/,
    );
  });

  test("a force-push to a commit with the same tree keeps the results, and says so", async () => {
    const done = waiting({
      state: "completed",
      conclusion: "success",
      runConclusion: "success",
      results: { outcome: "valid", gates: [{ id: "b200:step_1x10", status: "pass", rc: 0 }] },
    });
    const world = worldWith(done, { heads: [HEAD2], trees: { [HEAD]: "7".repeat(40), [HEAD2]: "7".repeat(40) } });
    await testApp().receive(
      "pull_request",
      pullRequestEvent("synchronize", { number: PR, headSha: HEAD2, before: HEAD, body: `Fixes #${ISSUE}` }),
    );
    expect(ledgerOf(world).dispatches[0]).toMatchObject({ alsoCovers: [HEAD2] });
    expect(ledgerOf(world).dispatches[0]!.stale).toBeUndefined();
    expect(sticky(world)!.body).toContain("♻️ still valid for `8e1b3a0`: same tree as `9f2c4b1`");
    const verdict = calls(world, "POST", "/repos/acme/nmoe/check-runs").find(
      (c) => c.body?.["name"] === "merge-captain",
    );
    expect(String((verdict?.body?.["output"] as { summary: string }).summary)).toMatch(
      /\| ✅ \| Tier-B green on this head \|/,
    );
  });
});
