/** `/tier-b <bundle>` on a PR: who may ask, which GitHub calls are made in which order, and what is never dispatched twice. */
import { describe, expect, test } from "@jest/globals";
import { ledgerIn } from "../support/ledger.js";
import type { Dispatch, Ledger } from "../../src/core/ledger/types.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { sequentialIds, testApp, useStrictNock } from "../support/probot.js";
import { HEAD } from "../support/payloads.js";
import {
  calls,
  commentEvent,
  HEAD2,
  newWorld,
  PR,
  replies,
  serve,
  sticky,
  STICKY_ID,
  trace,
  withSticky,
  type World,
} from "./tier-b-world.js";

const FIRST_ID = "d0000000-0000-4000-8000-000000000001";
const DISPATCHES = "/repos/acme/nmoe/actions/workflows/tier-b.yml/dispatches";

useStrictNock();

function ledgerOf(world: World): Ledger {
  const s = sticky(world);
  if (!s) throw new Error("no sticky comment");
  return ledgerIn(s.body, "pr", PR);
}

function reactions(world: World): string[] {
  return calls(world, "POST", /\/issues\/comments\/\d+\/reactions$/).map((c) => String(c.body?.["content"]));
}

function queued(over: Partial<Dispatch> = {}): Dispatch {
  return {
    id: "e0000000-0000-4000-8000-000000000009",
    pr: PR,
    sha: HEAD,
    bundle: "smoke",
    requester: "maint",
    requestedAt: "2026-11-23T11:00:00.000Z",
    state: "queued",
    commentId: 1000,
    runId: 31337,
    runUrl: "https://github.com/acme/nmoe/actions/runs/31337",
    ...over,
  };
}

describe("/tier-b <bundle> by a maintainer", () => {
  test("permission from the API, 👀, ledger recorded, one dispatch with string inputs on main, a queued check run on the pinned SHA, 🚀", async () => {
    const world = newWorld();
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke" }));

    expect(trace(world)).toEqual([
      "GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml",
      "GET /repos/acme/.github/contents/.github%2Fmerge-captain.yml",
      // who may command the bot, before anything is parsed or said
      "GET /repos/acme/nmoe/collaborators/maint/permission",
      "GET /repos/acme/nmoe/contents/configs%2Fgates%2Fgates.toml",
      // the sticky comment, read once: a redelivered command is recognised by its comment id in the ledger before anything is said
      "GET /repos/acme/nmoe/issues/12/comments",
      "POST /repos/acme/nmoe/issues/comments/1234/reactions",
      "GET /repos/acme/nmoe/pulls/12",
      // no sticky comment yet, so no ledger: runs this PR may already have are rebuilt from the workflow's runs
      "GET /repos/acme/nmoe/actions/workflows/tier-b.yml/runs",
      "GET /repos/acme/nmoe/pulls/12/files",
      "GET /repos/acme/nmoe/issues",
      "GET /repos/acme/nmoe/pulls",
      // whether the contract counts: issue #7's record (a maintainer accepted it); remembered in the PR's ledger from here on
      "GET /repos/acme/nmoe/issues/7/comments",
      // `requires_files` of b200:step_1x10, at the pinned head
      "GET /repos/acme/nmoe/contents/configs%2Ftiny.toml",
      // the ledger, recorded before the API call
      "POST /repos/acme/nmoe/issues/12/comments",
      // the head re-read: still the pinned SHA
      "GET /repos/acme/nmoe/pulls/12",
      "POST /repos/acme/nmoe/actions/workflows/tier-b.yml/dispatches",
      "POST /repos/acme/nmoe/check-runs",
      // the verdict and the sticky comment (the files and lists read above are reused)
      `GET /repos/acme/nmoe/commits/${HEAD}/check-runs`,
      "POST /repos/acme/nmoe/check-runs",
      `PATCH /repos/acme/nmoe/issues/comments/${STICKY_ID}`,
      "POST /repos/acme/nmoe/issues/comments/1234/reactions",
    ]);
    expect(calls(world, "GET", /contents\/configs%2Ftiny\.toml/)[0]!.path).toContain(`ref=${HEAD}`);
    expect(reactions(world)).toEqual(["eyes", "rocket"]);

    // The sticky comment written before the dispatch already holds the recorded dispatch.
    const recordedAt = world.log.findIndex((c) => c.method === "POST" && c.path.endsWith(`/issues/${PR}/comments`));
    const dispatchedAt = world.log.findIndex((c) => c.path === DISPATCHES);
    expect(recordedAt).toBeLessThan(dispatchedAt);
    const recorded = ledgerIn(String(world.log[recordedAt]!.body?.["body"]), "pr", PR);
    expect(recorded.dispatches).toEqual([
      {
        id: FIRST_ID,
        pr: PR,
        sha: HEAD,
        bundle: "smoke",
        requester: "maint",
        requestedAt: "2026-11-23T12:00:00.000Z",
        state: "recorded",
        commentId: 1234,
      },
    ]);

    const dispatches = calls(world, "POST", DISPATCHES);
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]!.body).toEqual({
      ref: "main",
      inputs: {
        pr_number: "12",
        bundle: "smoke",
        single_gate: "",
        baseline_ref: "",
        perf_budget_pct: "",
        head_sha: HEAD,
        dispatch_id: FIRST_ID,
      },
      return_run_details: true,
    });

    const [tierB, verdict] = calls(world, "POST", "/repos/acme/nmoe/check-runs");
    expect(tierB!.body).toMatchObject({
      name: "Tier-B: smoke",
      head_sha: HEAD,
      status: "queued",
      external_id: FIRST_ID,
      output: { title: "Waiting for maintainer approval" },
    });
    expect(tierB!.body).not.toHaveProperty("conclusion");
    expect(verdict!.body).toMatchObject({ name: "merge-captain", head_sha: HEAD });
    expect(String((verdict!.body?.["output"] as { summary: string }).summary)).toMatch(
      /⏳ \| Tier-B green on this head \|/,
    );

    expect(ledgerOf(world).dispatches).toEqual([
      expect.objectContaining({ id: FIRST_ID, state: "dispatched", checkRunId: 5000 }),
    ]);
    expect(sticky(world)!.body).toContain("**`smoke`** on `9f2c4b1` — 🚀 dispatched");
    expect(replies(world)).toEqual([]);
  });

  test("`/tier-b single <gate>` with baseline and budget sends them as strings", async () => {
    const world = newWorld();
    serve(world);
    await testApp().receive(
      "issue_comment",
      commentEvent({ body: "/tier-b single b200:step_8x10 baseline=v0.3.1 budget=-5" }),
    );
    const [dispatch] = calls(world, "POST", DISPATCHES);
    expect(dispatch!.body?.["inputs"]).toEqual({
      pr_number: "12",
      bundle: "single",
      single_gate: "b200:step_8x10",
      baseline_ref: "v0.3.1",
      perf_budget_pct: "-5",
      head_sha: HEAD,
      dispatch_id: FIRST_ID,
    });
    expect(calls(world, "POST", "/repos/acme/nmoe/check-runs")[0]!.body).toMatchObject({
      name: "Tier-B: single b200:step_8x10",
      head_sha: HEAD,
      status: "queued",
    });
  });
});

describe("who may not command", () => {
  test("a read-only user (claiming OWNER) is refused once: one reply and 😕, no dispatch; a second try gets nothing", async () => {
    const world = newWorld();
    withSticky(world, { version: 2, dispatches: [] });
    serve(world);
    const app = testApp();
    await app.receive("issue_comment", commentEvent({ body: "/tier-b smoke", login: "reader", id: 2001 }));

    expect(calls(world, "GET", "/repos/acme/nmoe/collaborators/reader/permission")).toHaveLength(1);
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    expect(calls(world, "POST", "/repos/acme/nmoe/check-runs")).toEqual([]);
    // The permission is read before anything else: no 👀, no registry, no usage check for a refusal.
    expect(calls(world, "GET", /gates\.toml/)).toEqual([]);
    expect(reactions(world)).toEqual(["confused"]);
    expect(replies(world).map((c) => c.body)).toEqual([
      expect.stringContaining("`reader` needs write access to run Tier-B"),
    ]);

    world.log.length = 0;
    await app.receive("issue_comment", commentEvent({ body: "/tier-b smoke", login: "reader", id: 2002 }));
    expect(replies(world)).toHaveLength(1);
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    expect(reactions(world)).toEqual([]);
    expect(world.log.filter((c) => c.method !== "GET")).toEqual([]);
  });

  test("the refusal is remembered even on a PR that has no sticky comment yet", async () => {
    const world = newWorld();
    serve(world);
    const app = testApp();
    await app.receive("issue_comment", commentEvent({ body: "/tier-b smoke", login: "reader", id: 2001 }));
    await app.receive("issue_comment", commentEvent({ body: "/tier-b smoke", login: "reader", id: 2002 }));
    expect(replies(world)).toHaveLength(1);
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
  });

  test("a command from another bot is never run: one explanation per bot and PR, no permission read, no dispatch", async () => {
    const world = newWorld();
    serve(world);
    const app = testApp();
    for (const id of [3001, 3002])
      await app.receive(
        "issue_comment",
        commentEvent({ body: "/tier-b smoke", login: "renovate[bot]", type: "Bot", id }),
      );
    expect(calls(world, "GET", /\/permission$/)).toEqual([]);
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    expect(replies(world).map((c) => c.body)).toEqual([
      expect.stringContaining(
        "`renovate[bot]` is a bot. merge-captain judges bots' work like anyone's, but never takes commands from a bot.",
      ),
    ]);
  });

  test.each([
    ["our own app", { login: "merge-captain[bot]", type: "Bot" as const, app: true }],
    ["a human account posting through our app", { login: "maint", app: true }],
  ])("a comment by %s is ignored without a single call", async (_, who) => {
    const world = newWorld();
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke", ...who }));
    expect(world.log).toEqual([]);
  });
});

describe("what is not a command", () => {
  // A human's comment costs the config read (its internal domains are part of the public-safety
  // scan), and nothing else when it holds no command and nothing to redact.
  const CONFIG_ONLY = [
    "GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml",
    "GET /repos/acme/.github/contents/.github%2Fmerge-captain.yml",
  ];

  test("an edited comment is ignored for commands (only the config is read)", async () => {
    const world = newWorld();
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke", action: "edited" }));
    expect(trace(world)).toEqual(CONFIG_ONLY);
  });

  test.each([
    ["a fenced code block", "To run it, say:\n\n```\n/tier-b smoke\n```\n"],
    ["a tilde fence", "~~~text\n/tier-b smoke\n~~~"],
    ["a quote", "> /tier-b smoke\n\nlike that?"],
    ["an HTML comment", "<!--\n/tier-b smoke\n-->"],
    ["indented code", "example:\n\n    /tier-b smoke"],
  ])("a command inside %s is ignored (only the config is read)", async (_, body) => {
    const world = newWorld();
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body }));
    expect(trace(world)).toEqual(CONFIG_ONLY);
  });
});

describe("one target, one dispatch", () => {
  test("the same PR + SHA + bundle already queued: answered with the run, 😕, no second dispatch", async () => {
    const world = newWorld();
    withSticky(world, { version: 2, dispatches: [queued()] });
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke", id: 1001 }));
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    expect(replies(world).map((c) => c.body)).toEqual([
      "Tier-B `smoke` on `9f2c4b1` is already queued (run https://github.com/acme/nmoe/actions/runs/31337).",
    ]);
    expect(reactions(world)).toEqual(["eyes", "confused"]);
    expect(ledgerOf(world).dispatches).toHaveLength(1);
  });

  test("a webhook delivered twice (same delivery id) dispatches once", async () => {
    const world = newWorld();
    serve(world);
    const app = testApp();
    const event = commentEvent({ body: "/tier-b smoke" });
    await app.receive("issue_comment", event, "delivery-same");
    const after = world.log.length;
    await app.receive("issue_comment", event, "delivery-same");
    expect(world.log.length).toBe(after);
    expect(calls(world, "POST", DISPATCHES)).toHaveLength(1);
  });

  test("a redelivery seen by a fresh process (new delivery id, empty memory) finds the comment in the ledger: silent, no second dispatch", async () => {
    const world = newWorld();
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke" }), "delivery-a");
    const fresh = testApp(
      createRuntime({ now: () => new Date("2026-11-23T12:05:00Z"), newId: sequentialIds("f0000000-0000-4000-8000-") }),
    );
    await fresh.receive("issue_comment", commentEvent({ body: "/tier-b smoke" }), "delivery-b");
    expect(calls(world, "POST", DISPATCHES)).toHaveLength(1);
    expect(replies(world)).toEqual([]);
    expect(ledgerOf(world).dispatches.map((d) => d.id)).toEqual([FIRST_ID]);
  });

  test("two maintainers racing: one dispatch, the other is told it is already queued", async () => {
    const world = newWorld({ permissions: { maint: "write", other: "maintain" } });
    serve(world);
    const app = testApp();
    await Promise.all([
      app.receive("issue_comment", commentEvent({ body: "/tier-b smoke", login: "maint", id: 3001 })),
      app.receive("issue_comment", commentEvent({ body: "/tier-b smoke", login: "other", id: 3002 })),
    ]);
    expect(calls(world, "POST", DISPATCHES)).toHaveLength(1);
    expect(replies(world).map((c) => c.body)).toEqual([
      expect.stringMatching(/^Tier-B `smoke` on `9f2c4b1` is already queued/),
    ]);
    expect(ledgerOf(world).dispatches).toHaveLength(1);
  });
});

describe("the head is pinned", () => {
  test("a push between the command and the dispatch: nothing dispatched, explained, 😕, the dispatch ended in the ledger", async () => {
    // The first read of the PR sees HEAD; the re-read just before the dispatch sees HEAD2.
    const world = newWorld({ heads: [HEAD, HEAD2] });
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke" }));
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    expect(calls(world, "POST", "/repos/acme/nmoe/check-runs")).toEqual([]);
    expect(replies(world).map((c) => c.body)).toEqual([
      "😕 Tier-B was not started: the PR head moved from 9f2c4b1 to 8e1b3a0 before the run was dispatched; nothing was run — ask again to test the new head.",
    ]);
    expect(reactions(world)).toEqual(["eyes", "confused"]);
    expect(ledgerOf(world).dispatches).toEqual([
      expect.objectContaining({
        id: FIRST_ID,
        sha: HEAD,
        state: "cancelled",
        endReason: "head-moved",
        stale: true,
        staleBy: HEAD2,
      }),
    ]);
  });
});

describe("refusals before anything is recorded", () => {
  test.each([
    [
      "a draft PR",
      { draft: true },
      "😕 Tier-B was not started: the PR is a draft; mark it ready for review, then ask again.",
    ],
    [
      "a missing requires_files path at the head",
      { missingFiles: ["configs/tiny.toml"] },
      "😕 Tier-B was not started: files the gates require are missing at 9f2c4b1: configs/tiny.toml.",
    ],
    [
      "a changed file outside the contract's scope",
      { files: [{ filename: "nmoe/csrc/kernel.cu", status: "modified" }] },
      "😕 Tier-B was not started: the PR's changed files are not verified to be within the contract's scope (see the merge-captain check).",
    ],
  ])("%s: explained, 😕, nothing recorded or dispatched", async (_, over, text) => {
    const world = newWorld(over);
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke" }));
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    expect(replies(world).map((c) => c.body)).toEqual([text]);
    expect(sticky(world)).toBeUndefined();
    expect(reactions(world)).toEqual(["eyes", "confused"]);
  });

  test("an unknown bundle gets a usage reply listing the registry's bundles, without echoing the line", async () => {
    const world = newWorld();
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b <img src=x onerror=alert(1)>" }));
    // Usage errors are answered only once the commenter may command the bot.
    expect(calls(world, "GET", /\/permission$/)).toHaveLength(1);
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
    const [usage] = replies(world);
    expect(usage!.body).toContain("`smoke`");
    expect(usage!.body).not.toContain("onerror");
    expect(reactions(world)).toEqual(["eyes", "confused"]);
  });
});

describe("the dispatch API", () => {
  test("a 200 with run details ties the run at once and links it from the check run", async () => {
    const world = newWorld({
      dispatchReply: [
        200,
        {
          workflow_run_id: 31337,
          run_url: "https://api.github.com/repos/acme/nmoe/actions/runs/31337",
          html_url: "https://github.com/acme/nmoe/actions/runs/31337",
        },
      ],
    });
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke" }));
    expect(ledgerOf(world).dispatches[0]).toMatchObject({
      state: "dispatched",
      runId: 31337,
      runUrl: "https://github.com/acme/nmoe/actions/runs/31337",
    });
    expect(calls(world, "POST", "/repos/acme/nmoe/check-runs")[0]!.body).toMatchObject({
      name: "Tier-B: smoke",
      details_url: "https://github.com/acme/nmoe/actions/runs/31337",
    });
  });

  test("a refused dispatch (422) ends the recorded dispatch as failed and says so; no check run", async () => {
    const world = newWorld({ dispatchReply: [422, { message: "Unexpected inputs provided" }] });
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b smoke" }));
    expect(calls(world, "POST", DISPATCHES)).toHaveLength(1);
    expect(calls(world, "POST", "/repos/acme/nmoe/check-runs")).toEqual([]);
    expect(ledgerOf(world).dispatches[0]).toMatchObject({ state: "failed", endReason: "dispatch-failed" });
    expect(replies(world).map((c) => c.body)).toEqual([
      expect.stringContaining("GitHub refused to start the Tier-B workflow `tier-b.yml` (HTTP 422)"),
    ]);
    expect(reactions(world)).toEqual(["eyes", "confused"]);
  });
});

describe("/tier-b cancel", () => {
  test("a queued run is cancelled through the API, its check run concluded, 👍", async () => {
    const world = newWorld();
    withSticky(world, { version: 2, dispatches: [queued({ checkRunId: 5000 })] });
    world.checkRuns.push({
      id: 5000,
      name: "Tier-B: smoke",
      head_sha: HEAD,
      status: "queued",
      conclusion: null,
      output: { title: "", summary: "", text: "" },
    });
    serve(world);
    await testApp().receive("issue_comment", commentEvent({ body: "/tier-b cancel", id: 4001 }));
    expect(calls(world, "POST", "/repos/acme/nmoe/actions/runs/31337/cancel")).toHaveLength(1);
    expect(calls(world, "PATCH", "/repos/acme/nmoe/check-runs/5000")[0]!.body).toMatchObject({
      status: "completed",
      conclusion: "cancelled",
    });
    expect(ledgerOf(world).dispatches[0]).toMatchObject({ state: "cancelled", endReason: "cancel-requested" });
    expect(replies(world).map((c) => c.body)).toEqual(["Cancelled 1 queued Tier-B run."]);
    expect(reactions(world)).toEqual(["eyes", "+1"]);
    expect(calls(world, "POST", DISPATCHES)).toEqual([]);
  });
});
