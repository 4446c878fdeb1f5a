import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../../src/cli/commands/gates-run.js";
import type { CliIo } from "../../src/cli/io.js";
import { tierBResultsSchema } from "../../src/core/schemas/tier-b-results.generated.js";
import { validateAgainst } from "../../src/core/schemas/validate.js";

let dir: string;
const SHA = "0123456789abcdef0123456789abcdef01234567";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mc-cli-"));
  writeFileSync(
    join(dir, "gates.toml"),
    `
[gates."cpu:ok"]
tier = "a"
cmd = "echo 'token ghp_notreallyatoken000000000000000000000 at 10.1.2.3'; echo 'node_tps: 50'"

[gates."cpu:bad"]
tier = "a"
cmd = "exit 2"

[gates."gpu:needs"]
tier = "b"
requires = ["MC_CLI_ABSENT"]
cmd = "true"

[gates."gpu:ext"]
tier = "b"
kind = "external"

[bundles]
good = ["cpu:ok"]
pendingish = ["cpu:ok", "gpu:ext"]
broken = ["cpu:ok", "gpu:needs"]
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readFile: (p) => readFile(p, "utf8"),
    readStdin: async () => "",
    cwd: dir,
    env: { PATH: process.env.PATH },
  };
}

describe("merge-captain gates run", () => {
  test("a bound Tier-B run writes a schema-valid results file without any raw output, and exits 0 when all pass", async () => {
    const io = fakeIo();
    const code = await run(
      [
        "--registry",
        "gates.toml",
        "--bundle",
        "good",
        "--out",
        "out/tier_b_results.json",
        "--head-sha",
        SHA,
        "--dispatch-id",
        "dsp-12345678",
      ],
      io,
    );
    expect(code).toBe(0);
    const text = readFileSync(join(dir, "out/tier_b_results.json"), "utf8");
    const results: unknown = JSON.parse(text);
    expect(validateAgainst(tierBResultsSchema, results)).toEqual([]);
    expect(results).toEqual({
      bundle: "good",
      gate_ids: ["cpu:ok"],
      results: { "cpu:ok": expect.objectContaining({ status: "pass", rc: 0 }) },
      overall: "pass",
      head_sha: SHA,
      dispatch_id: "dsp-12345678",
    });
    expect(text).not.toMatch(/ghp_|10\.1\.2\.3|node_tps:/);
    // …the output went to the log instead.
    expect(io.err.join("")).toContain("[cpu:ok] node_tps: 50");
  });

  test.each([
    ["a failing gate", ["--gate", "cpu:bad"], 1, "fail"],
    ["an external gate keeps the run pending", ["--bundle", "pendingish"], 1, "pending"],
    ["a missing env var skips, and the run is not a pass", ["--bundle", "broken"], 1, "skipped"],
    ["all tier-a gates", ["--tier", "a"], 1, "fail"],
  ])("%s → exit %p, overall %p", async (_name, select, exit, overall) => {
    const io = fakeIo();
    const code = await run(["--registry", "gates.toml", ...select, "--json"], io);
    expect(code).toBe(exit);
    expect(JSON.parse(io.out.join(""))).toMatchObject({ overall });
  });

  test("names a missing variable by name only", async () => {
    const io = fakeIo();
    io.env.OTHER = "value-that-must-not-appear";
    await run(["--registry", "gates.toml", "--gate", "gpu:needs", "--json"], io);
    const results = JSON.parse(io.out.join(""));
    expect(results.results["gpu:needs"]).toEqual({ status: "skipped", reason: "missing-env: MC_CLI_ABSENT" });
    expect(io.out.join("") + io.err.join("")).not.toContain("value-that-must-not-appear");
  });

  test("--log-file keeps raw output out of stderr (for public logs) and in the file", async () => {
    const io = fakeIo();
    expect(await run(["--registry", "gates.toml", "--gate", "cpu:ok", "--log-file", "logs/gates.log"], io)).toBe(0);
    expect(io.err.join("")).not.toContain("node_tps");
    expect(readFileSync(join(dir, "logs/gates.log"), "utf8")).toContain("[cpu:ok] node_tps: 50");
  });

  test("a local run without a binding writes a file marked for local use", async () => {
    const io = fakeIo();
    const code = await run(["--registry", "gates.toml", "--gate", "cpu:ok", "--out", "local.json"], io);
    expect(code).toBe(0);
    const results = JSON.parse(readFileSync(join(dir, "local.json"), "utf8"));
    expect(results).not.toHaveProperty("head_sha");
    expect(results.bundle).toBe("single");
    expect(io.err.join("")).toContain("for local use");
  });

  test.each([
    ["no selection", ["--registry", "gates.toml"]],
    ["two selections", ["--registry", "gates.toml", "--bundle", "good", "--gate", "cpu:ok"]],
    ["no registry", ["--bundle", "good"]],
    ["a head SHA without a dispatch id", ["--registry", "gates.toml", "--bundle", "good", "--head-sha", SHA]],
    [
      "a short head SHA",
      ["--registry", "gates.toml", "--bundle", "good", "--head-sha", "abc123", "--dispatch-id", "dsp-12345678"],
    ],
    ["a bad budget", ["--registry", "gates.toml", "--bundle", "good", "--budget", "ten"]],
    ["an unknown flag", ["--registry", "gates.toml", "--bundle", "good", "--frobnicate"]],
    ["an unreadable registry", ["--registry", "nope.toml", "--bundle", "good"]],
  ])("usage error: %s → exit 2, nothing run", async (_name, args) => {
    const io = fakeIo();
    expect(await run(args, io)).toBe(2);
    expect(io.err.join("")).toMatch(/error:/);
    expect(io.err.join("")).not.toMatch(/at .*\.ts:\d+/);
  });

  test("an unknown bundle is a usage error (exit 2) that names the bundles that exist, and no file is written", async () => {
    const io = fakeIo();
    expect(await run(["--registry", "gates.toml", "--bundle", "goood", "--out", "never.json"], io)).toBe(2);
    expect(io.err.join("")).toContain("good");
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });

  test("an unknown --gate is a usage error (exit 2), not a failed gate", async () => {
    const io = fakeIo();
    expect(await run(["--registry", "gates.toml", "--gate", "cpu:nope", "--out", "never.json"], io)).toBe(2);
    expect(io.err.join("")).toBe(
      'error: unknown gate "cpu:nope"\n  hint: gate ids are the `[gates."…"]` tables of the registry\n',
    );
    expect(existsSync(join(dir, "never.json"))).toBe(false);
  });

  test("a negative budget written as --budget -10 gets a usage error that shows the = form", async () => {
    const io = fakeIo();
    expect(await run(["--registry", "gates.toml", "--bundle", "good", "--budget", "-10"], io)).toBe(2);
    expect(io.err.join("")).toContain("--budget=-10");
    expect(await run(["--registry", "gates.toml", "--bundle", "good", "--budget=-10"], fakeIo())).toBe(0);
  });

  test("empty optional values (as a workflow passes them) count as absent", async () => {
    const io = fakeIo();
    expect(
      await run(
        [
          "--registry",
          "gates.toml",
          "--bundle",
          "good",
          "--budget",
          "",
          "--baseline-ref",
          "",
          "--baseline-worktree",
          "",
        ],
        io,
      ),
    ).toBe(0);
  });
});
