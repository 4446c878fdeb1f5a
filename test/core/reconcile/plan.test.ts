/** What the reconciler repairs, decided from lists and memory: one table per decision. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import {
  invalidConfigKey,
  settingsKey,
  verdictInputsKey,
  type VerdictInputs,
} from "../../../src/core/reconcile/inputs.js";
import { commentIsForHead, renderPrComment } from "../../../src/core/render/pr-comment.js";
import {
  EMPTY_MEMORY,
  CALLS_PER_REPAIR,
  judgePull,
  previousHead,
  stopReason,
  MAX_REMEMBERED_RUNS,
  remember,
  repairOrder,
  runKey,
  runsToCheck,
  runWasMissed,
  pullsToCheck,
  type RepoMemory,
} from "../../../src/core/reconcile/plan.js";
import type { RunRef } from "../../../src/core/tierb/runs.js";
import { aDispatch, aLedger, T0 } from "../../fixtures/tierb/builders.js";
import { HEAD, HEAD2 } from "../../fixtures/tierb/registry.js";

const TOML = readFileSync(new URL("../../fixtures/gates/gates.toml", import.meta.url), "utf8");
const REGISTRY = parseRegistry(TOML);

const inputs = (over: Partial<VerdictInputs> = {}): VerdictInputs => ({
  headSha: HEAD,
  body: "Fixes #7",
  draft: false,
  settings: settingsKey(DEFAULT_CONFIG, REGISTRY),
  contractIssue: { number: 7, body: "### Agent Contract\n..." },
  ...over,
});

describe("the verdict-inputs key", () => {
  const base = verdictInputsKey(inputs());
  test.each<[string, Partial<VerdictInputs>]>([
    ["a new head", { headSha: HEAD2 }],
    ["an edited PR body", { body: "Fixes #7\n\nmore" }],
    ["draft state", { draft: true }],
    ["an edited contract issue", { contractIssue: { number: 7, body: "### Agent Contract\nchanged" } }],
    ["another contract issue", { contractIssue: { number: 8, body: "### Agent Contract\n..." } }],
    ["the contract issue closed (no longer listed)", { contractIssue: null }],
    [
      "another registry",
      { settings: settingsKey(DEFAULT_CONFIG, parseRegistry(TOML + "\n# a comment\n[bundles]\nx = []\n")) },
    ],
    ["another config", { settings: settingsKey({ ...DEFAULT_CONFIG, registry: { path: "gates.toml" } }, REGISTRY) }],
  ])("changes with %s", (_what, over) => {
    expect(verdictInputsKey(inputs(over))).not.toBe(base);
  });

  test("is the same for the same inputs, and a null body equals an empty one", () => {
    expect(verdictInputsKey(inputs())).toBe(base);
    expect(verdictInputsKey(inputs({ body: null }))).toBe(verdictInputsKey(inputs({ body: "" })));
    expect(base).toMatch(/^[0-9a-f]{16}$/);
  });

  test("the settings key sees the registry's gates (Maps), not just its shape", () => {
    const other = parseRegistry(TOML.replace(/timeout_s = (\d+)/, (_m, n: string) => `timeout_s = ${Number(n) + 1}`));
    expect(other.ok && REGISTRY.ok).toBe(true);
    expect(settingsKey(DEFAULT_CONFIG, other)).not.toBe(settingsKey(DEFAULT_CONFIG, REGISTRY));
    expect(settingsKey(DEFAULT_CONFIG, parseRegistry("not = [toml"))).not.toBe(settingsKey(DEFAULT_CONFIG, REGISTRY));
  });
});

describe("which PRs need a look", () => {
  const memory: RepoMemory = { pulls: { "1": "k1", "2": "k2-old" }, runs: [] };
  test.each([
    { what: "remembered with these inputs", pull: { number: 1, inputs: "k1" }, force: false, look: false },
    { what: "remembered with other inputs", pull: { number: 2, inputs: "k2" }, force: false, look: true },
    { what: "never seen", pull: { number: 3, inputs: "k3" }, force: false, look: true },
    { what: "remembered, but /recheck forces a look", pull: { number: 1, inputs: "k1" }, force: true, look: true },
  ])("$what → look: $look", ({ pull, force, look }) => {
    expect(pullsToCheck([pull], memory, force)).toEqual(look ? [pull] : []);
  });

  test.each([
    { what: "no check from this App", check: undefined, comment: true, finding: "missing-check", asked: false },
    { what: "a current check and comment", check: { inputs: "k" }, comment: true, finding: "current", asked: true },
    {
      what: "a current check, no comment for this head",
      check: { inputs: "k" },
      comment: false,
      finding: "missing-comment",
      asked: true,
    },
    {
      what: "a check with other inputs",
      check: { inputs: "old" },
      comment: true,
      finding: "stale-check",
      asked: false,
    },
    {
      what: "a check without an inputs marker (older version, not verified)",
      check: { inputs: undefined },
      comment: true,
      finding: "stale-check",
      asked: false,
    },
  ])("$what → $finding (comment read: $asked)", async ({ check, comment, finding, asked }) => {
    let read = false;
    const found = await judgePull("k", check, async () => {
      read = true;
      return comment;
    });
    expect({ found, read }).toEqual({ found: finding, read: asked });
  });

  test("a sticky comment speaks for the head it names, in the renderer's own words", () => {
    const verdict = { outcome: "green", results: [] } as unknown as Parameters<typeof renderPrComment>[0];
    const body = renderPrComment(verdict, HEAD, undefined);
    expect(commentIsForHead(body, HEAD)).toBe(true);
    expect(commentIsForHead(body, HEAD2)).toBe(false);
    expect(commentIsForHead("### merge-captain\n\nWorking on it…", HEAD)).toBe(false);
  });

  test("the key while the config is invalid follows the problems", () => {
    expect(invalidConfigKey([{ code: "a" }])).toBe(invalidConfigKey([{ code: "a" }]));
    expect(invalidConfigKey([{ code: "a" }])).not.toBe(invalidConfigKey([{ code: "b" }]));
  });

  test("missing checks are repaired first, then stale ones; current ones not at all", () => {
    expect(
      repairOrder([
        { number: 5, finding: "stale-check" as const },
        { number: 1, finding: "missing-comment" as const },
        { number: 9, finding: "missing-check" as const },
        { number: 2, finding: "current" as const },
        { number: 3, finding: "missing-check" as const },
      ]).map((f) => f.number),
    ).toEqual([3, 9, 5, 1]);
  });
});

describe("Tier-B runs the bot may have missed", () => {
  const name = (pr: number, id = "mc-0000000001") => `Tier-B #${pr} hot_path_min  @${HEAD} [${id}]`;
  const run = (over: Partial<RunRef> = {}): RunRef => ({
    id: 500,
    display_title: name(7),
    status: "completed",
    conclusion: "success",
    ...over,
  });

  test.each([
    { what: "a run of an open PR, never seen", runs: [run()], open: [7], memory: EMPTY_MEMORY, pulls: [7] },
    {
      what: "its state already confirmed",
      runs: [run()],
      open: [7],
      memory: { pulls: {}, runs: [runKey(run())] },
      pulls: [],
    },
    {
      what: "confirmed while queued, now completed",
      runs: [run()],
      open: [7],
      memory: { pulls: {}, runs: [runKey(run({ status: "queued", conclusion: null }))] },
      pulls: [7],
    },
    { what: "a run of a closed PR", runs: [run()], open: [8], memory: EMPTY_MEMORY, pulls: [] },
    {
      what: "a run not named by merge-captain",
      runs: [run({ display_title: "CI" })],
      open: [7],
      memory: EMPTY_MEMORY,
      pulls: [],
    },
  ])("$what → PRs to read: $pulls", ({ runs, open, memory, pulls }) => {
    expect([...runsToCheck(runs, new Set(open), memory).keys()]).toEqual(pulls);
  });

  test("runs are grouped by PR so each ledger is read once", () => {
    const byPull = runsToCheck(
      [run({ id: 1, display_title: name(7, "mc-a0000001") }), run({ id: 2, display_title: name(7, "mc-a0000002") })],
      new Set([7]),
      EMPTY_MEMORY,
    );
    expect(byPull.get(7)?.map((r) => r.id)).toEqual([1, 2]);
  });

  const queued = aDispatch({ state: "queued", runId: 500 });
  test.each([
    { what: "completed while the ledger says queued", ledger: aLedger(queued), run: run(), missed: true },
    {
      what: "completed, ledger completed with results",
      ledger: aLedger(aDispatch({ state: "completed", runId: 500, results: { outcome: "missing" } })),
      run: run(),
      missed: false,
    },
    {
      what: "completed, ledger completed but no results read",
      ledger: aLedger(aDispatch({ state: "completed", runId: 500 })),
      run: run(),
      missed: true,
    },
    {
      what: "in progress while the ledger says queued",
      ledger: aLedger(queued),
      run: run({ status: "in_progress", conclusion: null }),
      missed: true,
    },
    {
      what: "queued, ledger queued",
      ledger: aLedger(queued),
      run: run({ status: "queued", conclusion: null }),
      missed: false,
    },
    {
      what: "the dispatch never learned its run id",
      ledger: aLedger(aDispatch({ state: "dispatched" })),
      run: run({ status: "queued", conclusion: null }),
      missed: true,
    },
    { what: "a run the ledger does not hold", ledger: aLedger(), run: run(), missed: false },
  ])("$what → missed: $missed", ({ ledger, run: r, missed }) => {
    expect(runWasMissed(ledger, r, T0)).toBe(missed);
  });
});

describe("what is remembered", () => {
  test("closed PRs are forgotten, confirmed ones recorded, run states newest first and bounded", () => {
    const before: RepoMemory = { pulls: { "1": "a", "2": "b" }, runs: ["9:queued:"] };
    const after = remember(before, new Set([2, 3]), new Map([[3, "c"]]), ["9:completed:success"]);
    expect(after).toEqual({ pulls: { "2": "b", "3": "c" }, runs: ["9:completed:success", "9:queued:"] });
    const many = Array.from({ length: MAX_REMEMBERED_RUNS + 50 }, (_, i) => `${i}::`);
    expect(remember(EMPTY_MEMORY, new Set(), new Map(), many).runs).toHaveLength(MAX_REMEMBERED_RUNS);
  });
});

describe("a missed push", () => {
  test.each([
    { what: "no dispatches", ledger: aLedger(), head: HEAD2, before: undefined },
    { what: "a dispatch on the head", ledger: aLedger(aDispatch({ sha: HEAD2 })), head: HEAD2, before: undefined },
    { what: "a dispatch on an older head", ledger: aLedger(aDispatch({ sha: HEAD })), head: HEAD2, before: HEAD },
    {
      what: "only stale ones on older heads",
      ledger: aLedger(aDispatch({ sha: HEAD, stale: true })),
      head: HEAD2,
      before: undefined,
    },
  ])("$what → previous head $before", ({ ledger, head, before }) => {
    expect(previousHead(ledger, head)).toBe(before);
  });
});

describe("when to stop", () => {
  test.each([
    { what: "plenty left", left: [500, 400], rate: { remaining: 4000, limit: 5000 }, stop: undefined },
    { what: "one budget below a repair's worth", left: [500, CALLS_PER_REPAIR - 1], rate: undefined, stop: "budget" },
    { what: "exactly a repair's worth", left: [CALLS_PER_REPAIR], rate: undefined, stop: undefined },
    { what: "rate limit below 20 %", left: [500], rate: { remaining: 999, limit: 5000 }, stop: "rate-limit" },
    { what: "rate limit at 20 %", left: [500], rate: { remaining: 1000, limit: 5000 }, stop: undefined },
    { what: "no rate limit seen yet", left: [500], rate: undefined, stop: undefined },
  ])("$what → $stop", ({ left, rate, stop }) => {
    expect(stopReason(left, rate, 20)).toBe(stop);
  });
});
