import { describe, expect, test } from "@jest/globals";
import {
  coveringBundle,
  groupOfRun,
  groupRunState,
  groupTierBGates,
  planGroupRun,
  type GroupRunInput,
} from "../../../src/core/queue/tier-b.js";
import { groupCheckOutput } from "../../../src/core/queue/render.js";
import { judgeGroup, type GroupMember } from "../../../src/core/queue/verdict.js";
import { emptyLedger } from "../../../src/core/ledger/types.js";
import { workflowInputs } from "../../../src/core/tierb/plan.js";
import { aDispatch, aLedger, T0 } from "../../fixtures/tierb/builders.js";
import { aRegistry, HEAD2, HEAD3 } from "../../fixtures/tierb/registry.js";

const registry = aRegistry();
const GROUP = HEAD3;
const REF = `refs/heads/gh-readonly-queue/main/pr-7-${HEAD2}`;

function input(over: Partial<GroupRunInput> = {}): GroupRunInput {
  return {
    ledger: emptyLedger(),
    lastPr: 7,
    groupSha: GROUP,
    groupRef: REF,
    gates: ["b200:small_1x10"],
    registry,
    perf: [],
    baseBranch: "main",
    requester: { login: "maintainer", type: "User" },
    newId: "mc-0000000002",
    now: T0,
    ...over,
  };
}

describe("which Tier-B gates a group runs, and in which bundle", () => {
  test("the Tier-B gates of every contract, once each; Tier-A gates are not run", () => {
    expect(
      groupTierBGates(
        [
          ["cpu:import", "b200:small_1x10"],
          ["b200:small_1x10", "b200:big_8x20"],
        ],
        registry,
      ),
    ).toEqual(["b200:small_1x10", "b200:big_8x20"]);
  });

  test.each([
    ["one gate: the smallest bundle holding it", ["b200:small_1x10"], "hot_path_min"],
    ["a gate only the full bundle has", ["zero2:resume"], "full"],
    ["no bundle holds them all", ["b200:small_1x10", "nope:x"], undefined],
  ])("%s", (_name, gates, bundle) => {
    expect(coveringBundle(registry, gates)).toBe(bundle);
  });
});

describe("planGroupRun", () => {
  test("a dispatch pinned to the group's commit, with its queue branch, recorded in the last PR's ledger", () => {
    const plan = planGroupRun(
      input({
        perf: [
          { gate: "perf:baseline_delta", compare: "b200:big_8x20", metric: "m", budget_pct: -10 },
          { gate: "perf:baseline_delta", compare: "b200:big_8x20", metric: "m", budget_pct: -5 },
        ],
      }),
    );
    expect(plan.kind).toBe("dispatch");
    if (plan.kind !== "dispatch") return;
    expect(plan.dispatch).toMatchObject({
      pr: 7,
      sha: GROUP,
      bundle: "hot_path_min",
      state: "recorded",
      requester: "maintainer",
      mergeGroup: { ref: REF.replace("refs/heads/", "") },
      // The strictest budget of the group's contracts, against the base branch.
      budgetPct: -5,
      baselineRef: "main",
    });
    expect(plan.ledger.dispatches).toEqual([plan.dispatch]);
    expect(workflowInputs(plan.dispatch)).toMatchObject({
      head_sha: GROUP,
      merge_group_ref: REF.replace("refs/heads/", ""),
    });
  });

  test("a PR's own dispatch sends no merge_group_ref (older workflows keep working)", () => {
    expect(workflowInputs(aDispatch())).not.toHaveProperty("merge_group_ref");
  });

  test.each([
    ["a run for this group already exists", input({ ledger: aLedger(aDispatch({ sha: GROUP })) }), "existing"],
    ["the sender is a bot", input({ requester: { login: "github-merge-queue[bot]", type: "Bot" } }), "refuse"],
    ["no bundle holds the gates", input({ gates: ["nope:x"] }), "refuse"],
    ["a ref that is not a queue branch", input({ groupRef: "refs/heads/main" }), "refuse"],
  ])("%s", (_name, given, kind) => {
    expect(planGroupRun(given).kind).toBe(kind);
  });
});

describe("groupRunState", () => {
  const passed = aDispatch({
    sha: GROUP,
    state: "completed",
    conclusion: "success",
    results: { outcome: "valid", gates: [{ id: "b200:small_1x10", status: "pass" }] },
  });
  test.each([
    ["no run yet", emptyLedger(), "none"],
    ["queued", aLedger(aDispatch({ sha: GROUP, state: "queued" })), "pending"],
    ["passed", aLedger(passed), "pass"],
    [
      "failed",
      aLedger({
        ...passed,
        conclusion: "failure",
        results: { outcome: "valid", gates: [{ id: "b200:small_1x10", status: "fail" }] },
      }),
      "fail",
    ],
    ["cancelled", aLedger(aDispatch({ sha: GROUP, state: "cancelled", endReason: "run-cancelled" })), "fail"],
    ["a run on the PR's head does not count for the group", aLedger({ ...passed, sha: HEAD2 }), "none"],
  ])("%s", (_name, ledger, state) => {
    expect(groupRunState(ledger, GROUP, ["b200:small_1x10"], registry).state).toBe(state);
  });

  test("a finished run names its group again, for the check to be judged", () => {
    expect(groupOfRun(aDispatch({ sha: GROUP, mergeGroup: { ref: REF.replace("refs/heads/", "") } }))).toEqual({
      head_sha: GROUP,
      head_ref: REF,
      base_ref: "refs/heads/main",
    });
    expect(groupOfRun(aDispatch())).toBeUndefined();
  });
});

describe("the group's check with rerun", () => {
  const members: GroupMember[] = [
    {
      pr: 7,
      headSha: HEAD2,
      merged: false,
      issue: 3,
      contractId: "03",
      hotspots: [],
      own: { kind: "green", title: "Ready to merge" },
    },
  ];
  test.each([
    [
      { mode: "rerun", state: "pending", summary: "Tier-B is running" } as const,
      "in_progress",
      undefined,
      "Waiting: Tier-B on the merge group's commit",
    ],
    [
      { mode: "rerun", state: "fail", summary: "b200:small_1x10 failed" } as const,
      "completed",
      "failure",
      "Not ready: Tier-B did not pass on the merge group's commit",
    ],
    [{ mode: "rerun", state: "pass" } as const, "completed", "success", "Ready to merge: #7"],
    [{ mode: "rerun", state: "not-needed" } as const, "completed", "success", "Ready to merge: #7"],
  ])("%o", (tierB, status, conclusion, title) => {
    const out = groupCheckOutput({ verdict: judgeGroup(members), members, baseBranch: "main", tierB });
    expect({ status: out.status, conclusion: out.conclusion, title: out.title }).toEqual({ status, conclusion, title });
  });
});
