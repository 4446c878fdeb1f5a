import { describe, expect, test } from "@jest/globals";
import {
  cancelPlan,
  confirmPinned,
  filesToCheck,
  MAX_ACTIVE_PER_PR,
  planDispatch,
  workflowInputs,
} from "../../../src/core/tierb/plan.js";
import type { Ledger } from "../../../src/core/ledger/types.js";
import { aDispatch, aLedger, aPlanInput, aTierBCommand, T0 } from "../../fixtures/tierb/builders.js";
import { aRegistry, HEAD, HEAD2 } from "../../fixtures/tierb/registry.js";
import { narrow } from "../../support/narrow.js";

const registry = aRegistry();

describe("planDispatch", () => {
  test("records a dispatch pinned to the head SHA, before any API call", () => {
    const p = planDispatch(
      aPlanInput({ command: aTierBCommand("/tier-b full baseline=origin/main budget=-10"), commentId: 99 }),
    );
    expect(p).toMatchObject({
      kind: "dispatch",
      gateIds: ["b200:small_1x10", "b200:big_8x20", "b200:profile_fp8", "zero2:resume", "perf:baseline_delta"],
      dispatch: {
        id: "mc-0000000001",
        pr: 7,
        sha: HEAD,
        bundle: "full",
        baselineRef: "origin/main",
        budgetPct: -10,
        requester: "maintainer",
        requestedAt: "2025-01-02T03:04:05.000Z",
        state: "recorded",
        commentId: 99,
      },
    });
    const dispatch = narrow(p, "kind", "dispatch");
    expect(dispatch.ledger.dispatches).toEqual([dispatch.dispatch]);
  });

  test("single gate dispatch", () => {
    const p = planDispatch(aPlanInput({ command: aTierBCommand("/tier-b single b200:big_8x20") }));
    expect(p).toMatchObject({
      kind: "dispatch",
      gateIds: ["b200:big_8x20"],
      dispatch: { bundle: "single", singleGate: "b200:big_8x20" },
    });
  });

  test("two maintainers racing: the second plan against the first's ledger is a duplicate", () => {
    const first = planDispatch(aPlanInput());
    if (first.kind !== "dispatch") throw new Error("expected a dispatch");
    const second = planDispatch(aPlanInput({ ledger: first.ledger, newId: "mc-0000000002", requester: "other" }));
    expect(second).toEqual({ kind: "duplicate", existing: first.dispatch });
  });

  test("a redelivered webhook (same comment) is a duplicate even after the run finished", () => {
    const ledger = aLedger(aDispatch({ commentId: 5, state: "completed" }));
    expect(planDispatch(aPlanInput({ ledger, commentId: 5, newId: "mc-0000000009" }))).toMatchObject({
      kind: "duplicate",
      existing: { id: "mc-0000000001" },
    });
  });

  test.each([
    ["recorded", "duplicate"],
    ["dispatched", "duplicate"],
    ["queued", "duplicate"],
    ["waiting", "duplicate"],
    ["in_progress", "duplicate"],
    ["completed", "dispatch"],
    ["cancelled", "dispatch"],
    ["failed", "dispatch"],
  ] as const)("an existing dispatch for the same target in state %s → %s", (state, kind) => {
    const ledger = aLedger(aDispatch({ state }));
    expect(planDispatch(aPlanInput({ ledger, newId: "mc-0000000002" })).kind).toBe(kind);
  });

  test.each([
    ["another head", { sha: HEAD2 }],
    ["another bundle", { bundle: "full" }],
    ["another single gate", { bundle: "single", singleGate: "b200:profile_fp8" }],
    ["another PR", { pr: 8 }],
  ])("not a duplicate: %s", (_name, over) => {
    const ledger = aLedger(aDispatch({ state: "queued", ...over }));
    expect(planDispatch(aPlanInput({ ledger, newId: "mc-0000000002" })).kind).toBe("dispatch");
  });

  test("different baseline or budget does not make a second run", () => {
    const ledger = aLedger(aDispatch({ state: "queued" }));
    expect(
      planDispatch(
        aPlanInput({ ledger, newId: "mc-0000000002", command: aTierBCommand("/tier-b hot_path_min budget=5") }),
      ).kind,
    ).toBe("duplicate");
  });

  test.each([
    ["a closed PR", { pr: { number: 7, headSha: HEAD, state: "closed" as const, draft: false } }, "pr-closed"],
    ["a draft PR", { pr: { number: 7, headSha: HEAD, state: "open" as const, draft: true } }, "pr-draft"],
    ["an invalid contract", { contractValid: false }, "contract-invalid"],
    ["scope not verified", { scopeOk: false }, "scope-not-ok"],
    ["missing required files", { missingFiles: ["configs/big.toml"] }, "missing-files"],
    [
      "a bundle no longer in the registry",
      { registry: aRegistry(), command: { kind: "tier-b" as const, bundle: "gone" } },
      "unknown-bundle",
    ],
    [
      "a bundle naming an undefined gate",
      {
        registry: aRegistry({ bundles: [["broken", ["b200:nope"]]] }),
        command: { kind: "tier-b" as const, bundle: "broken" },
      },
      "unknown-gate",
    ],
    [
      "a bundle with a Tier-A gate",
      {
        registry: aRegistry({ bundles: [["mixed", ["cpu:import"]]] }),
        command: { kind: "tier-b" as const, bundle: "mixed" },
      },
      "not-tier-b",
    ],
  ])("refuses %s", (_name, over, code) => {
    expect(planDispatch(aPlanInput(over))).toMatchObject({ kind: "refuse", code });
  });

  test("config can allow drafts and waive the contract and scope checks", () => {
    const p = planDispatch(
      aPlanInput({
        pr: { number: 7, headSha: HEAD, state: "open", draft: true },
        contractValid: false,
        scopeOk: false,
        config: { allowDraft: true, requireValidContract: false, requireScope: false },
      }),
    );
    expect(p.kind).toBe("dispatch");
  });

  test("the missing-files refusal names the files and the commit", () => {
    const p = planDispatch(aPlanInput({ missingFiles: ["configs/big.toml"] }));
    expect(p.kind === "refuse" && p.reason).toBe("files the gates require are missing at aaaaaaa: configs/big.toml");
  });

  test("caps in-flight runs per PR", () => {
    const ledger: Ledger = aLedger(
      ...Array.from({ length: MAX_ACTIVE_PER_PR }, (_, i) =>
        aDispatch({ id: `mc-${String(i).padStart(10, "0")}`, state: "queued", sha: String(i).repeat(40) }),
      ),
    );
    expect(planDispatch(aPlanInput({ ledger, newId: "mc-9999999999" }))).toMatchObject({
      kind: "refuse",
      code: "too-many-active",
    });
  });

  test("a malformed id from the caller is a bug and throws", () => {
    expect(() => planDispatch(aPlanInput({ newId: "x" }))).toThrow();
  });

  test("filesToCheck lists the requested gates' required files once", () => {
    expect(filesToCheck(registry, aTierBCommand("/tier-b full"))).toEqual(["configs/small.toml", "configs/big.toml"]);
    expect(filesToCheck(registry, aTierBCommand("/tier-b single zero2:resume"))).toEqual([]);
  });
});

describe("confirmPinned: a push between the command and the dispatch", () => {
  test("same head → proceed", () => {
    expect(confirmPinned(aLedger(aDispatch()), "mc-0000000001", HEAD, T0)).toEqual({ proceed: true });
  });

  test("head moved → no dispatch, the record is ended and explained", () => {
    const r = confirmPinned(aLedger(aDispatch()), "mc-0000000001", HEAD2, T0);
    expect(r).toMatchObject({ proceed: false, reason: expect.stringContaining("moved from aaaaaaa to bbbbbbb") });
    expect(narrow(r, "proceed", false).ledger.dispatches[0]).toMatchObject({
      state: "cancelled",
      endReason: "head-moved",
      stale: true,
      staleBy: HEAD2,
    });
  });

  test("already sent → do not send again (a retried handler)", () => {
    expect(confirmPinned(aLedger(aDispatch({ state: "dispatched" })), "mc-0000000001", HEAD, T0)).toMatchObject({
      proceed: false,
    });
  });
});

describe("cancelPlan", () => {
  test("cancels what has not started, reports what is running, leaves other PRs and finished runs", () => {
    const ledger = aLedger(
      aDispatch({ id: "mc-recorded-1", state: "recorded" }),
      aDispatch({ id: "mc-queued-001", state: "queued", runId: 11 }),
      aDispatch({ id: "mc-waiting-01", state: "waiting", runId: 12 }),
      aDispatch({ id: "mc-running-01", state: "in_progress", runId: 13 }),
      aDispatch({ id: "mc-done-00001", state: "completed", runId: 14 }),
      aDispatch({ id: "mc-otherpr-01", state: "queued", runId: 15, pr: 8 }),
    );
    const c = cancelPlan(ledger, 7, T0);
    expect(c.cancel.map((d) => d.id)).toEqual(["mc-recorded-1", "mc-queued-001", "mc-waiting-01"]);
    expect(c.running.map((d) => d.id)).toEqual(["mc-running-01"]);
    expect(c.ledger.dispatches.map((d) => d.state)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled",
      "in_progress",
      "completed",
      "queued",
    ]);
    expect(c.ledger.dispatches[0]).toMatchObject({ endReason: "cancel-requested" });
  });
});

describe("workflowInputs", () => {
  test("string inputs, empty when not given", () => {
    expect(workflowInputs(aDispatch())).toEqual({
      pr_number: "7",
      bundle: "hot_path_min",
      single_gate: "",
      baseline_ref: "",
      perf_budget_pct: "",
      head_sha: HEAD,
      dispatch_id: "mc-0000000001",
    });
    expect(
      workflowInputs(
        aDispatch({ bundle: "single", singleGate: "b200:big_8x20", baselineRef: "origin/main", budgetPct: -10 }),
      ),
    ).toMatchObject({ single_gate: "b200:big_8x20", baseline_ref: "origin/main", perf_budget_pct: "-10" });
  });
});
