// The bundled action as GitHub runs it: `node dist-action/index.mjs` with the inputs as INPUT_*
// variables and the runner's command files, against a real registry and real child processes.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { INPUT_NAMES } from "../../src/action/main.js";
import { tierBResultsSchema } from "../../src/core/schemas/tier-b-results.generated.js";
import { validateAgainst } from "../../src/core/schemas/validate.js";
import { parseOutputs } from "../support/github-output.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = join(root, "dist-action/index.mjs");
const SHA = "0123456789abcdef0123456789abcdef01234567";
const DISPATCH = "dsp-20240101-abcd";

let dir: string;
let workspace: string;
let runnerTemp: string;

/** The runner's per-step command files, fresh for every run. */
interface Step {
  output: string;
  summary: string;
  env: string;
  path: string;
}

function newStep(name: string): Step {
  const d = join(runnerTemp, "_runner_file_commands", name);
  mkdirSync(d, { recursive: true });
  const step = {
    output: join(d, "set_output"),
    summary: join(d, "step_summary"),
    env: join(d, "set_env"),
    path: join(d, "add_path"),
  };
  for (const f of Object.values(step)) writeFileSync(f, "");
  return step;
}

function runEntry(inputs: Record<string, string>, step: Step): { status: number | null; stdout: string } {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: step.output,
    GITHUB_STEP_SUMMARY: step.summary,
    GITHUB_ENV: step.env,
    GITHUB_PATH: step.path,
    ACTIONS_RUNTIME_TOKEN: "not-a-real-token",
    GATE_DATA: "/data/gates",
  };
  // As the runner passes them: INPUT_ plus the name in upper case, dashes kept.
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const r = spawnSync(process.execPath, [ENTRY], { env, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mc-action-"));
  workspace = join(dir, "workspace");
  runnerTemp = join(dir, "runner-temp");
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  mkdirSync(join(runnerTemp, "tier-b"));
  writeFileSync(join(workspace, "configs.toml"), "x = 1\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function registry(step: Step): string {
  const path = join(runnerTemp, "tier-b/gates.toml");
  writeFileSync(
    path,
    `
[gates."gpu:train"]
tier = "b"
requires = ["GATE_DATA"]
requires_files = ["configs.toml"]
cmd = "echo node_tps: 100; echo node_tps: 140; echo node_tps: 120; echo 'loss at 10.20.30.40'"

[gates."gpu:sneaky"]
tier = "b"
cmd = "echo '::set-output name=status::pass'; printf 'status=pass\\\\n' >> ${step.output}; printf 'LD_PRELOAD=/tmp/x.so\\\\n' >> ${step.env}; echo node_tps: 7"

[gates."gpu:broken"]
tier = "b"
cmd = "echo failing; exit 3"

[bundles]
green = ["gpu:train"]
mixed = ["gpu:train", "gpu:sneaky", "gpu:broken"]
`,
  );
  return path;
}

describe("the bundled action, run the way GitHub runs it", () => {
  test("a green bundle: exit 0, a bound schema-valid results file, outputs and a job summary", () => {
    const step = newStep("green");
    const r = runEntry({ registry: registry(step), bundle: "green", "head-sha": SHA, "dispatch-id": DISPATCH }, step);
    expect(r.status).toBe(0);
    const outputs = parseOutputs(readFileSync(step.output, "utf8"));
    const path = join(runnerTemp, "tier-b/tier_b_results.json");
    expect(outputs.status).toBe("pass");
    expect(outputs.results).toBe(path);
    const bytes = readFileSync(path);
    expect(outputs["results-sha256"]).toBe(createHash("sha256").update(bytes).digest("hex"));
    const results: unknown = JSON.parse(bytes.toString("utf8"));
    expect(JSON.parse(outputs["results-json"]!)).toEqual(results);
    expect(validateAgainst(tierBResultsSchema, results)).toEqual([]);
    expect(results).toEqual({
      bundle: "green",
      gate_ids: ["gpu:train"],
      results: {
        "gpu:train": {
          status: "pass",
          rc: 0,
          duration_s: expect.any(Number),
          node_tps_p50: 120,
          node_tps_samples: 3,
        },
      },
      overall: "pass",
      head_sha: SHA,
      dispatch_id: DISPATCH,
    });
    const summary = readFileSync(step.summary, "utf8");
    expect(summary).toContain("### merge-captain gates: `green` — ✅ pass");
    expect(summary).toContain("| `gpu:train` | ✅ pass | 0 |");
    expect(summary).toContain("`node_tps_p50=120 node_tps_samples=3`");
    expect(summary).toContain("Bound to head `0123456` and dispatch `dsp-20240101-abcd`.");
    // Raw output reached the job log only, never the summary or the results.
    expect(r.stdout).toContain("[gpu:train] loss at 10.20.30.40");
    expect(summary + bytes.toString("utf8")).not.toContain("10.20.30.40");
  });

  test("a mixed bundle: exit 1, status fail, and what a gate wrote to the command files does not count", () => {
    const step = newStep("mixed");
    const r = runEntry({ registry: registry(step), bundle: "mixed", "head-sha": SHA, "dispatch-id": DISPATCH }, step);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("::error::merge-captain: the gates did not pass (overall: fail); see the job summary");
    const outputs = parseOutputs(readFileSync(step.output, "utf8"));
    expect(outputs.status).toBe("fail");
    expect(readFileSync(step.output, "utf8")).not.toMatch(/^status=pass$/m);
    expect(readFileSync(step.env, "utf8")).toBe("");
    // The gate's `::set-output` was printed while workflow commands were off (the token pair brackets all gate output).
    const off = /^::stop-commands::(merge-captain-[0-9a-f]{32})$/m.exec(r.stdout);
    expect(off).not.toBeNull();
    const on = r.stdout.indexOf(`::${off![1]}::`);
    const sneaky = r.stdout.indexOf("[gpu:sneaky] ::set-output name=status::pass");
    expect(off!.index).toBeLessThan(sneaky);
    expect(sneaky).toBeLessThan(on);
    const results = JSON.parse(outputs["results-json"]!);
    expect(results.results["gpu:broken"]).toMatchObject({ status: "fail", rc: 3, reason: "exit-code" });
    expect(results.results["gpu:sneaky"]).toMatchObject({ status: "pass", node_tps_p50: 7, node_tps_samples: 1 });
    const summary = readFileSync(step.summary, "utf8");
    expect(summary).toContain("| `gpu:broken` | ❌ fail | 3 |");
    expect(summary).not.toContain("failing");
  });

  test("bundle `single` with a gate runs that one gate, as a Tier-B dispatch sends it", () => {
    const step = newStep("single");
    const r = runEntry(
      {
        registry: registry(step),
        bundle: "single",
        gate: "gpu:broken",
        "head-sha": SHA,
        "dispatch-id": DISPATCH,
        out: join(dir, "single.json"),
      },
      step,
    );
    expect(r.status).toBe(1);
    expect(JSON.parse(readFileSync(join(dir, "single.json"), "utf8"))).toMatchObject({
      bundle: "single",
      gate_ids: ["gpu:broken"],
      overall: "fail",
    });
  });

  // `REGISTRY` stands for the registry this test writes.
  test.each([
    [
      "a head SHA without a dispatch id",
      { registry: "REGISTRY", "head-sha": SHA, bundle: "green" },
      "::error::merge-captain: input head-sha and dispatch-id go together (both bind the results to one dispatch)",
    ],
    ["no registry", { bundle: "green" }, "::error::merge-captain: input registry is required"],
    ["an unknown bundle", { registry: "REGISTRY", bundle: "nope" }, '::error::merge-captain: unknown bundle "nope"'],
    [
      "a registry that does not exist",
      { registry: "/nonexistent/gates.toml", bundle: "green" },
      '::error::merge-captain: cannot read the gate registry "/nonexistent/gates.toml" (ENOENT)',
    ],
  ])("bad input (%s): one annotation naming it, status error, exit 1, no stack trace", (name, inputs, message) => {
    const step = newStep(`bad-${name.replace(/\W+/g, "-")}`);
    const path = registry(step);
    const r = runEntry(
      Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v === "REGISTRY" ? path : v])),
      step,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(message);
    expect(r.stdout).not.toMatch(/\n\s+at /);
    expect(parseOutputs(readFileSync(step.output, "utf8"))).toEqual({ status: "error" });
  });
});

describe("action.yml", () => {
  const meta = parseYaml(readFileSync(join(root, "action.yml"), "utf8")) as {
    inputs: Record<string, { required?: boolean }>;
    outputs: Record<string, unknown>;
    runs: { using: string; main: string };
  };

  test("a JavaScript action on the node24 runtime whose entry is the committed bundle", () => {
    expect(meta.runs).toEqual({ using: "node24", main: "dist-action/index.mjs" });
    expect(existsSync(join(root, meta.runs.main))).toBe(true);
  });

  test("declares exactly the inputs the entry reads, and the outputs it writes", () => {
    const read = Object.values(INPUT_NAMES).filter((n) => n !== "log-file");
    expect(Object.keys(meta.inputs).sort()).toEqual([...read].sort());
    expect(
      Object.entries(meta.inputs)
        .filter(([, i]) => i.required === true)
        .map(([n]) => n),
    ).toEqual(["registry"]);
    expect(Object.keys(meta.outputs).sort()).toEqual(["results", "results-json", "results-sha256", "status"]);
  });
});

describe("dist-action/ is what `npm run build:action` builds from src/ now", () => {
  test("a fresh build into a temporary directory is byte-identical to the committed files", async () => {
    const out = mkdtempSync(join(tmpdir(), "mc-bundle-"));
    try {
      const script = new URL("scripts/build-action.mjs", new URL("../../", import.meta.url)).href;
      const { buildAction } = (await import(script)) as { buildAction: (outdir: string) => Promise<string[]> };
      const files = await buildAction(out);
      expect(files.sort()).toEqual(["index.mjs", "licenses.txt"]);
      for (const name of files) {
        const fresh = readFileSync(join(out, name), "utf8");
        const committed = readFileSync(join(root, "dist-action", name), "utf8");
        // A stale bundle fails here: run `npm run build:action` and commit dist-action/.
        expect({ name, same: fresh === committed }).toEqual({ name, same: true });
        expect(fresh).not.toContain(root);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
