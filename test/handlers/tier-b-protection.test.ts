/** A push to a Tier-B PR: earlier results turn stale in the comment and check run, and the deployment protection rule rejects the old run. */
import { describe, expect, test } from "@jest/globals";
import { ledgerIn } from "../support/ledger.js";
import type { Dispatch, Ledger } from "../../src/core/ledger/types.js";
import { HEAD } from "../support/payloads.js";
import { useFakeGitHub } from "../support/fake-app.js";
import * as hooks from "../../src/demo/webhooks.js";
import { workflowInputs } from "../../src/core/tierb/plan.js";
import {
  aDispatch,
  calls,
  ENVIRONMENT,
  HEAD2,
  PR,
  pushHead,
  pushNewCode,
  seedDispatch,
  sticky,
  trace,
  type Dispatched,
  WORKFLOW,
  type Seed,
} from "./tier-b-fixtures.js";

const hub = useFakeGitHub();

const protection = (runId: number) => `/repos/acme/nmoe/actions/runs/${runId}/deployment_protection_rule`;

/**
 * `/tier-b` dispatched; GitHub queued the run, whose job targets the `b200` environment with our
 * App as its protection rule: the run waits for our review.
 */
function waitingFor(over: Partial<Dispatch> = {}, seed: Seed = {}): Dispatched {
  const seeded = seedDispatch(hub, { state: "waiting", ...over }, seed);
  hub.repo.requestDeploymentReview(seeded.run.id, ENVIRONMENT);
  return seeded;
}

/** The delivery GitHub sends when the run reaches the protected environment. */
function protectionRequested(runId: number) {
  return hooks.deploymentProtectionRuleRequested(hub.fake.state, hub.repo, runId, ENVIRONMENT);
}

function ledgerOf(): Ledger {
  return ledgerIn(sticky(hub)!.body, "pr", PR);
}

function tierBCheck(d: Dispatched): string {
  return `/repos/acme/nmoe/check-runs/${d.checkRunId}`;
}

describe("deployment_protection_rule", () => {
  test("approves a recorded run while the PR head is still the pinned SHA and the requester still has write access", async () => {
    const d = waitingFor();
    await hub.app().receive("deployment_protection_rule", protectionRequested(d.run.id));
    expect(trace(hub)).toEqual([
      "GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml",
      "GET /repos/acme/.github/contents/.github%2Fmerge-captain.yml",
      `GET /repos/acme/nmoe/actions/runs/${d.run.id}`,
      "GET /repos/acme/nmoe/issues/12/comments",
      "GET /repos/acme/nmoe/pulls/12",
      "GET /repos/acme/nmoe/collaborators/maint/permission",
      `POST ${protection(d.run.id)}`,
    ]);
    expect(calls(hub, "POST", protection(d.run.id))[0]!.body).toEqual({
      environment_name: ENVIRONMENT,
      state: "approved",
      comment: "merge-captain: approved for 9f2c4b1, requested by maint",
    });
    expect(hub.repo.protectionReviews.map((r) => r.state)).toEqual(["approved"]);
  });

  test.each<[string, () => Dispatched, string]>([
    [
      "the PR head moved after /tier-b",
      () => {
        const d = waitingFor();
        pushNewCode(hub, HEAD2);
        return d;
      },
      "the PR head moved from 9f2c4b1 to 8e1b3a0 after `/tier-b`",
    ],
    [
      "the requester lost write access",
      () => waitingFor({}, { permissions: { maint: "read" } }),
      "@maint no longer has write access to run Tier-B",
    ],
    [
      "the run is not in the ledger",
      // The ledger holds another dispatch (its run 999); the waiting run carries our dispatch id, which the ledger lacks.
      () => {
        const other = waitingFor({ id: "e0000000-0000-4000-8000-000000000002", runId: 999 });
        const run = hub.repo.addRun({
          workflow: WORKFLOW,
          branch: "main",
          actor: hub.fake.state.bot,
          inputs: workflowInputs(aDispatch({ checkRunId: other.checkRunId })),
        });
        hub.repo.requestDeploymentReview(run.id, ENVIRONMENT);
        return { ...other, run };
      },
      "merge-captain has no record of dispatching this run",
    ],
  ])("rejects when %s", async (_, seed, reason) => {
    const d = seed();
    await hub.app().receive("deployment_protection_rule", protectionRequested(d.run.id));
    const [review] = calls(hub, "POST", protection(d.run.id));
    expect(review!.body).toMatchObject({ environment_name: ENVIRONMENT, state: "rejected" });
    expect(String(review!.body?.["comment"])).toContain(reason);
    expect(calls(hub, "POST", protection(d.run.id))).toHaveLength(1);
    expect(hub.repo.run(d.run.id)).toMatchObject({ status: "completed", conclusion: "failure" });
  });
});

/** A completed dispatch whose results passed on `HEAD`, its run finished. */
function passedOnHead(): Dispatched {
  const d = seedDispatch(hub, {
    state: "completed",
    conclusion: "success",
    runConclusion: "success",
    results: { outcome: "valid", gates: [{ id: "b200:step_1x10", status: "pass", rc: 0 }] },
  });
  hub.repo.completeWorkflowRun(d.run.id, { conclusion: "success" });
  return d;
}

function synchronize(push: { before: string; after: string }) {
  return hooks.pullRequestSynchronize(hub.fake.state, hub.repo, PR, push);
}

function verdictPosted() {
  return calls(hub, "POST", "/repos/acme/nmoe/check-runs").find((c) => c.body?.["name"] === "merge-captain");
}

describe("a push (synchronize) after the dispatch", () => {
  test("the waiting run is cancelled and marked stale in the comment and its check run; the protection rule then rejects it", async () => {
    const d = waitingFor();
    const app = hub.app();
    await app.receive("pull_request", synchronize(pushNewCode(hub, HEAD2)));

    expect(calls(hub, "POST", `/repos/acme/nmoe/actions/runs/${d.run.id}/cancel`)).toHaveLength(1);
    expect(ledgerOf().dispatches[0]).toMatchObject({
      state: "cancelled",
      endReason: "head-moved",
      stale: true,
      staleBy: HEAD2,
    });
    expect(sticky(hub)!.body).toContain("⚠️ **stale**: the PR head is now `8e1b3a0`");
    const tierB = calls(hub, "PATCH", tierBCheck(d)).at(-1)?.body;
    expect(tierB).toMatchObject({ name: "Tier-B: smoke", status: "completed", conclusion: "cancelled" });
    expect(tierB?.["output"]).toMatchObject({
      title: "Cancelled: the PR head moved before it started",
      summary: expect.stringContaining("⚠️ **stale**: the PR head is now `8e1b3a0`"),
    });

    hub.forget();
    await app.receive("deployment_protection_rule", protectionRequested(d.run.id));
    const [review] = calls(hub, "POST", protection(d.run.id));
    expect(review!.body).toMatchObject({ environment_name: ENVIRONMENT, state: "rejected" });
    expect(String(review!.body?.["comment"])).toContain("the PR has a newer head (8e1b3a0) than the approved 9f2c4b1");
  });

  test("finished results on the old head are kept but shown as stale, and no longer make the verdict green", async () => {
    const d = passedOnHead();
    await hub.app().receive("pull_request", synchronize(pushNewCode(hub, HEAD2)));

    expect(calls(hub, "POST", /\/cancel$/)).toEqual([]);
    expect(ledgerOf().dispatches[0]).toMatchObject({
      state: "completed",
      stale: true,
      staleBy: HEAD2,
      results: { outcome: "valid" },
    });
    const body = sticky(hub)!.body;
    expect(body).toContain("| `b200:step_1x10` | ✅ pass | 0 |");
    expect(body).toContain("⚠️ **stale**: the PR head is now `8e1b3a0`; these results do not count for it");
    expect(calls(hub, "PATCH", tierBCheck(d)).at(-1)?.body).toMatchObject({
      status: "completed",
      conclusion: "success",
      output: { title: expect.stringContaining("stale") },
    });
    const verdict = verdictPosted();
    expect(verdict?.body?.["head_sha"]).toBe(HEAD2);
    expect(String((verdict?.body?.["output"] as { summary: string }).summary)).toMatch(
      /\| ❌ \| Tier-B green on this head \|/,
    );
  });

  test("a force-push to a commit with the same tree keeps the results, and says so", async () => {
    passedOnHead();
    const push = pushHead(hub, HEAD2);
    expect(hub.repo.commits.get(HEAD2)!.treeSha).toBe(hub.repo.commits.get(HEAD)!.treeSha);
    await hub.app().receive("pull_request", synchronize(push));
    expect(ledgerOf().dispatches[0]).toMatchObject({ alsoCovers: [HEAD2] });
    expect(ledgerOf().dispatches[0]!.stale).toBeUndefined();
    expect(sticky(hub)!.body).toContain("♻️ still valid for `8e1b3a0`: same tree as `9f2c4b1`");
    expect(String((verdictPosted()?.body?.["output"] as { summary: string }).summary)).toMatch(
      /\| ✅ \| Tier-B green on this head \|/,
    );
  });
});
