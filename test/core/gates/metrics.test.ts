import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  assembleResults,
  extractMetrics,
  judgePerf,
  metricSpecs,
  overallStatus,
  readingAfter,
  summarise,
  MAX_METRIC_LINE,
} from "../../../src/core/gates/metrics.js";
import type { GateResult } from "../../../src/core/schemas/tier-b-results.generated.js";

describe("readingAfter", () => {
  test.each([
    ["a plain nmoe line", "node_tps: 123456.0", "node_tps:", 123456],
    ["inside a longer line", "step 10 | loss: 2.5 | node_tps: 99.5 | mfu: 0.4", "node_tps:", 99.5],
    ["no space after the colon", "node_tps:42", "node_tps:", 42],
    ["scientific notation", "node_tps: 1.5e5", "node_tps:", 150000],
    ["a negative number", "delta: -3.25", "delta:", -3.25],
    ["the tail of a longer word is not the metric", "avg_node_tps: 1", "node_tps:", undefined],
    ["a longer word first, the real one later", "avg_node_tps: 1 node_tps: 2", "node_tps:", 2],
    ["no number after the prefix", "node_tps: n/a", "node_tps:", undefined],
    ["no prefix at all", "loss: 2.5", "node_tps:", undefined],
    ["a prefix that is punctuation-led", "[tps]=17", "[tps]=", 17],
  ])("%s", (_name, line, prefix, expected) => {
    expect(readingAfter(line, prefix)).toBe(expected);
  });

  test("only the first part of a huge line is searched", () => {
    expect(readingAfter("x".repeat(MAX_METRIC_LINE) + " node_tps: 5", "node_tps:")).toBeUndefined();
  });
});

describe("summarise", () => {
  test.each([
    ["p50 of an odd count", [3, 1, 2], "p50", 2],
    ["p50 of an even count is the mean of the middle two", [4, 1, 3, 2], "p50", 2.5],
    ["mean", [1, 2, 3, 6], "mean", 3],
    ["min", [5, -1, 3], "min", -1],
    ["max", [5, -1, 3], "max", 5],
    ["last", [5, -1, 3], "last", 3],
    ["count", [5, -1, 3], "count", 3],
    ["nothing read", [], "p50", undefined],
    ["nothing read is no count either", [], "count", undefined],
  ] as const)("%s", (_name, values, stat, expected) => {
    expect(summarise(values, stat)).toBe(expected);
  });

  test("the median lies between the smallest and largest reading", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { minLength: 1 }),
        (xs) => {
          const m = summarise(xs, "p50")!;
          return m >= Math.min(...xs) && m <= Math.max(...xs);
        },
      ),
    );
  });
});

describe("metricSpecs and extractMetrics", () => {
  const log = [
    "starting",
    "node_tps: 100",
    "loss: 3.0",
    "node_tps: 300",
    "node_tps: 200",
    "mem_gb: 40",
    "mem_gb: 42",
    "done",
  ];

  test("an undeclared `<base>_p50` is the median of the `<base>:` lines", () => {
    expect(extractMetrics(log, metricSpecs({}, ["mem_gb_p50"]))).toMatchObject({ mem_gb_p50: 41 });
  });

  test("declared metrics use their prefix and stat", () => {
    const specs = metricSpecs({
      metrics: { peak_mem_gb: { prefix: "mem_gb:", stat: "max" }, final_loss: { prefix: "loss:", stat: "last" } },
    });
    expect(extractMetrics(log, specs)).toEqual({
      peak_mem_gb: 42,
      final_loss: 3,
      node_tps_p50: 200,
      node_tps_samples: 3,
    });
  });

  test("every gate yields nmoe's node_tps_p50 and node_tps_samples when its output has node_tps: lines", () => {
    expect(extractMetrics(log, metricSpecs({}))).toEqual({ node_tps_p50: 200, node_tps_samples: 3 });
    expect(extractMetrics(["loss: 1"], metricSpecs({}))).toEqual({});
  });

  test("a declaration wins over the convention for the same name", () => {
    const specs = metricSpecs({ metrics: { node_tps_p50: { prefix: "mem_gb:" } } }, ["node_tps_p50"]);
    expect(extractMetrics(log, specs)).toEqual({ node_tps_p50: 41, node_tps_samples: 3 });
  });

  test("a metric never seen is absent, not zero", () => {
    expect(extractMetrics(["nothing here"], metricSpecs({}, ["node_tps_p50"]))).toEqual({});
  });

  test("an undeclared name without _p50 cannot be read and yields no spec", () => {
    expect(metricSpecs({}, ["throughput"]).map((s) => s.name)).toEqual(["node_tps_p50", "node_tps_samples"]);
  });

  test("names the results file cannot carry are dropped (uppercase, or a field name)", () => {
    const specs = metricSpecs({
      metrics: { TPS: { prefix: "node_tps:" }, rc: { prefix: "node_tps:" }, ok_tps: { prefix: "node_tps:" } },
    });
    expect(extractMetrics(log, specs)).toEqual({ ok_tps: 200, node_tps_p50: 200, node_tps_samples: 3 });
  });
});

describe("judgePerf", () => {
  test.each([
    ["within budget", 100, 95, -10, "pass", -5],
    ["exactly at the budget passes", 100, 90, -10, "pass", -10],
    ["over budget", 100, 85, -10, "fail", -15],
    ["a speed-up", 100, 120, -10, "pass", 20],
    ["a positive budget demands a speed-up", 100, 103, 5, "fail", 3],
  ] as const)("%s", (_name, baseline, result, budget, status, delta) => {
    expect(judgePerf(baseline, result, budget)).toEqual({ status, delta_pct: delta });
  });

  test.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])("a baseline of %p is an error, never a pass", (baseline) => {
    expect(judgePerf(baseline, 100, -10)).toEqual({ status: "error", reason: "bad-baseline" });
  });
});

describe("overallStatus", () => {
  const r = (status: GateResult["status"]): GateResult => ({ status });
  test.each([
    ["all pass", ["a", "b"], { a: r("pass"), b: r("pass") }, "pass"],
    ["one pending", ["a", "b"], { a: r("pass"), b: r("pending") }, "pending"],
    ["one skipped", ["a", "b"], { a: r("skipped"), b: r("pending") }, "skipped"],
    ["one fail among others", ["a", "b", "c"], { a: r("error"), b: r("fail"), c: r("pending") }, "fail"],
    ["a requested gate with no result", ["a", "b"], { a: r("pass") }, "fail"],
    ["nothing requested", [], {}, "fail"],
    ["extra results do not count", ["a"], { a: r("pass"), dep: r("fail") }, "pass"],
  ] as const)("%s", (_name, ids, results, expected) => {
    expect(overallStatus(ids, results)).toBe(expected);
  });
});

describe("assembleResults", () => {
  test("binds to the head and dispatch only when both are given", () => {
    const base = { bundle: "smoke", gateIds: ["a"], results: { a: { status: "pass" as const, rc: 0 } } };
    expect(assembleResults(base)).toEqual({
      bundle: "smoke",
      gate_ids: ["a"],
      results: { a: { status: "pass", rc: 0 } },
      overall: "pass",
    });
    expect(assembleResults({ ...base, headSha: "a".repeat(40) })).not.toHaveProperty("head_sha");
    expect(assembleResults({ ...base, headSha: "a".repeat(40), dispatchId: "d-12345678" })).toMatchObject({
      head_sha: "a".repeat(40),
      dispatch_id: "d-12345678",
    });
  });

  test.each([
    ["contained, all pass", true, { a: { status: "pass" as const } }, "pass"],
    ["not contained, all pass", false, { a: { status: "pass" as const } }, "error"],
    ["not contained, one failed", false, { a: { status: "fail" as const } }, "error"],
    ["containment not reported", undefined, { a: { status: "pass" as const } }, "pass"],
  ])("a run %s is %p overall", (_name, contained, results, overall) => {
    expect(assembleResults({ bundle: "smoke", gateIds: ["a"], results, contained }).overall).toBe(overall);
  });
});
