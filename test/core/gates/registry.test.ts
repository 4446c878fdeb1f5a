import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MAX_REGISTRY_BYTES, parseRegistry, resolveBundle } from "../../../src/core/gates/registry.js";
import type { Problem } from "../../../src/core/problem.js";

const fixture = readFileSync(fileURLToPath(new URL("../../fixtures/gates/gates.toml", import.meta.url)), "utf8");

function errors(toml: string): Problem[] {
  const r = parseRegistry(toml);
  return r.ok ? [] : r.errors;
}

const twoGates = `
[gates."cpu:import"]
tier = "a"
cmd = "python -c 'import x'"

[gates."b200:step"]
tier = "b"
cmd = "run step"
`;

describe("parseRegistry: a valid registry", () => {
  test("reads gates in file order with kind defaulted, and bundles", () => {
    const r = parseRegistry(fixture);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.meta).toEqual({ version: "1", target: "b200" });
    expect([...r.value.gates.keys()]).toEqual([
      "cpu:import",
      "cpu:lint",
      "b200:step_1x10",
      "b200:step_8x10",
      "soak:resume",
      "perf:delta",
    ]);
    expect(r.value.gates.get("cpu:import")).toMatchObject({ id: "cpu:import", tier: "a", kind: "cmd", timeout_s: 30 });
    expect(r.value.gates.get("soak:resume")?.kind).toBe("external");
    expect(r.value.gates.get("b200:step_1x10")?.cmd).toContain("--data_path=${NMOE_DATA_PATH}");
    expect(r.value.bundles.get("hot_path")).toEqual(["b200:step_1x10", "b200:step_8x10", "perf:delta"]);
  });

  test("a registry with no meta and no bundles is fine", () => {
    const r = parseRegistry(twoGates);
    expect(r.ok && [r.value.meta, r.value.bundles.size]).toEqual([{}, 0]);
  });

  test("a BOM and CRLF are fine", () => {
    expect(parseRegistry("\uFEFF" + fixture.replace(/\n/g, "\r\n")).ok).toBe(true);
  });
});

describe("parseRegistry: errors", () => {
  test.each([
    [
      "a bundle lists an unknown gate",
      twoGates + '[bundles]\nsmoke = ["b200:stpe"]\n',
      { code: "registry.unknown-gate", path: "/bundles/smoke/0", hint: "did you mean `b200:step`?" },
    ],
    [
      "a perf gate compares an unknown gate",
      twoGates + '[gates."perf:d"]\ntier = "b"\nkind = "perf"\ncompare_gate = "b200:nope"\nmetric = "tps_p50"\n',
      { code: "registry.unknown-gate", path: "/gates/perf:d/compare_gate" },
    ],
    [
      "a perf gate has no compare_gate",
      twoGates + '[gates."perf:d"]\ntier = "b"\nkind = "perf"\nmetric = "tps_p50"\n',
      { code: "registry.missing-compare-gate", path: "/gates/perf:d/compare_gate" },
    ],
    [
      "a perf gate has no metric",
      twoGates + '[gates."perf:d"]\ntier = "b"\nkind = "perf"\ncompare_gate = "b200:step"\n',
      { code: "registry.missing-metric", path: "/gates/perf:d/metric" },
    ],
    [
      "a cmd gate has no cmd",
      '[gates."cpu:x"]\ntier = "a"\n',
      { code: "registry.missing-cmd", path: "/gates/cpu:x/cmd" },
    ],
    [
      "a bundle is named single",
      twoGates + '[bundles]\nsingle = ["b200:step"]\n',
      { code: "registry.reserved-bundle", path: "/bundles/single" },
    ],
    ["a wrong tier", '[gates."b200:x"]\ntier = "c"\ncmd = "x"\n', { code: "schema.enum", path: "/gates/b200:x/tier" }],
    [
      "a wrong kind",
      '[gates."b200:x"]\ntier = "b"\nkind = "docker"\ncmd = "x"\n',
      { code: "schema.enum", path: "/gates/b200:x/kind" },
    ],
    [
      "a misspelt key",
      '[gates."b200:x"]\ntier = "b"\ncmd = "x"\ntimout_s = 3\n',
      { code: "schema.unknown-key", path: "/gates/b200:x/timout_s", hint: "did you mean `timeout_s`?" },
    ],
    ["a missing tier", '[gates."b200:x"]\ncmd = "x"\n', { code: "schema.required", path: "/gates/b200:x/tier" }],
    [
      "a string timeout",
      '[gates."b200:x"]\ntier = "b"\ncmd = "x"\ntimeout_s = "60"\n',
      { code: "schema.type", path: "/gates/b200:x/timeout_s" },
    ],
    [
      "a date where a string belongs",
      '[meta]\nversion = 1979-05-27\n[gates."a"]\ntier = "a"\ncmd = "x"\n',
      { path: "/meta/version" },
    ],
    [
      "an unknown top-level table",
      twoGates + "[gate]\nx = 1\n",
      {
        code: "schema.unknown-key",
        path: "/gate",
        message: 'unknown key "gate" at the top level of the gate registry',
      },
    ],
    ["a bad gate id", '[gates."bad id"]\ntier = "a"\ncmd = "x"\n', { code: "schema.key", path: "/gates/bad id" }],
    ["an empty bundle", twoGates + "[bundles]\nnone = []\n", { code: "schema.minItems", path: "/bundles/none" }],
    ["no gates at all", '[meta]\nversion = "1"\n', { code: "schema.required", path: "/gates" }],
  ])("%s", (_name, toml, expected) => {
    expect(errors(toml)).toEqual([expect.objectContaining(expected)]);
  });

  test("a gate id with a slash is escaped in the path", () => {
    expect(errors('[gates."a/b"]\ntier = "a"\n')).toEqual([expect.objectContaining({ path: "/gates/a~1b/cmd" })]);
  });

  test.each([
    ["a missing value", '[gates."a"]\ntier = \n', 2, 8],
    ["a duplicate key", '[gates."a"]\ntier = "a"\ntier = "b"\n', 3, 1],
    ["a duplicate table", '[gates."a"]\ntier = "a"\n[gates."a"]\ntier = "b"\n', 3, 2],
    ["an unterminated string", '[gates."a"]\ncmd = "x\n', 2, 9],
  ])("a TOML syntax error (%s) names line and column", (_name, toml, line, column) => {
    const found = errors(toml);
    expect(found).toHaveLength(1);
    expect(found[0]!.code).toBe("registry.toml-syntax");
    expect(found[0]!.message).toMatch(new RegExp(`\\(line ${line}, column ${column}\\)$`));
    expect(found[0]!.message).not.toContain("\n");
  });

  test("a __proto__ key is refused", () => {
    expect(errors('[gates.__proto__]\ntier = "a"\n')[0]!.code).toBe("registry.toml-syntax");
  });

  test("an oversize registry is refused before parsing", () => {
    expect(errors("# " + "x".repeat(MAX_REGISTRY_BYTES) + "\n" + twoGates)).toEqual([
      expect.objectContaining({ code: "registry.too-large" }),
    ]);
  });

  test("deeply nested arrays come back as an error", () => {
    expect(errors("x = " + "[".repeat(5000) + "]".repeat(5000))[0]!.code).toBe("registry.toml-syntax");
  });

  test("reports every cross-check failure at once", () => {
    const toml = '[gates."a"]\ntier = "a"\n[bundles]\nsingle = ["a"]\nb = ["zz"]\n';
    expect(errors(toml).map((e) => e.code)).toEqual([
      "registry.missing-cmd",
      "registry.reserved-bundle",
      "registry.unknown-gate",
    ]);
  });
});

describe("resolveBundle", () => {
  const r = parseRegistry(fixture);
  if (!r.ok) throw new Error("fixture must parse");
  const registry = r.value;

  test("returns the bundle's gates in order", () => {
    const gates = resolveBundle(registry, "full");
    expect(gates.ok && gates.value.map((g) => [g.id, g.kind])).toEqual([
      ["b200:step_1x10", "cmd"],
      ["b200:step_8x10", "cmd"],
      ["soak:resume", "external"],
      ["perf:delta", "perf"],
    ]);
  });

  test("an unknown bundle suggests a close one", () => {
    const gates = resolveBundle(registry, "hotpath");
    expect(gates.ok ? [] : gates.errors).toEqual([
      expect.objectContaining({ code: "registry.unknown-bundle", hint: "did you mean `hot_path`?" }),
    ]);
  });

  test("an unknown bundle with no close match lists the bundles", () => {
    const gates = resolveBundle(registry, "everything");
    expect(gates.ok ? "" : gates.errors[0]!.hint).toBe("bundles in the registry: `smoke`, `hot_path`, `full`");
  });
});
