import { describe, expect, test } from "@jest/globals";
import {
  concludeResults,
  concludeRun,
  reasonCode,
  refusedResults,
  validateResults,
  type ExpectedResults,
  type RunResultsFile,
} from "../../../src/core/tierb/results.js";
import {
  checkRunOutput,
  formatNumber,
  renderResultsTable,
  renderTierBSection,
} from "../../../src/core/tierb/render.js";
import { applyRunEvent } from "../../../src/core/tierb/runs.js";
import type { Dispatch } from "../../../src/core/ledger/types.js";
import type { TierBResults } from "../../../src/core/schemas/tier-b-results.generated.js";
import { aDispatch, aLedger, aResultsFile, T0 } from "../../fixtures/tierb/builders.js";
import { aRegistry, HEAD, HEAD2 } from "../../fixtures/tierb/registry.js";
import { narrow } from "../../support/narrow.js";

const registry = aRegistry();
const requested = ["b200:small_1x10", "b200:big_8x20"];
const expected: ExpectedResults = { headSha: HEAD, dispatchId: "mc-0000000001", requestedGateIds: requested, registry };

function valid(file: unknown): TierBResults {
  const r = validateResults(file, expected);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe("validateResults", () => {
  test("accepts a file bound to this head and dispatch", () => {
    expect(validateResults(aResultsFile(), expected)).toMatchObject({ ok: true, warnings: [] });
  });

  test.each([
    ["another head", aResultsFile({ head_sha: HEAD2 }), "results.head-mismatch"],
    ["another dispatch", aResultsFile({ dispatch_id: "mc-0000000002" }), "results.dispatch-mismatch"],
    [
      "no head at all (nmoe's own shape)",
      (({ head_sha: _h, ...rest }) => rest)(aResultsFile()),
      "results.schema.required",
    ],
    [
      "an unknown status",
      aResultsFile({ results: { "b200:big_8x20": { status: "ok" as never } } }),
      "results.schema.enum",
    ],
    [
      "a string metric",
      aResultsFile({ results: { "b200:big_8x20": { status: "pass", node_tps_p50: "fast" } } }),
      "results.schema.type",
    ],
    [
      "raw output in an unknown key",
      aResultsFile({ results: { "b200:big_8x20": { status: "pass", Stdout: "…" } as never } }),
      "results.schema.unknown-key",
    ],
    ["not an object", "pass", "results.schema.type"],
  ])("refuses %s", (_name, file, code) => {
    const r = narrow(validateResults(file, expected), "ok", false);
    expect(r.errors.map((e) => e.code)).toContain(code);
  });

  test("gates not in the registry are dropped with a warning, not trusted", () => {
    const r = validateResults(
      aResultsFile({
        gate_ids: [...requested, "evil:gate"],
        results: { ...aResultsFile().results, "evil:gate": { status: "pass" } },
      }),
      expected,
    );
    expect(r.ok && Object.keys(r.value.results)).toEqual(requested);
    expect(r.ok && r.value.gate_ids).toEqual(requested);
    expect(r.ok && r.warnings.map((w) => w.code)).toEqual(["results.unknown-gate"]);
  });

  test("a refused file keeps only a code", () => {
    const r = validateResults(aResultsFile({ head_sha: HEAD2 }), expected);
    if (r.ok) throw new Error("expected a refusal");
    expect(refusedResults(r.errors)).toMatchObject({
      conclusion: "failure",
      results: { outcome: "refused", code: "results.head-mismatch" },
    });
  });
});

describe("concludeResults: only pass is a pass", () => {
  const withStatus = (status: "pass" | "fail" | "skipped" | "pending" | "error"): TierBResults =>
    valid(
      aResultsFile({
        results: {
          "b200:small_1x10": { status: "pass" },
          "b200:big_8x20": {
            status,
            ...(status === "skipped" ? { reason: "missing required env vars: DATA_PATH" } : {}),
          },
        },
        overall: "pass",
      }),
    );

  test("every requested gate pass → success", () => {
    expect(concludeResults(valid(aResultsFile()), requested, registry)).toMatchObject({
      conclusion: "success",
      summary: "all 2 requested gates passed",
    });
  });

  test.each(["fail", "skipped", "pending", "error"] as const)(
    "%s is never green, whatever `overall` claims",
    (status) => {
      expect(concludeResults(withStatus(status), requested, registry).conclusion).toBe("failure");
    },
  );

  test("a requested gate missing from the file is not green, and shows as missing", () => {
    const c = concludeResults(
      valid(aResultsFile({ results: { "b200:small_1x10": { status: "pass" } } })),
      requested,
      registry,
    );
    expect(c.conclusion).toBe("failure");
    expect(c.perGate.map((g) => [g.id, g.status])).toEqual([
      ["b200:small_1x10", "pass"],
      ["b200:big_8x20", "missing"],
    ]);
  });

  test("a missing results file: failure, 'the run ended before any gate — see the run' with the run link", () => {
    const c = concludeResults(undefined, requested, registry);
    expect(c).toMatchObject({
      conclusion: "failure",
      summary: "the run ended before any gate — see the run",
      results: { outcome: "missing" },
    });
    const d = aDispatch({
      state: "completed",
      conclusion: c.conclusion,
      results: c.results,
      runUrl: "https://github.com/o/r/actions/runs/77",
    });
    const text = renderTierBSection(aLedger(d), HEAD, registry);
    expect(text).toContain(
      "the run ended before any gate — see the run: [run](https://github.com/o/r/actions/runs/77)",
    );
    expect(checkRunOutput(d, registry)).toMatchObject({
      status: "completed",
      conclusion: "failure",
      title: "The run ended before any gate",
    });
  });

  test("all gates pass but the workflow run failed → not green", () => {
    expect(concludeResults(valid(aResultsFile()), requested, registry, { runConclusion: "failure" }).conclusion).toBe(
      "failure",
    );
  });

  test("extra registry gates (perf) are kept for display but do not decide the conclusion", () => {
    const file = aResultsFile({
      results: {
        ...aResultsFile().results,
        "perf:baseline_delta": { status: "fail", delta_pct: -15, budget_pct: -10 },
      },
    });
    const c = concludeResults(valid(file), requested, registry);
    expect(c.conclusion).toBe("success");
    expect(c.perGate.map((g) => g.id)).toEqual([...requested, "perf:baseline_delta"]);
  });
});

describe("reason codes never carry free text", () => {
  test.each([
    [
      "missing required env vars: DATA_PATH, RUN_ROOT, SECRET_X",
      "b200:big_8x20",
      { code: "missing-env", envNames: ["DATA_PATH", "RUN_ROOT"] },
    ],
    ["missing required files: /srv/internal/x.toml", "b200:big_8x20", { code: "missing-file" }],
    ["timeout after 600s", "b200:big_8x20", { code: "timeout" }],
    ["external gate, not run here", "zero2:resume", { code: "external" }],
    ["oom: CUDA out of memory on gpu-node-17.corp", "b200:big_8x20", { code: "oom" }],
    ["gpu-node-17 unreachable", "b200:big_8x20", { code: "see-run" }],
    ["build-07.internal.corp refused", "b200:big_8x20", { code: "see-run" }],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "b200:big_8x20", { code: "see-run" }],
    ["10.0.0.5: connection refused", "b200:big_8x20", { code: "see-run" }],
    ["Permission denied", "b200:big_8x20", { code: "see-run" }],
  ])("%s", (reason, gate, out) => {
    expect(reasonCode(reason, gate, registry)).toEqual(out);
  });

  test("a reason with an internal hostname, a private IP and a token never reaches the comment or the check run", () => {
    const secrets = [
      "build-07.internal.corp",
      "10.1.2.3",
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "AKIAIOSFODNN7EXAMPLE",
      "/home/runner",
    ];
    const file = aResultsFile({
      results: {
        "b200:small_1x10": {
          status: "fail",
          rc: 1,
          reason: `connect to build-07.internal.corp (10.1.2.3) failed token=ghp_abcdefghijklmnopqrstuvwxyz0123456789 AKIAIOSFODNN7EXAMPLE /home/runner`,
        },
        "b200:big_8x20": { status: "skipped", reason: "ghp_abcdefghijklmnopqrstuvwxyz0123456789 at 10.1.2.3" },
      },
    });
    const c = concludeResults(valid(file), requested, registry);
    const d: Dispatch = applyRunEvent(
      aLedger(aDispatch({ state: "in_progress", runId: 9 })),
      "mc-0000000001",
      { kind: "results", results: c.results, conclusion: c.conclusion },
      T0,
    ).dispatch!;
    const outputs = [
      renderTierBSection(aLedger(d), HEAD, registry),
      JSON.stringify(checkRunOutput(d, registry)),
      JSON.stringify(d),
    ];
    for (const out of outputs) for (const s of secrets) expect(out).not.toContain(s);
    expect(outputs[0]).toContain("`connect`");
    expect(outputs[0]).toContain("`see-run`");
  });
});

describe("rendering", () => {
  test("the table shows only allow-listed fields", () => {
    const file = aResultsFile({
      results: {
        "b200:small_1x10": {
          status: "pass",
          rc: 0,
          duration_s: 61.25,
          node_tps_p50: 123456,
          abcdefghijklmnopqrstuvwxyz0123456789: 1,
          step_ms: 12.3456,
        },
        "b200:big_8x20": { status: "skipped", reason: "missing required env vars: DATA_PATH" },
        "perf:baseline_delta": {
          status: "fail",
          compare_gate: "b200:big_8x20",
          metric: "node_tps_p50",
          baseline_ref: "origin/master",
          baseline: 100,
          result: 85,
          delta_pct: -15,
          budget_pct: -10,
        },
      },
    });
    const c = concludeResults(valid(file), requested, registry);
    expect(renderResultsTable(c.perGate, registry)).toBe(
      [
        "| gate | status | rc | duration | metrics | reason |",
        "|---|---|---|---|---|---|",
        "| `b200:small_1x10` | ✅ pass | 0 | 1 min 1 s | `node_tps_p50=123456 step_ms=12.35` |  |",
        "| `b200:big_8x20` | ⏭️ skipped |  |  |  | `missing-env`: `DATA_PATH` |",
        "| `perf:baseline_delta` | ❌ fail |  |  | `metric=node_tps_p50 baseline=100 result=85 delta_pct=-15 budget_pct=-10` |  |",
      ].join("\n"),
    );
  });

  test("a gate id not in the registry is not shown", () => {
    expect(renderResultsTable([{ id: "evil:<b>", status: "pass" }], registry)).toContain(
      "_(gate not in the registry)_",
    );
  });

  test.each([
    [0, "0"],
    [123456, "123456"],
    [98765.4321, "98765.43"],
    [12.3456, "12.35"],
    [-15, "-15"],
    [1e20, "1.000e+20"],
    [0.00001, "1.000e-5"],
  ])("formatNumber(%p) = %s", (n, s) => {
    expect(formatNumber(n)).toBe(s);
  });

  test("the section shows stale and same-tree notes, newest first", () => {
    const ledger = aLedger(
      aDispatch({ id: "mc-0000000001", state: "completed", conclusion: "success", stale: true, staleBy: HEAD2 }),
      aDispatch({
        id: "mc-0000000002",
        state: "completed",
        conclusion: "success",
        alsoCovers: [HEAD2],
        bundle: "full",
      }),
      aDispatch({
        id: "mc-0000000003",
        sha: HEAD2,
        state: "waiting",
        bundle: "single",
        singleGate: "b200:big_8x20",
        budgetPct: -10,
        baselineRef: "origin/main",
      }),
    );
    const text = renderTierBSection(ledger, HEAD2, registry);
    expect(text.indexOf("single b200:big_8x20")).toBeLessThan(text.indexOf("`full`"));
    expect(text).toContain("**stale**: the PR head is now `bbbbbbb`");
    expect(text).toContain("still valid for `bbbbbbb`: same tree as `aaaaaaa`");
    expect(text).toContain("(baseline `origin/main`, budget -10 %)");
    // In the comment a run in flight is only "in flight": its check run follows each step.
    expect(text).toContain("— ⏳ in flight: its `Tier-B: single b200:big_8x20` check follows the run");
    expect(text).not.toContain("waiting for maintainer approval");
    expect(text).toContain("requested by **maintainer**");
  });

  test.each([
    [{ state: "waiting" as const }, { status: "queued", title: "Waiting for maintainer approval" }],
    [{ state: "in_progress" as const }, { status: "in_progress" }],
    [
      { state: "cancelled" as const, endReason: "cancel-requested" as const },
      { status: "completed", conclusion: "cancelled" },
    ],
    [
      { state: "completed" as const, conclusion: "success" as const },
      { status: "completed", conclusion: "success", title: "All requested gates passed" },
    ],
    [
      { state: "completed" as const, conclusion: "failure" as const, stale: true, staleBy: HEAD2 },
      {
        status: "completed",
        conclusion: "failure",
        title: "Not all requested gates passed (stale: the PR has a newer head)",
      },
    ],
  ])("check run output for %j", (over, out) => {
    expect(checkRunOutput(aDispatch(over), registry)).toMatchObject({ name: "Tier-B: hot_path_min", ...out });
  });
});

describe("concludeRun: a completed run's results file, whatever state it arrives in", () => {
  test.each<[string, RunResultsFile, "success" | "failure", string]>([
    ["a valid file where every gate passed", { ok: true, text: JSON.stringify(aResultsFile()) }, "success", "valid"],
    ["no artifact: the run ended before any gate", { ok: false, reason: "no-artifact" }, "failure", "missing"],
    ["an artifact without the file", { ok: false, reason: "no-file" }, "failure", "missing"],
    ["an artifact too large to read", { ok: false, reason: "too-large" }, "failure", "refused"],
    ["a zip that does not unpack", { ok: false, reason: "bad-zip" }, "failure", "refused"],
    ["a file that is not JSON", { ok: true, text: "{ not json" }, "failure", "refused"],
    [
      "a file for another head",
      { ok: true, text: JSON.stringify(aResultsFile({ head_sha: HEAD2 })) },
      "failure",
      "refused",
    ],
  ])("%s", (_name, file, conclusion, outcome) => {
    const c = concludeRun(file, expected, "success");
    expect({ conclusion: c.conclusion, outcome: c.results.outcome }).toEqual({ conclusion, outcome });
  });

  test("every gate passed but the run itself failed: not a success", () => {
    expect(concludeRun({ ok: true, text: JSON.stringify(aResultsFile()) }, expected, "failure").conclusion).toBe(
      "failure",
    );
  });
});
