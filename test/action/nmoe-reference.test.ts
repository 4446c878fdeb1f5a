// nmoe's own gates.toml (the reference copy, unchanged) run by the bundled action in a scratch
// checkout, with stand-ins for python and torchrun that print nmoe's `node_tps:` lines: the results
// file carries the fields nmoe's results table reads. Skipped when the reference files are absent.
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRegistry } from "../../src/core/gates/registry.js";
import type { TierBResults } from "../../src/core/schemas/tier-b-results.generated.js";
import { concludeResults, validateResults } from "../../src/core/tierb/results.js";
import { needsNmoeReference } from "../support/requirements.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const nmoe = needsNmoeReference(["gates.toml"], "nmoe's gates.toml through the bundled action");
const reference = nmoe.available ? nmoe.path("gates.toml") : undefined;

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DISPATCH = "dsp-nmoe-0001";
/** What nmoe's trainer prints (one line per step); the stand-in reads the number from the checkout. */
const TRAINER =
  '#!/bin/sh\nn=$(cat "$PWD/tps.txt")\nfor i in 1 2 3; do echo "step $i | loss: 2.5 | node_tps: $n"; done\n';

let dir: string;
let results: TierBResults;

function checkout(path: string, tps: number): void {
  mkdirSync(join(path, "configs/gates"), { recursive: true });
  copyFileSync(reference!, join(path, "configs/gates/gates.toml"));
  for (const f of ["moonlet.toml", "moonlight.toml", "moonlight_frozen.toml"])
    writeFileSync(join(path, "configs", f), "");
  writeFileSync(join(path, "tps.txt"), `${tps}\n`);
}

nmoe.describe("nmoe's gates.toml through the bundled action", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mc-nmoe-"));
    const bin = join(dir, "bin");
    mkdirSync(bin);
    for (const tool of ["python", "torchrun"]) {
      writeFileSync(join(bin, tool), TRAINER);
      chmodSync(join(bin, tool), 0o755);
    }
    checkout(join(dir, "repo"), 85);
    checkout(join(dir, "repo/.tier-b-baseline"), 100);
    for (const d of ["data", "runs", "temp", "files"]) mkdirSync(join(dir, d));
    for (const f of ["set_output", "step_summary"]) writeFileSync(join(dir, "files", f), "");
    const env: Record<string, string> = {
      PATH: `${bin}:${process.env.PATH ?? ""}`,
      HOME: dir,
      GITHUB_WORKSPACE: join(dir, "repo"),
      RUNNER_TEMP: join(dir, "temp"),
      GITHUB_OUTPUT: join(dir, "files/set_output"),
      GITHUB_STEP_SUMMARY: join(dir, "files/step_summary"),
      NMOE_DATA_PATH: join(dir, "data"),
      NMOE_RUN_ROOT: join(dir, "runs"),
      INPUT_REGISTRY: join(dir, "repo/configs/gates/gates.toml"),
      INPUT_BUNDLE: "full",
      "INPUT_HEAD-SHA": SHA,
      "INPUT_DISPATCH-ID": DISPATCH,
      "INPUT_BASELINE-REF": "origin/master",
      "INPUT_BASELINE-WORKTREE": join(dir, "repo/.tier-b-baseline"),
      INPUT_BUDGET: "-10",
    };
    const r = spawnSync(process.execPath, [join(root, "dist-action/index.mjs")], { env, encoding: "utf8" });
    // The perf gate is over budget (85 against 100), so the run fails: as in nmoe's own example.
    expect(r.status).toBe(1);
    results = JSON.parse(readFileSync(join(dir, "temp/tier-b/tier_b_results.json"), "utf8")) as TierBResults;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("every gate that ran records node_tps_p50 (and the number of samples), as nmoe's runner does", () => {
    for (const id of ["b200:moonlet_1x10", "b200:moonlight_8x20", "b200:profile_fp8", "b200:profile_nvfp4"])
      expect({ id, ...results.results[id] }).toEqual({
        id,
        status: "pass",
        rc: 0,
        duration_s: expect.any(Number),
        node_tps_p50: 85,
        node_tps_samples: 3,
      });
  });

  test("the perf gate carries nmoe's fields: compare_gate, metric, baseline_ref, baseline, result, delta_pct, budget_pct", () => {
    expect(results.results["perf:baseline_delta"]).toEqual({
      status: "fail",
      compare_gate: "b200:moonlight_8x20",
      metric: "node_tps_p50",
      baseline_ref: "origin/master",
      baseline: 100,
      result: 85,
      delta_pct: -15,
      budget_pct: -10,
    });
  });

  test("gates the runner lacks inputs for are skipped with the names; the external gate is pending; nothing passes that did not run", () => {
    for (const id of ["b200:moonlight_frozen_8x20", "b200:frozen_profile_fp8", "b200:frozen_profile_nvfp4"])
      expect(results.results[id]).toEqual({ status: "skipped", reason: "missing-env: NMOE_FROZEN_DIR" });
    expect(results.results["zero2:resume_determinism"]).toEqual({ status: "pending", reason: "external" });
    expect(results).toMatchObject({ bundle: "full", overall: "fail", head_sha: SHA, dispatch_id: DISPATCH });
    expect(results.gate_ids).toHaveLength(9);
  });

  test("the bot accepts the file and keeps node_tps_p50 for its table", () => {
    const registry = parseRegistry(readFileSync(reference!, "utf8"));
    if (!registry.ok) throw new Error("the reference registry does not parse");
    const valid = validateResults(results, {
      headSha: SHA,
      dispatchId: DISPATCH,
      requestedGateIds: results.gate_ids,
      registry: registry.value,
    });
    expect(valid.ok).toBe(true);
    const perGate = concludeResults(results, results.gate_ids, registry.value).perGate;
    expect(perGate.find((g) => g.id === "b200:moonlet_1x10")?.metrics).toEqual({
      node_tps_p50: 85,
      node_tps_samples: 3,
    });
  });
});
