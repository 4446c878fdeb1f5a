import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/commands/gates.js";
import { runCli } from "./fake-io.js";

const fixture = readFileSync(fileURLToPath(new URL("../fixtures/gates/gates.toml", import.meta.url)), "utf8");

const files = {
  "/repo/gates.toml": fixture,
  "/repo/bad.toml": fixture + '\n[gates."cpu:x"]\ntier = "a"\n',
  "/repo/syntax.toml": '[gates."a"]\ntier = \n',
  "-": fixture,
};

async function cli(args: string[]) {
  return runCli(run, args, { files, stdin: files["-"] });
}

describe("merge-captain gates", () => {
  test.each([
    ["a valid registry", ["gates.toml"], 0],
    ["stdin", ["-"], 0],
    ["a failed cross-check", ["bad.toml"], 1],
    ["a TOML syntax error", ["syntax.toml"], 1],
    ["a missing file", ["nope.toml"], 2],
    ["no file", [], 2],
    ["an unknown flag", ["gates.toml", "--jsn"], 2],
    ["--help", ["-h"], 0],
  ])("%s → %i", async (_name, args, code) => {
    expect((await cli(args)).code).toBe(code);
  });

  test("--help names `gates run` too, and where its options are", async () => {
    const r = await cli(["--help"]);
    expect(r.stdout).toContain("merge-captain gates run --registry <gates.toml>");
    expect(r.stdout).toContain("merge-captain gates run --help");
  });

  test("--json lists gates (id, tier, kind first) and bundles", async () => {
    const r = await cli(["gates.toml", "--json"]);
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(true);
    expect(json.errors).toEqual([]);
    expect(json.gates).toHaveLength(6);
    expect(Object.keys(json.gates[0]).slice(0, 3)).toEqual(["id", "tier", "kind"]);
    expect(json.gates.find((g: { id: string }) => g.id === "perf:delta")).toEqual({
      id: "perf:delta",
      tier: "b",
      kind: "perf",
      timeout_s: 0,
      compare_gate: "b200:step_8x10",
      metric: "step_tps_p50",
    });
    expect(json.bundles).toEqual({
      smoke: ["b200:step_1x10"],
      hot_path: ["b200:step_1x10", "b200:step_8x10", "perf:delta"],
      full: ["b200:step_1x10", "b200:step_8x10", "soak:resume", "perf:delta"],
    });
  });

  test("--json on an invalid registry", async () => {
    const r = await cli(["bad.toml", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      gates: [],
      bundles: {},
      errors: [
        expect.objectContaining({
          code: "registry.missing-cmd",
          path: "/gates/cpu:x/cmd",
          hint: expect.stringContaining("cmd"),
        }),
      ],
    });
  });

  test("human output summarises a valid registry", async () => {
    const r = await cli(["gates.toml"]);
    expect(r.stdout.split("\n")[0]).toBe("✓ gate registry valid (gates.toml): 6 gates (2 tier A, 4 tier B), 3 bundles");
    expect(r.stdout).toContain("    hot_path: b200:step_1x10, b200:step_8x10, perf:delta");
  });

  test("human output lists errors with line and column for TOML syntax", async () => {
    const r = await cli(["syntax.toml"]);
    expect(r.stdout).toBe(
      "✗ gate registry invalid (syntax.toml): 1 error\n  TOML invalid value (line 2, column 8)\n    hint: fix the TOML syntax at that position\n",
    );
  });

  test("`gates run` is not handled here", async () => {
    const r = await cli(["run", "--bundle", "smoke"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("gates run");
  });
});
