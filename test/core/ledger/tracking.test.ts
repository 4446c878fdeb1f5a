import { describe, expect, it } from "@jest/globals";
import { onlyTrackingChanged } from "../../../src/core/ledger/tracking.js";
import type { Dispatch, Ledger } from "../../../src/core/ledger/types.js";

const dispatch: Dispatch = {
  id: "d-0000000001",
  pr: 3,
  sha: "a".repeat(40),
  bundle: "hot_path",
  requester: "mona",
  requestedAt: "2026-12-01T00:00:00.000Z",
  commentId: 7,
  state: "recorded",
  checkRunId: 5000,
};
const ledger = (...dispatches: Dispatch[]): Ledger => ({ version: 2, dispatches });

describe("which ledger changes wait for the next visible change of the sticky comment", () => {
  it.each<[string, Partial<Dispatch>]>([
    ["dispatched", { state: "dispatched" }],
    ["queued with its run", { state: "queued", runId: 700001, runUrl: "https://github.com/o/r/actions/runs/700001" }],
    ["waiting for approval", { state: "waiting", runId: 700001, updatedAt: "2026-12-01T00:01:00.000Z" }],
    ["running, second attempt", { state: "in_progress", runId: 700001, runAttempt: 2 }],
  ])("an in-flight run moving on (%s) may wait", (_, change) => {
    expect(onlyTrackingChanged(ledger(dispatch), ledger({ ...dispatch, ...change }))).toBe(true);
  });

  it.each<[string, Partial<Dispatch>]>([
    ["completed", { state: "completed" }],
    ["cancelled", { state: "cancelled", endReason: "run-cancelled" }],
    ["failed", { state: "failed", endReason: "dispatch-failed" }],
    ["its check run id", { checkRunId: 5001 }],
    ["stale", { state: "queued", stale: true }],
    ["results", { state: "in_progress", conclusion: "success" }],
  ])("a dispatch that ends or changes otherwise (%s) is written at once", (_, change) => {
    expect(onlyTrackingChanged(ledger(dispatch), ledger({ ...dispatch, ...change }))).toBe(false);
  });

  it("a new dispatch, a removed one, or any other part of the ledger is written at once", () => {
    const second = { ...dispatch, id: "d-0000000002" };
    expect(onlyTrackingChanged(ledger(dispatch), ledger(dispatch, second))).toBe(false);
    expect(onlyTrackingChanged(ledger(dispatch, second), ledger(dispatch))).toBe(false);
    expect(onlyTrackingChanged(ledger(dispatch, second), ledger(second, dispatch))).toBe(false);
    expect(onlyTrackingChanged(ledger(dispatch), { ...ledger(dispatch), refused: ["rex"] })).toBe(false);
  });

  it("a ledger compared with itself has nothing that waits and nothing to write", () => {
    expect(onlyTrackingChanged(ledger(dispatch), ledger({ ...dispatch }))).toBe(true);
  });
});
