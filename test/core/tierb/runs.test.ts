import { describe, expect, test } from "@jest/globals";
import { applyRunEvent, matchRun, parseRunName, RUN_NAME_TEMPLATE, type RunRef } from "../../../src/core/tierb/runs.js";
import { markStale } from "../../../src/core/tierb/stale.js";
import { decideProtectionRule, type ProtectionInput } from "../../../src/core/tierb/protection.js";
import { aDispatch, aLedger, T0 } from "../../fixtures/tierb/builders.js";
import { HEAD, HEAD2, HEAD3 } from "../../fixtures/tierb/registry.js";

const title = (id: string, sha = HEAD): string => `Tier-B #7 hot_path_min  @${sha} [${id}]`;
const run = (over: Partial<RunRef> = {}): RunRef => ({
  id: 500,
  display_title: title("mc-0000000001"),
  status: "queued",
  conclusion: null,
  html_url: "https://github.com/o/r/actions/runs/500",
  ...over,
});

describe("run names", () => {
  test("the template's rendering parses back, with and without a single gate", () => {
    const render = (inputs: Record<string, string>): string =>
      RUN_NAME_TEMPLATE.replace(/\$\{\{ inputs\.(\w+) \}\}/g, (_, k: string) => inputs[k] ?? "");
    expect(
      parseRunName(
        render({
          pr_number: "7",
          bundle: "hot_path_min",
          single_gate: "",
          head_sha: HEAD,
          dispatch_id: "mc-0000000001",
        }),
      ),
    ).toEqual({ pr: 7, bundle: "hot_path_min", sha: HEAD, dispatchId: "mc-0000000001" });
    expect(
      parseRunName(
        render({
          pr_number: "7",
          bundle: "single",
          single_gate: "b200:big_8x20",
          head_sha: HEAD,
          dispatch_id: "mc-0000000001",
        }),
      ),
    ).toEqual({ pr: 7, bundle: "single", singleGate: "b200:big_8x20", sha: HEAD, dispatchId: "mc-0000000001" });
  });

  test.each([
    "Tier-B",
    "Tier-B #7 x @abc [mc-0000000001]",
    `Tier-B #0 x  @${HEAD} [mc-0000000001]`,
    `Tier-B #7 <b>  @${HEAD} [mc-0000000001]`,
  ])("rejects %s", (t) => {
    expect(parseRunName(t)).toBeUndefined();
  });
});

describe("matchRun", () => {
  const ledger = aLedger(aDispatch(), aDispatch({ id: "mc-0000000002", runId: 42 }));
  test.each([
    ["by run id", run({ id: 42, display_title: "anything" }), "mc-0000000002"],
    ["by dispatch id in the title", run(), "mc-0000000001"],
    ["by dispatch id in the name", run({ display_title: null, name: "x mc-0000000001 y" }), "mc-0000000001"],
  ])("%s", (_name, r, id) => {
    expect(matchRun(ledger, r)?.id).toBe(id);
  });

  test.each([
    ["an unrelated run", run({ display_title: "CI" })],
    ["a longer id containing ours", run({ display_title: "[mc-0000000001-x]" })],
    [
      "a second run naming a dispatch already tied to another run",
      run({ id: 43, display_title: title("mc-0000000002") }),
    ],
  ])("no match: %s", (_name, r) => {
    expect(matchRun(ledger, r)).toBeUndefined();
  });
});

describe("applyRunEvent", () => {
  const ledger = aLedger(aDispatch());
  test("walks the run lifecycle and ignores late, repeated and backwards events", () => {
    let l = applyRunEvent(ledger, "mc-0000000001", { kind: "dispatched" }, T0).ledger;
    expect(l.dispatches[0]!.state).toBe("dispatched");
    l = applyRunEvent(l, "mc-0000000001", { kind: "run", run: run({ status: "waiting" }) }, T0).ledger;
    expect(l.dispatches[0]).toMatchObject({
      state: "waiting",
      runId: 500,
      runUrl: "https://github.com/o/r/actions/runs/500",
    });
    l = applyRunEvent(
      l,
      "mc-0000000001",
      { kind: "run", run: run({ status: "completed", conclusion: "success" }) },
      T0,
    ).ledger;
    l = applyRunEvent(l, "mc-0000000001", { kind: "run", run: run({ status: "in_progress" }) }, T0).ledger;
    expect(l.dispatches[0]).toMatchObject({ state: "completed", runConclusion: "success" });
  });

  test("a run cancelled on GitHub ends the dispatch", () => {
    const l = applyRunEvent(
      ledger,
      "mc-0000000001",
      { kind: "run", run: run({ status: "completed", conclusion: "cancelled" }) },
      T0,
    ).ledger;
    expect(l.dispatches[0]).toMatchObject({ state: "cancelled", endReason: "run-cancelled" });
  });

  test("a run for a dispatch we already cancelled is to be cancelled", () => {
    const cancelled = aLedger(aDispatch({ state: "cancelled", endReason: "cancel-requested" }));
    expect(applyRunEvent(cancelled, "mc-0000000001", { kind: "run", run: run() }, T0).cancelRun).toBe(true);
  });

  test("an event from another run for the same dispatch changes nothing", () => {
    const tied = aLedger(aDispatch({ state: "queued", runId: 1 }));
    expect(
      applyRunEvent(
        tied,
        "mc-0000000001",
        { kind: "run", run: run({ id: 2, status: "completed", conclusion: "success" }) },
        T0,
      ).ledger,
    ).toEqual(tied);
  });

  test("an unsafe html_url is not stored", () => {
    const l = applyRunEvent(
      ledger,
      "mc-0000000001",
      { kind: "run", run: run({ html_url: "javascript:alert(1)//actions/runs/1" }) },
      T0,
    ).ledger;
    expect(l.dispatches[0]!.runUrl).toBeUndefined();
  });

  test("results complete the dispatch; a failed dispatch call ends it", () => {
    const l = applyRunEvent(
      ledger,
      "mc-0000000001",
      { kind: "results", results: { outcome: "missing" }, conclusion: "failure" },
      T0,
    ).ledger;
    expect(l.dispatches[0]).toMatchObject({
      state: "completed",
      conclusion: "failure",
      results: { outcome: "missing" },
    });
    expect(applyRunEvent(ledger, "mc-0000000001", { kind: "dispatch-failed" }, T0).ledger.dispatches[0]).toMatchObject({
      state: "failed",
      endReason: "dispatch-failed",
    });
  });

  test("an unknown dispatch id changes nothing", () => {
    expect(applyRunEvent(ledger, "mc-unknown-01", { kind: "dispatched" }, T0)).toEqual({
      ledger,
      dispatch: undefined,
      cancelRun: false,
    });
  });
});

describe("markStale", () => {
  const ledger = aLedger(
    aDispatch({
      id: "mc-done-00001",
      state: "completed",
      conclusion: "success",
      results: { outcome: "valid", gates: [{ id: "b200:big_8x20", status: "pass" }] },
    }),
    aDispatch({ id: "mc-queued-001", state: "queued", runId: 11, bundle: "full" }),
    aDispatch({ id: "mc-recorded-1", state: "recorded", bundle: "single", singleGate: "b200:big_8x20" }),
    aDispatch({ id: "mc-running-01", state: "in_progress", runId: 12, bundle: "x1" }),
    aDispatch({ id: "mc-old-000001", sha: HEAD3, state: "completed", stale: true, staleBy: HEAD }),
  );

  test("a push makes results for older SHAs stale (kept) and cancels runs not yet started", () => {
    const s = markStale(ledger, HEAD2, { sameTree: false }, T0);
    expect(s.ledger.dispatches.map((d) => [d.id, d.state, d.stale, d.staleBy])).toEqual([
      ["mc-done-00001", "completed", true, HEAD2],
      ["mc-queued-001", "cancelled", true, HEAD2],
      ["mc-recorded-1", "cancelled", true, HEAD2],
      ["mc-running-01", "in_progress", true, HEAD2],
      ["mc-old-000001", "completed", true, HEAD],
    ]);
    expect(s.ledger.dispatches[0]!.results).toEqual(ledger.dispatches[0]!.results);
    expect(s.cancel.map((d) => d.id)).toEqual(["mc-queued-001"]);
  });

  test("a force-push to the same tree keeps finished and running results, still cancels unstarted runs", () => {
    const s = markStale(ledger, HEAD2, { sameTree: true }, T0);
    expect(s.keptSameTree.map((d) => d.id)).toEqual(["mc-done-00001", "mc-running-01"]);
    expect(s.ledger.dispatches[0]).toMatchObject({ alsoCovers: [HEAD2] });
    expect(s.ledger.dispatches[0]!.stale).toBeUndefined();
    expect(s.cancel.map((d) => d.id)).toEqual(["mc-queued-001"]);
  });

  test("marking again for the same head changes nothing", () => {
    const once = markStale(ledger, HEAD2, { sameTree: false }, T0).ledger;
    expect(markStale(once, HEAD2, { sameTree: false }, T0)).toEqual({ ledger: once, cancel: [], keptSameTree: [] });
  });
});

describe("decideProtectionRule", () => {
  const base = (over: Partial<ProtectionInput> = {}): ProtectionInput => ({
    ledger: aLedger(aDispatch({ state: "waiting", runId: 500 })),
    run: { id: 500 },
    pr: { state: "open", headSha: HEAD },
    requesterHasPermission: true,
    ...over,
  });

  test("approves a known run whose PR head is still the pinned SHA", () => {
    expect(decideProtectionRule(base())).toEqual({ approve: true, dispatchId: "mc-0000000001" });
  });

  test("approves by run name before the run id reached the ledger", () => {
    expect(
      decideProtectionRule(base({ ledger: aLedger(aDispatch({ state: "dispatched" })), run: run() })).approve,
    ).toBe(true);
  });

  test.each([
    ["an unknown run", { run: { id: 999, display_title: "Tier-B #7 x" } }, "unknown-run"],
    ["a push after dispatch", { pr: { state: "open" as const, headSha: HEAD2 } }, "head-moved"],
    [
      "a stale dispatch",
      { ledger: aLedger(aDispatch({ state: "waiting", runId: 500, stale: true, staleBy: HEAD2 })) },
      "stale",
    ],
    ["a closed PR", { pr: { state: "closed" as const, headSha: HEAD } }, "pr-closed"],
    ["a requester who lost access", { requesterHasPermission: false }, "no-permission"],
    ["a cancelled dispatch", { ledger: aLedger(aDispatch({ state: "cancelled", runId: 500 })) }, "not-pending"],
    [
      "a recovered dispatch",
      { ledger: aLedger(aDispatch({ state: "waiting", runId: 500, recovered: true })) },
      "recovered",
    ],
  ])("rejects %s, with the reason", (_name, over, code) => {
    const d = decideProtectionRule(base(over));
    expect(d).toMatchObject({ approve: false, code, reason: expect.any(String) });
  });

  test.each([
    ["its queue branch still points at the pinned commit", HEAD, true],
    ["the group was rebuilt (its branch points elsewhere)", HEAD2, false],
    ["the group is gone (merged or dequeued)", undefined, false],
  ])("a run on a merge group: approved only while %s", (_name, branchSha, approve) => {
    const group = aDispatch({
      state: "waiting",
      runId: 500,
      mergeGroup: { ref: `gh-readonly-queue/main/pr-7-${HEAD2}` },
    });
    // The PR's own head is another commit: for a group run it does not matter.
    const d = decideProtectionRule(
      base({ ledger: aLedger(group), pr: { state: "open", headSha: HEAD2 }, groupBranchSha: branchSha }),
    );
    expect(d).toMatchObject(approve ? { approve: true } : { approve: false, code: "group-moved" });
  });

  test("the head-moved reason names both commits", () => {
    const d = decideProtectionRule(base({ pr: { state: "open", headSha: HEAD2 } }));
    expect(d.approve === false && d.reason).toContain("from aaaaaaa to bbbbbbb");
  });
});
