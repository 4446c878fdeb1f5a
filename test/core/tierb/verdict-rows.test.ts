import { describe, expect, test } from "@jest/globals";
import { perfWithinBudget, tierBCoverage } from "../../../src/core/tierb/verdict-rows.js";
import type { Dispatch, StoredGateResult } from "../../../src/core/ledger/types.js";
import type { Perf } from "../../../src/core/schemas/contract.generated.js";
import { aDispatch, aLedger } from "../../fixtures/tierb/builders.js";
import { aRegistry, HEAD, HEAD2 } from "../../fixtures/tierb/registry.js";

const registry = aRegistry();
const done = (gates: StoredGateResult[], over: Partial<Dispatch> = {}): Dispatch =>
  aDispatch({ state: "completed", conclusion: "failure", results: { outcome: "valid", gates }, ...over });
/** A finished run of both required Tier-B gates, with these statuses. */
const both = (
  small: StoredGateResult["status"],
  big: StoredGateResult["status"],
  over: Partial<Dispatch> = {},
): Dispatch =>
  done(
    [
      { id: "b200:small_1x10", status: small },
      { id: "b200:big_8x20", status: big },
    ],
    over,
  );

describe("tierBCoverage: required Tier-B gates green on this head", () => {
  const required = ["cpu:import", "b200:small_1x10", "b200:big_8x20"];
  test.each([
    ["both passed in one run", [both("pass", "pass")], "pass"],
    [
      "a bundle run and a single re-run combine",
      [
        both("pass", "fail"),
        done([{ id: "b200:big_8x20", status: "pass" }], {
          id: "mc-0000000002",
          bundle: "single",
          singleGate: "b200:big_8x20",
        }),
      ],
      "pass",
    ],
    ["one skipped", [both("pass", "skipped")], "fail"],
    ["one pending", [both("pass", "pending")], "fail"],
    ["one missing", [both("pass", "missing")], "fail"],
    ["green but stale", [both("pass", "pass", { stale: true, staleBy: HEAD2 })], "fail"],
    ["green on another head", [both("pass", "pass", { sha: HEAD2 })], "fail"],
    ["still running", [aDispatch({ state: "in_progress" })], "fail"],
    ["no runs", [], "fail"],
    [
      "the results file was missing",
      [aDispatch({ state: "completed", conclusion: "failure", results: { outcome: "missing" } })],
      "fail",
    ],
  ])("%s → %s", (_name, dispatches, status) => {
    expect(tierBCoverage(aLedger(...dispatches), HEAD, required, registry).status).toBe(status);
  });

  test("green on an earlier commit with the same tree counts", () => {
    const d = both("pass", "pass", { sha: HEAD2, alsoCovers: [HEAD] });
    expect(tierBCoverage(aLedger(d), HEAD, required, registry).status).toBe("pass");
  });

  test("no Tier-B gates required → pass", () => {
    expect(tierBCoverage(aLedger(), HEAD, ["cpu:import"], registry)).toMatchObject({
      status: "pass",
      summary: "the contract requires no Tier-B gates",
    });
  });

  test("the failure names the missing gates and what to do", () => {
    const c = tierBCoverage(aLedger(done([{ id: "b200:small_1x10", status: "pass" }])), HEAD, required, registry);
    expect(c).toMatchObject({
      status: "fail",
      missing: ["b200:big_8x20"],
      summary: "1 required Tier-B gate has not passed on this head: `b200:big_8x20`",
      fix: expect.stringContaining("/tier-b"),
    });
  });
});

describe("perfWithinBudget", () => {
  const perf: Perf = { gate: "perf:baseline_delta", compare: "b200:big_8x20", metric: "node_tps_p50", budget_pct: -10 };
  const perfRun = (r: Partial<StoredGateResult>, over: Partial<Dispatch> = {}): Dispatch =>
    done(
      [{ id: "perf:baseline_delta", status: "pass", compareGate: "b200:big_8x20", metricName: "node_tps_p50", ...r }],
      over,
    );

  test.each([
    [
      "within budget",
      perfRun({ metrics: { baseline: 100, result: 95, delta_pct: -5 } }),
      "pass",
      "perf within budget: node_tps_p50 -5 % vs budget -10 %",
    ],
    [
      "exactly at budget",
      perfRun({ metrics: { baseline: 100, result: 90 } }),
      "pass",
      "perf within budget: node_tps_p50 -10 % vs budget -10 %",
    ],
    [
      "faster",
      perfRun({ metrics: { delta_pct: 3.456 } }),
      "pass",
      "perf within budget: node_tps_p50 +3.46 % vs budget -10 %",
    ],
    [
      "over budget",
      perfRun({ status: "fail", metrics: { baseline: 100, result: 85, delta_pct: -15 } }),
      "fail",
      "perf over budget: node_tps_p50 -15 % vs budget -10 %",
    ],
    [
      "a delta that lies about its numbers",
      perfRun({ metrics: { baseline: 100, result: 85, delta_pct: 0 } }),
      "fail",
      "perf over budget: node_tps_p50 -15 % vs budget -10 %",
    ],
    [
      "no metric",
      perfRun({ metrics: {} }),
      "fail",
      "the perf gate `perf:baseline_delta` reported no node_tps_p50 delta on this head",
    ],
    [
      "pending",
      perfRun({ status: "pending" }),
      "fail",
      "the perf gate `perf:baseline_delta` is pending on this head, so perf is not measured",
    ],
    [
      "skipped",
      perfRun({ status: "skipped", metrics: { delta_pct: 0 } }),
      "fail",
      "the perf gate `perf:baseline_delta` is skipped on this head, so perf is not measured",
    ],
    [
      "another metric",
      perfRun({ metricName: "loss", metrics: { delta_pct: 0 } }),
      "fail",
      "the perf run measured `loss`, the contract asks for `node_tps_p50`",
    ],
    [
      "stale",
      perfRun({ metrics: { delta_pct: 0 } }, { stale: true, staleBy: HEAD2 }),
      "fail",
      "no perf result for `perf:baseline_delta` on this head",
    ],
  ])("%s", (_name, d, status, summary) => {
    expect(perfWithinBudget(aLedger(d), HEAD, perf)).toMatchObject({ status, summary });
  });

  test("no run at all is ❌, not ✅", () => {
    expect(perfWithinBudget(aLedger(), HEAD, perf)).toMatchObject({
      status: "fail",
      fix: expect.stringContaining("/tier-b single perf:baseline_delta"),
    });
  });

  test("the newest run on the head decides", () => {
    const older = perfRun({ metrics: { delta_pct: -50 } });
    const newer = perfRun({ metrics: { delta_pct: -1 } }, { id: "mc-0000000002" });
    expect(perfWithinBudget(aLedger(older, newer), HEAD, perf).status).toBe("pass");
  });

  test("no perf budget in the contract → pass", () => {
    expect(perfWithinBudget(aLedger(), HEAD, undefined).status).toBe("pass");
  });

  const active = (over: Partial<Dispatch>): Dispatch => aDispatch({ id: "mc-0000000009", ...over });
  const overBudget = perfRun({ status: "fail", metrics: { baseline: 100, result: 85 } });
  const within = perfRun({ metrics: { baseline: 100, result: 95 } });
  test.each([
    [
      "a `full` run queued on this head (its bundle has the perf gate)",
      [active({ bundle: "full", state: "queued" })],
      "pending",
    ],
    [
      "the perf gate alone, running",
      [active({ bundle: "single", singleGate: "perf:baseline_delta", state: "in_progress" })],
      "pending",
    ],
    ["waiting for the environment's approval", [active({ bundle: "full", state: "waiting" })], "pending"],
    ["recorded, not yet dispatched", [active({ bundle: "full", state: "recorded" })], "pending"],
    ["a bundle without the perf gate, running", [active({ bundle: "hot_path_min", state: "in_progress" })], "fail"],
    [
      "a single run of another gate",
      [active({ bundle: "single", singleGate: "b200:big_8x20", state: "queued" })],
      "fail",
    ],
    ["a run of an unknown bundle", [active({ bundle: "gone", state: "queued" })], "fail"],
    ["a run with the perf gate on an older head", [active({ bundle: "full", state: "queued", sha: HEAD2 })], "fail"],
    [
      "a stale run with the perf gate",
      [active({ bundle: "full", state: "in_progress", stale: true, staleBy: HEAD2 })],
      "fail",
    ],
    ["a cancelled run with the perf gate", [active({ bundle: "full", state: "cancelled" })], "fail"],
    ["over budget, and a re-run is going", [overBudget, active({ bundle: "full", state: "in_progress" })], "pending"],
    [
      "within budget, and a re-run is going: still ✅",
      [within, active({ bundle: "full", state: "in_progress" })],
      "pass",
    ],
  ])("%s → %s", (_name, dispatches, status) => {
    const row = perfWithinBudget(aLedger(...dispatches), HEAD, perf, registry);
    expect(row.status).toBe(status);
    const waiting = {
      status: "pending",
      summary: "a Tier-B run that includes `perf:baseline_delta` is queued or running on this head",
      fix: "wait for the run to finish",
    };
    // The whole row when it waits; any other row's wording is the other tables' business.
    expect(status === "pending" ? row : waiting).toEqual(waiting);
  });

  test("without a registry, any bundle run on this head may include the perf gate", () => {
    const ledger = aLedger(active({ bundle: "hot_path_min", state: "queued" }));
    expect(perfWithinBudget(ledger, HEAD, perf).status).toBe("pending");
  });
});
