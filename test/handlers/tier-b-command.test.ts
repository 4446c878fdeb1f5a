/** `/tier-b <bundle>` on a PR: who may ask, which GitHub calls are made in which order, and what is never dispatched twice. */
import { describe, expect, test } from "@jest/globals";
import { ledgerIn } from "../support/ledger.js";
import type { Ledger } from "../../src/core/ledger/types.js";
import { createRuntime } from "../../src/runtime/runtime.js";
import { sequentialIds } from "../support/probot.js";
import { HEAD } from "../support/payloads.js";
import { useFakeGitHub } from "../support/fake-app.js";
import {
  calls,
  command,
  HEAD2,
  PR,
  pushHead,
  replies,
  seedDispatch,
  seedTierB,
  sticky,
  trace,
  withSticky,
  type Seed,
} from "./tier-b-fixtures.js";

const FIRST_ID = "d0000000-0000-4000-8000-000000000001";
const DISPATCHES = "/repos/acme/nmoe/actions/workflows/tier-b.yml/dispatches";
const PULL = "/repos/{owner}/{repo}/pulls/{pull_number}";

const hub = useFakeGitHub();

function ledgerOf(): Ledger {
  const s = sticky(hub);
  if (!s) throw new Error("no sticky comment");
  return ledgerIn(s.body, "pr", PR);
}

function reactions(): string[] {
  return calls(hub, "POST", /\/issues\/comments\/\d+\/reactions$/).map((c) => String(c.body?.["content"]));
}

/** An earlier `/tier-b smoke` on this head whose run is queued (the ledger ties it to its run). */
function queued() {
  return seedDispatch(hub, {
    id: "e0000000-0000-4000-8000-000000000009",
    state: "queued",
    commentId: 1000,
  });
}

/** The Tier-B check run our app opened (the one named `Tier-B: …`). */
function tierBCheckId(): number {
  const run = [...hub.repo.checkRuns.values()].find((c) => c.name.startsWith("Tier-B: "));
  if (!run) throw new Error("no Tier-B check run");
  return run.id;
}

describe("/tier-b <bundle> by a maintainer", () => {
  test("permission from the API; a queued check run on the pinned SHA, the verdict, and the ledger recorded in one comment write before one dispatch with string inputs on main: 4 writes, no reactions", async () => {
    seedTierB(hub);
    const event = command(hub, "/tier-b smoke");
    await hub.app().receive("issue_comment", event);

    expect(trace(hub)).toEqual([
      "GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml",
      "GET /repos/acme/.github/contents/.github%2Fmerge-captain.yml",
      // who may command the bot, before anything is parsed or said
      "GET /repos/acme/nmoe/collaborators/maint/permission",
      "GET /repos/acme/nmoe/contents/configs%2Fgates%2Fgates.toml",
      // the sticky comment, read once: a redelivered command is recognised by its comment id in the ledger before anything is said
      "GET /repos/acme/nmoe/issues/12/comments",
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
      // what the person waits for first: the Tier-B check run
      "POST /repos/acme/nmoe/check-runs",
      // the verdict (the files and lists read above are reused), then the sticky comment holding
      // the recorded dispatch and its check run's id, written once, before the API call
      `GET /repos/acme/nmoe/commits/${HEAD}/check-runs`,
      "POST /repos/acme/nmoe/check-runs",
      "POST /repos/acme/nmoe/issues/12/comments",
      // the head re-read: still the pinned SHA
      "GET /repos/acme/nmoe/pulls/12",
      "POST /repos/acme/nmoe/actions/workflows/tier-b.yml/dispatches",
    ]);
    expect(calls(hub, "GET", /contents\/configs%2Ftiny\.toml/)[0]!.path).toContain(`ref=${HEAD}`);
    expect(reactions()).toEqual([]);

    // The sticky comment written before the dispatch already holds the recorded dispatch.
    const recordedAt = hub.calls().findIndex((c) => c.method === "POST" && c.path.endsWith(`/issues/${PR}/comments`));
    const dispatchedAt = hub.calls().findIndex((c) => c.path === DISPATCHES);
    expect(recordedAt).toBeLessThan(dispatchedAt);
    const recorded = ledgerIn(String(hub.calls()[recordedAt]!.body?.["body"]), "pr", PR);
    expect(recorded.dispatches).toEqual([
      {
        id: FIRST_ID,
        pr: PR,
        sha: HEAD,
        bundle: "smoke",
        requester: "maint",
        requestedAt: "2026-11-23T12:00:00.000Z",
        state: "recorded",
        commentId: event.comment.id,
        checkRunId: tierBCheckId(),
        updatedAt: "2026-11-23T12:00:00.000Z",
      },
    ]);

    const dispatches = calls(hub, "POST", DISPATCHES);
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

    const [tierB, verdict] = calls(hub, "POST", "/repos/acme/nmoe/check-runs");
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

    // The dispatch's progress waits for the comment's next visible change: the run's events tell it again.
    expect(ledgerOf().dispatches).toEqual([
      expect.objectContaining({ id: FIRST_ID, state: "recorded", checkRunId: tierBCheckId() }),
    ]);
    expect(sticky(hub)!.body).toContain(
      "**`smoke`** on `9f2c4b1` — ⏳ in flight: its `Tier-B: smoke` check follows the run",
    );
    expect(replies(hub)).toEqual([]);
  });

  test("`/tier-b single <gate>` with baseline and budget sends them as strings", async () => {
    seedTierB(hub);
    await hub.app().receive("issue_comment", command(hub, "/tier-b single b200:step_8x10 baseline=v0.3.1 budget=-5"));
    const [dispatch] = calls(hub, "POST", DISPATCHES);
    expect(dispatch!.body?.["inputs"]).toEqual({
      pr_number: "12",
      bundle: "single",
      single_gate: "b200:step_8x10",
      baseline_ref: "v0.3.1",
      perf_budget_pct: "-5",
      head_sha: HEAD,
      dispatch_id: FIRST_ID,
    });
    expect(calls(hub, "POST", "/repos/acme/nmoe/check-runs")[0]!.body).toMatchObject({
      name: "Tier-B: single b200:step_8x10",
      head_sha: HEAD,
      status: "queued",
    });
  });
});

describe("who may not command", () => {
  test("a read-only user (claiming OWNER) is refused once: one reply, no reaction, no dispatch; a second try gets nothing", async () => {
    seedTierB(hub);
    withSticky(hub, { version: 2, dispatches: [] });
    const app = hub.app();
    await app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "reader" }));

    expect(calls(hub, "GET", "/repos/acme/nmoe/collaborators/reader/permission")).toHaveLength(1);
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    expect(calls(hub, "POST", "/repos/acme/nmoe/check-runs")).toEqual([]);
    // The permission is read before anything else: no 👀, no registry, no usage check for a refusal.
    expect(calls(hub, "GET", /gates\.toml/)).toEqual([]);
    expect(reactions()).toEqual([]);
    expect(replies(hub).map((c) => c.body)).toEqual([
      expect.stringContaining("`reader` needs write access to run Tier-B"),
    ]);

    hub.forget();
    await app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "reader" }));
    expect(replies(hub)).toHaveLength(1);
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    expect(reactions()).toEqual([]);
    expect(hub.calls().filter((c) => c.method !== "GET")).toEqual([]);
  });

  test("the refusal is remembered even on a PR that has no sticky comment yet", async () => {
    seedTierB(hub);
    const app = hub.app();
    await app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "reader" }));
    await app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "reader" }));
    expect(replies(hub)).toHaveLength(1);
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
  });

  test("a command from another bot is never run: one explanation per bot and PR, no permission read, no dispatch", async () => {
    seedTierB(hub);
    const app = hub.app();
    // Two commands, two comments: the second gets no second explanation.
    await app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "renovate[bot]" }));
    await app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "renovate[bot]" }));
    expect(calls(hub, "GET", /\/permission$/)).toEqual([]);
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    expect(replies(hub).map((c) => c.body)).toEqual([
      expect.stringContaining(
        "`renovate[bot]` is a bot. merge-captain judges bots' work like anyone's, but never takes commands from a bot.",
      ),
    ]);
  });

  test.each([
    ["our own app", { login: "merge-captain[bot]", viaOurApp: true }],
    ["a human account posting through our app", { login: "maint", viaOurApp: true }],
  ])("a comment by %s is ignored without a single call", async (_, who) => {
    seedTierB(hub);
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke", { ...who }));
    expect(hub.calls()).toEqual([]);
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
    seedTierB(hub);
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke", { action: "edited" }));
    expect(trace(hub)).toEqual(CONFIG_ONLY);
  });

  test.each([
    ["a fenced code block", "To run it, say:\n\n```\n/tier-b smoke\n```\n"],
    ["a tilde fence", "~~~text\n/tier-b smoke\n~~~"],
    ["a quote", "> /tier-b smoke\n\nlike that?"],
    ["an HTML comment", "<!--\n/tier-b smoke\n-->"],
    ["indented code", "example:\n\n    /tier-b smoke"],
  ])("a command inside %s is ignored (only the config is read)", async (_, body) => {
    seedTierB(hub);
    await hub.app().receive("issue_comment", command(hub, body));
    expect(trace(hub)).toEqual(CONFIG_ONLY);
  });
});

describe("one target, one dispatch", () => {
  test("the same PR + SHA + bundle already queued: answered with the run, no second dispatch", async () => {
    const { run } = queued();
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke"));
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    expect(replies(hub).map((c) => c.body)).toEqual([
      `Tier-B \`smoke\` on \`9f2c4b1\` is already queued (run https://github.com/acme/nmoe/actions/runs/${run.id}).`,
    ]);
    expect(reactions()).toEqual([]);
    expect(ledgerOf().dispatches).toHaveLength(1);
  });

  test("a webhook delivered twice (same delivery id) dispatches once", async () => {
    seedTierB(hub);
    const app = hub.app();
    const event = command(hub, "/tier-b smoke");
    await app.receive("issue_comment", event, "delivery-same");
    const after = hub.calls().length;
    await app.receive("issue_comment", event, "delivery-same");
    expect(hub.calls().length).toBe(after);
    expect(calls(hub, "POST", DISPATCHES)).toHaveLength(1);
  });

  test("a redelivery seen by a fresh process (new delivery id, empty memory) finds the comment in the ledger: silent, no second dispatch", async () => {
    seedTierB(hub);
    const event = command(hub, "/tier-b smoke");
    await hub.app().receive("issue_comment", event, "delivery-a");
    const fresh = hub.app(
      createRuntime({ now: () => new Date("2026-11-23T12:05:00Z"), newId: sequentialIds("f0000000-0000-4000-8000-") }),
    );
    await fresh.receive("issue_comment", event, "delivery-b");
    expect(calls(hub, "POST", DISPATCHES)).toHaveLength(1);
    expect(replies(hub)).toEqual([]);
    expect(ledgerOf().dispatches.map((d) => d.id)).toEqual([FIRST_ID]);
  });

  test("two maintainers racing: one dispatch, the other is told it is already queued", async () => {
    seedTierB(hub, { permissions: { maint: "write", other: "maintain" } });
    const app = hub.app();
    await Promise.all([
      app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "maint" })),
      app.receive("issue_comment", command(hub, "/tier-b smoke", { login: "other" })),
    ]);
    expect(calls(hub, "POST", DISPATCHES)).toHaveLength(1);
    expect(replies(hub).map((c) => c.body)).toEqual([
      expect.stringMatching(/^Tier-B `smoke` on `9f2c4b1` is already queued/),
    ]);
    expect(ledgerOf().dispatches).toHaveLength(1);
  });
});

describe("the head is pinned", () => {
  test("a push between the command and the dispatch: nothing dispatched, explained, the Tier-B check cancelled, the dispatch ended in the ledger", async () => {
    // The first read of the PR sees HEAD; a push lands right after it, so the re-read just before the dispatch sees HEAD2.
    seedTierB(hub);
    hub.fake.afterAnswering("GET", PULL, () => pushHead(hub, HEAD2));
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke"));
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    expect(calls(hub, "PATCH", `/repos/acme/nmoe/check-runs/${tierBCheckId()}`).map((c) => c.body)).toEqual([
      expect.objectContaining({
        status: "completed",
        conclusion: "cancelled",
        output: expect.objectContaining({ title: "Cancelled: the PR head moved before it started" }),
      }),
    ]);
    expect(replies(hub).map((c) => c.body)).toEqual([
      "😕 Tier-B was not started: the PR head moved from 9f2c4b1 to 8e1b3a0 before the run was dispatched; nothing was run — ask again to test the new head.",
    ]);
    expect(reactions()).toEqual([]);
    expect(ledgerOf().dispatches).toEqual([
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
  test.each<[string, Seed, string]>([
    [
      "a draft PR",
      { draft: true },
      "😕 Tier-B was not started: the PR is a draft; mark it ready for review, then ask again.",
    ],
    [
      "a missing requires_files path at the head",
      { withoutRequiredFile: true },
      "😕 Tier-B was not started: files the gates require are missing at 9f2c4b1: configs/tiny.toml.",
    ],
    [
      "a changed file outside the contract's scope",
      { files: [{ filename: "nmoe/csrc/kernel.cu", status: "modified" }] },
      "😕 Tier-B was not started: the PR's changed files are not verified to be within the contract's scope (see the merge-captain check).",
    ],
  ])("%s: explained, nothing recorded or dispatched", async (_, over, text) => {
    seedTierB(hub, over);
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke"));
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    expect(replies(hub).map((c) => c.body)).toEqual([text]);
    expect(sticky(hub)).toBeUndefined();
    expect(reactions()).toEqual([]);
  });

  test("an unknown bundle gets a usage reply listing the registry's bundles, without echoing the line", async () => {
    seedTierB(hub);
    await hub.app().receive("issue_comment", command(hub, "/tier-b <img src=x onerror=alert(1)>"));
    // Usage errors are answered only once the commenter may command the bot.
    expect(calls(hub, "GET", /\/permission$/)).toHaveLength(1);
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
    const [usage] = replies(hub);
    expect(usage!.body).toContain("`smoke`");
    expect(usage!.body).not.toContain("onerror");
    expect(reactions()).toEqual([]);
  });
});

describe("the dispatch API", () => {
  test("a 200 with run details costs no further write: the run's first event ties and links it", async () => {
    // GitHub.com answers `return_run_details: true` with the run's id and URLs.
    seedTierB(hub, { returnsRunDetails: true });
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke"));
    expect(calls(hub, "POST", DISPATCHES)[0]!.status).toBe(200);
    expect(ledgerOf().dispatches[0]).toMatchObject({ state: "recorded", checkRunId: tierBCheckId() });
    expect(ledgerOf().dispatches[0]).not.toHaveProperty("runId");
    expect(calls(hub, "PATCH", /check-runs/)).toEqual([]);
    expect(
      hub
        .calls()
        .filter((c) => c.method !== "GET")
        .map((c) => `${c.method} ${c.path}`),
    ).toEqual([
      "POST /repos/acme/nmoe/check-runs",
      "POST /repos/acme/nmoe/check-runs",
      "POST /repos/acme/nmoe/issues/12/comments",
      "POST /repos/acme/nmoe/actions/workflows/tier-b.yml/dispatches",
    ]);
  });

  test("a refused dispatch (422) ends the recorded dispatch as failed and says so; its check run says not dispatched", async () => {
    // A tier-b.yml on main that does not declare `dispatch_id` (an older workflow): GitHub refuses the inputs.
    seedTierB(hub, {
      workflowInputs: {
        pr_number: {},
        bundle: {},
        single_gate: {},
        baseline_ref: {},
        perf_budget_pct: {},
        head_sha: {},
      },
    });
    await hub.app().receive("issue_comment", command(hub, "/tier-b smoke"));
    expect(calls(hub, "POST", DISPATCHES).map((c) => c.status)).toEqual([422]);
    expect(calls(hub, "PATCH", `/repos/acme/nmoe/check-runs/${tierBCheckId()}`).map((c) => c.body)).toEqual([
      expect.objectContaining({
        status: "completed",
        conclusion: "failure",
        output: expect.objectContaining({ title: "Not dispatched" }),
      }),
    ]);
    expect(ledgerOf().dispatches[0]).toMatchObject({ state: "failed", endReason: "dispatch-failed" });
    expect(replies(hub).map((c) => c.body)).toEqual([
      expect.stringContaining("GitHub refused to start the Tier-B workflow `tier-b.yml` (HTTP 422)"),
    ]);
    expect(reactions()).toEqual([]);
  });
});

describe("/tier-b cancel", () => {
  test("a queued run is cancelled through the API, its check run concluded; the reply is the answer (no reaction)", async () => {
    const { run } = queued();
    await hub.app().receive("issue_comment", command(hub, "/tier-b cancel"));
    expect(calls(hub, "POST", `/repos/acme/nmoe/actions/runs/${run.id}/cancel`)).toHaveLength(1);
    expect(hub.repo.run(run.id)).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect(calls(hub, "PATCH", `/repos/acme/nmoe/check-runs/${tierBCheckId()}`)[0]!.body).toMatchObject({
      status: "completed",
      conclusion: "cancelled",
    });
    expect(ledgerOf().dispatches[0]).toMatchObject({ state: "cancelled", endReason: "cancel-requested" });
    expect(replies(hub).map((c) => c.body)).toEqual(["Cancelled 1 queued Tier-B run."]);
    expect(reactions()).toEqual([]);
    expect(calls(hub, "POST", DISPATCHES)).toEqual([]);
  });
});
