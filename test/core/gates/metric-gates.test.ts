import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { judgeMetric, matchesBaseline, yieldsMetric } from "../../../src/core/gates/metrics.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import type { Problem } from "../../../src/core/problem.js";

/** The baseline-regression loop: flags off must reproduce val_loss 4.9413, the experiment must beat it. */
const LOOP = `
[gates."eval:flags_off"]
tier = "b"
cmd = "python train.py --tokens 8M --no-new-flags"
[gates."eval:flags_off".metrics]
val_loss = { prefix = "val_loss:", stat = "last" }

[gates."eval:val_loss"]
tier = "b"
kind = "metric"
cmd = "python train.py --tokens 8M"
metric = "val_loss"
baseline = 4.9413
direction = "lower"
tolerance_pct = 0.5
baseline_gate = "eval:flags_off"
[gates."eval:val_loss".metrics]
val_loss = { prefix = "val_loss:", stat = "last" }
`;

function errors(toml: string): Problem[] {
  const r = parseRegistry(toml);
  return r.ok ? [] : r.errors;
}

/** One metric gate with `over` lines replacing its defaults (a key set to "" is removed). */
function metricGate(over: Record<string, string> = {}, extra = ""): string {
  const keys: Record<string, string> = {
    tier: '"b"',
    kind: '"metric"',
    cmd: '"run"',
    metric: '"val_loss"',
    baseline: "4.9413",
    direction: '"lower"',
    ...over,
  };
  const lines = Object.entries(keys)
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `${k} = ${v}`);
  return `[gates."m"]\n${lines.join("\n")}\n[gates."m".metrics]\nval_loss = { prefix = "val_loss:" }\n${extra}`;
}

describe("metric gates in the registry", () => {
  test("the baseline-regression loop parses, with every field kept", () => {
    const r = parseRegistry(LOOP);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.gates.get("eval:val_loss")).toMatchObject({
      kind: "metric",
      metric: "val_loss",
      baseline: 4.9413,
      direction: "lower",
      tolerance_pct: 0.5,
      baseline_gate: "eval:flags_off",
    });
  });

  test("a metric named the nmoe way (`<base>_p50`) needs no metrics table", () => {
    const toml = `[gates."m"]\ntier = "b"\nkind = "metric"\ncmd = "run"\nmetric = "tps_p50"\nbaseline = 100\ndirection = "higher"\n`;
    expect(errors(toml)).toEqual([]);
  });

  test.each<[string, string, Partial<Problem>]>([
    ["no cmd", metricGate({ cmd: "" }), { code: "registry.missing-cmd", path: "/gates/m/cmd" }],
    ["no metric", metricGate({ metric: "" }), { code: "registry.missing-metric", path: "/gates/m/metric" }],
    [
      "a metric nothing reads from the output",
      metricGate({ metric: '"val_acc"' }),
      { code: "registry.unreadable-metric", path: "/gates/m/metric" },
    ],
    ["no baseline", metricGate({ baseline: "" }), { code: "registry.missing-baseline", path: "/gates/m/baseline" }],
    ["a baseline of 0", metricGate({ baseline: "0" }), { code: "registry.bad-baseline", path: "/gates/m/baseline" }],
    ["no direction", metricGate({ direction: "" }), { code: "registry.missing-direction", path: "/gates/m/direction" }],
    ["a direction that is neither", metricGate({ direction: '"down"' }), { code: "schema.enum" }],
    ["a negative tolerance", metricGate({ tolerance_pct: "-1" }), { code: "schema.minimum" }],
    ["compare_gate on a metric gate", metricGate({ compare_gate: '"m"' }), { code: "registry.metric-key" }],
    [
      "an unknown baseline gate",
      metricGate({ baseline_gate: '"eval:flag_off"' }),
      { code: "registry.unknown-gate", path: "/gates/m/baseline_gate" },
    ],
    ["itself as baseline gate", metricGate({ baseline_gate: '"m"' }), { code: "registry.self-baseline-gate" }],
    [
      "a baseline gate that runs no command",
      metricGate({ baseline_gate: '"ext"' }, '[gates."ext"]\ntier = "b"\nkind = "external"\n'),
      { code: "registry.bad-baseline-gate" },
    ],
    [
      "a baseline gate in another tier",
      metricGate(
        { baseline_gate: '"off"' },
        '[gates."off"]\ntier = "a"\ncmd = "x"\nmetrics.val_loss = { prefix = "v:" }\n',
      ),
      { code: "registry.bad-baseline-gate", message: expect.stringContaining("Tier-A") as unknown as string },
    ],
    [
      "a baseline gate that does not yield the metric",
      metricGate({ baseline_gate: '"off"' }, '[gates."off"]\ntier = "b"\ncmd = "x"\n'),
      { code: "registry.unreadable-metric", path: "/gates/m/baseline_gate" },
    ],
    [
      "a baseline on a cmd gate (silently ignored otherwise)",
      '[gates."c"]\ntier = "b"\ncmd = "x"\nbaseline = 1\n',
      {
        code: "registry.metric-key",
        path: "/gates/c/baseline",
        hint: expect.stringContaining('kind = "metric"') as unknown as string,
      },
    ],
  ])("%s is an error that names the field", (_name, toml, want) => {
    expect(errors(toml)).toEqual(expect.arrayContaining([expect.objectContaining(want)]));
  });

  test("yieldsMetric: declared, conventional, or not readable", () => {
    expect(yieldsMetric({ metrics: { val_loss: { prefix: "v:" } } }, "val_loss")).toBe(true);
    expect(yieldsMetric({}, "tps_p50")).toBe(true);
    expect(yieldsMetric({}, "val_loss")).toBe(false);
  });
});

describe("judgeMetric: a value against a fixed baseline, in a direction", () => {
  test.each<[string, number, "lower" | "higher", number, "pass" | "fail", number, boolean]>([
    ["lower and below: better", 4.9, "lower", 0, "pass", -0.835812, true],
    ["lower and equal: `<=` holds", 4.9413, "lower", 0, "pass", 0, false],
    ["lower and above: worse", 4.96, "lower", 0, "fail", 0.378443, false],
    ["lower, above but within tolerance", 4.96, "lower", 0.5, "pass", 0.378443, false],
    ["higher and above: better", 5, "higher", 0, "pass", 1.187946, true],
    ["higher and below: worse", 4.9, "higher", 0, "fail", -0.835812, false],
    ["higher, below but within tolerance", 4.9, "higher", 1, "pass", -0.835812, false],
  ])("%s", (_name, value, direction, tolerance, status, delta, better) => {
    expect(judgeMetric(value, 4.9413, direction, tolerance)).toEqual({ status, delta_pct: delta, better });
  });

  test.each([
    ["a zero baseline", 1, 0],
    ["a NaN value", Number.NaN, 4.9],
    ["an infinite baseline", 1, Number.POSITIVE_INFINITY],
  ])("%s cannot be judged: an error, never a pass", (_name, value, baseline) => {
    expect(judgeMetric(value, baseline, "lower")).toEqual({ status: "error", reason: "bad-baseline" });
  });

  test("a negative baseline keeps the direction's meaning (lower is still better)", () => {
    expect(judgeMetric(-2, -1, "lower")).toMatchObject({ status: "pass", better: true, delta_pct: -100 });
  });

  const num = fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((n) => Math.abs(n) > 1e-3);
  const tol = fc.double({ min: 0, max: 100, noNaN: true });
  const deltaOf = (value: number, baseline: number): number => ((value - baseline) / Math.abs(baseline)) * 100;

  test("property: lower passes exactly when the value is at most tolerance % above the baseline", () => {
    fc.assert(
      fc.property(num, num, tol, (value, baseline, t) => {
        const d = deltaOf(value, baseline);
        fc.pre(Math.abs(d - t) > 1e-4); // a value on the boundary is decided by the 6-decimal rounding
        const j = judgeMetric(value, baseline, "lower", t);
        return j.status === (d <= t ? "pass" : "fail");
      }),
    );
  });

  test("property: the directions mirror each other", () => {
    fc.assert(
      fc.property(num, num, tol, (value, baseline, t) => {
        const mirrored = baseline - (value - baseline);
        const d = deltaOf(value, baseline);
        fc.pre(Math.abs(Math.abs(d) - t) > 1e-4 && Math.abs(d) > 1e-4);
        const lower = judgeMetric(value, baseline, "lower", t);
        const higher = judgeMetric(mirrored, baseline, "higher", t);
        return (
          lower.status === higher.status && "better" in lower && "better" in higher && lower.better === higher.better
        );
      }),
    );
  });

  test("property: a wider tolerance never turns a pass into a fail", () => {
    fc.assert(
      fc.property(num, num, tol, tol, (value, baseline, a, b) => {
        const [narrow, wide] = a <= b ? [a, b] : [b, a];
        const before = judgeMetric(value, baseline, "higher", narrow);
        return before.status !== "pass" || judgeMetric(value, baseline, "higher", wide).status === "pass";
      }),
    );
  });
});

describe("matchesBaseline: flags off must reproduce the baseline", () => {
  test.each([
    [4.9413, 0, true],
    [4.95, 0, false],
    [4.95, 0.5, true],
    [4.91, 0.5, false],
    [Number.NaN, 5, false],
  ])("%p within %p %% → %p", (value, tol, want) => {
    expect(matchesBaseline(value, 4.9413, tol)).toBe(want);
  });
});

describe("the example registry shipped in configs/", () => {
  test("has a metric gate with a baseline gate, and parses", () => {
    const r = parseRegistry(readFileSync(new URL("../../../configs/gates/gates.toml", import.meta.url), "utf8"));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const metric = [...r.value.gates.values()].find((g) => g.kind === "metric");
    expect(metric).toMatchObject({ direction: expect.any(String), baseline: expect.any(Number) });
    expect(metric?.baseline_gate && r.value.gates.has(metric.baseline_gate)).toBe(true);
  });
});
