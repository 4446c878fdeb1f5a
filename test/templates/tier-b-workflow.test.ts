import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { parseRunName, RUN_NAME_TEMPLATE } from "../../src/core/tierb/runs.js";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parse as parsePlainYaml } from "yaml";
import { run as gatesRun } from "../../src/cli/commands/gates-run.js";
import { tierBResultsSchema } from "../../src/core/schemas/tier-b-results.generated.js";
import { validateAgainst } from "../../src/core/schemas/validate.js";
import { needsGit } from "../support/requirements.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const source = readFileSync(join(root, "templates/tier-b.yml"), "utf8");

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  "run-name": string;
  on: { workflow_dispatch: { inputs: Record<string, { type: string; required?: boolean }> } };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  env: Record<string, string>;
  jobs: Record<string, { "runs-on": string[]; environment: string; env: Record<string, string>; steps: Step[] }>;
}
const workflow = parsePlainYaml(source) as Workflow;
const job = Object.values(workflow.jobs)[0]!;
const steps = job.steps;
const stepNamed = (re: RegExp): Step => {
  const s = steps.find((x) => re.test(x.name ?? ""));
  if (!s) throw new Error(`no step ${re}`);
  return s;
};
const indexOf = (s: Step): number => steps.indexOf(s);

describe("templates/tier-b.yml passes GitHub's own workflow parser", () => {
  test("no schema or expression errors", async () => {
    const parsed = parseWorkflow({ name: "tier-b.yml", content: source }, new NoOperationTraceWriter());
    expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    const template = await convertWorkflowTemplate(parsed.context, parsed.value!);
    expect(template.errors ?? []).toEqual([]);
  });

  test("the parser does catch a broken workflow (so the check above means something)", () => {
    const parsed = parseWorkflow(
      { name: "bad.yml", content: source.replace("runs-on:", "runs-onn:") },
      new NoOperationTraceWriter(),
    );
    expect(parsed.context.errors.getErrors().length).toBeGreaterThan(0);
  });
});

describe("templates/tier-b.yml shape", () => {
  test("dispatch inputs are exactly the ones the bot sends, all strings", () => {
    const inputs = workflow.on.workflow_dispatch.inputs;
    expect(Object.keys(inputs).sort()).toEqual([
      "baseline_ref",
      "bundle",
      "dispatch_id",
      "head_sha",
      "perf_budget_pct",
      "pr_number",
      "single_gate",
    ]);
    for (const input of Object.values(inputs)) expect(input.type).toBe("string");
    expect(Object.keys(workflow.on)).toEqual(["workflow_dispatch"]);
  });

  test("the run name carries the dispatch id, so the bot can find the run", () => {
    expect(workflow["run-name"]).toContain("${{ inputs.dispatch_id }}");
    // The app ties runs to dispatches (and rebuilds a lost ledger) by parsing exactly this name.
    expect(workflow["run-name"]).toBe(RUN_NAME_TEMPLATE);
    const rendered = RUN_NAME_TEMPLATE.replace(
      /\$\{\{ inputs\.(\w+) \}\}/g,
      (_, k: string) =>
        ({
          pr_number: "12",
          bundle: "single",
          single_gate: "b200:x",
          head_sha: "a".repeat(40),
          dispatch_id: "d0000000-0000-4000-8000-000000000001",
        })[k] ?? "",
    );
    expect(parseRunName(rendered)).toEqual({
      pr: 12,
      bundle: "single",
      singleGate: "b200:x",
      sha: "a".repeat(40),
      dispatchId: "d0000000-0000-4000-8000-000000000001",
    });
  });

  test("read-only token, an approval environment, one run per runner pool, self-hosted GPU labels", () => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    expect(job.environment).toBe("b200-gates");
    expect(workflow.concurrency).toEqual({ group: "tier-b-b200-gates", "cancel-in-progress": false });
    expect(job["runs-on"]).toEqual(expect.arrayContaining(["self-hosted", "b200"]));
  });

  test("no expression is spliced into any run: script (inputs reach scripts only through env)", () => {
    for (const s of steps) {
      if (s.run === undefined) continue;
      expect(s.run).not.toContain("${{ inputs.");
      expect(s.run).not.toContain("${{ github.event.inputs.");
      expect(s.run).not.toContain("${{");
    }
    expect(source).not.toContain("github.event.inputs");
    for (const name of [
      "pr_number",
      "bundle",
      "single_gate",
      "baseline_ref",
      "perf_budget_pct",
      "head_sha",
      "dispatch_id",
    ]) {
      expect(Object.values(job.env)).toContain(`\${{ inputs.${name} }}`);
    }
  });

  test("the PR merge ref is checked out, then verified against head_sha before anything else runs", () => {
    const checkout = stepNamed(/merge commit/i);
    expect(checkout.uses).toMatch(/^actions\/checkout@/);
    expect(checkout.with?.ref).toBe("refs/pull/${{ env.PR_NUMBER }}/merge");
    expect(checkout.with?.["persist-credentials"]).toBe(false);
    const verify = steps.find((s) => s.id === "verify-head")!;
    expect(verify.run).toContain("HEAD^2");
    expect(verify.run).toContain("$HEAD_SHA");
    expect(indexOf(verify)).toBe(indexOf(checkout) + 1);
    // Before it: only the input check and the checkout itself.
    expect(steps.slice(0, indexOf(verify)).map((s) => s.name)).toEqual(["Validate inputs", checkout.name]);
    const gates = steps.find((s) => s.id === "gates")!;
    expect(gates.run).toContain("gates run");
    expect(indexOf(gates)).toBeGreaterThan(indexOf(verify));
  });

  test("the registry is read from the base side of the merge, not from the PR", () => {
    const registry = stepNamed(/registry/i);
    expect(registry.run).toContain('git show "HEAD^1:$GATES_REGISTRY"');
    expect(steps.find((s) => s.id === "gates")!.run).toContain('--registry "$RUNNER_TEMP/tier-b/gates.toml"');
  });

  test("results are uploaded as tier-b-results even when a gate fails", () => {
    const upload = steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.with?.name).toBe("tier-b-results");
    expect(upload.if).toBe("always()");
    expect(upload.with?.path).toBe("${{ runner.temp }}/tier-b/tier_b_results.json");
    expect(indexOf(upload)).toBe(steps.length - 1);
  });

  test("every action is pinned to a full commit SHA with its version in a comment", () => {
    const uses = [...source.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, comment] of uses) {
      expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(comment).toMatch(/# v\d+\.\d+\.\d+/);
    }
  });
});

/** Run a step's script the way the runner does (bash -e), with the job env plus overrides. */
function runStep(step: Step, env: Record<string, string>, cwd: string): { status: number | null; stdout: string } {
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run!], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout + r.stderr };
}

const GOOD_INPUTS = {
  PR_NUMBER: "42",
  BUNDLE: "hot_path",
  SINGLE_GATE: "",
  BASELINE_REF: "origin/main",
  PERF_BUDGET_PCT: "-10",
  HEAD_SHA: "0123456789abcdef0123456789abcdef01234567",
  DISPATCH_ID: "dsp-0001-abcd",
};

describe("the Validate inputs step", () => {
  const step = stepNamed(/^Validate inputs$/);
  test("accepts what the bot sends", () => {
    expect(runStep(step, GOOD_INPUTS, tmpdir()).status).toBe(0);
    expect(
      runStep(
        step,
        { ...GOOD_INPUTS, BUNDLE: "single", SINGLE_GATE: "gpu:train_8x20", BASELINE_REF: "", PERF_BUDGET_PCT: "" },
        tmpdir(),
      ).status,
    ).toBe(0);
  });
  test.each([
    ["PR_NUMBER", "42; touch /tmp/x"],
    ["PR_NUMBER", "42/../../heads/main"],
    ["HEAD_SHA", "main"],
    ["HEAD_SHA", "0123456"],
    ["DISPATCH_ID", "$(id)"],
    ["BUNDLE", "--help"],
    ["BASELINE_REF", "-upload-pack=evil"],
    ["PERF_BUDGET_PCT", "ten"],
  ])("rejects %s = %p without echoing it", (key, value) => {
    const r = runStep(step, { ...GOOD_INPUTS, [key]: value }, tmpdir());
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain(value);
  });
  test("single needs a valid gate id", () => {
    expect(runStep(step, { ...GOOD_INPUTS, BUNDLE: "single", SINGLE_GATE: "x y" }, tmpdir()).status).toBe(1);
  });
});

const git = (cwd: string, ...args: string[]): string => {
  const r = spawnSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
      GIT_CONFIG_NOSYSTEM: "1",
      HOME: cwd,
    },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
};

const withGit = needsGit("the verify-head step against a real merge commit");

withGit.describe("the verify-head step against a real merge commit", () => {
  let repo: string;
  let prHead: string;
  let baseHead: string;
  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), "mc-merge-"));
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "a.txt"), "a\n");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "base");
    git(repo, "checkout", "-qb", "pr");
    writeFileSync(join(repo, "b.txt"), "b\n");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "pr change");
    prHead = git(repo, "rev-parse", "HEAD");
    git(repo, "checkout", "-q", "main");
    writeFileSync(join(repo, "c.txt"), "c\n");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "base moves on");
    baseHead = git(repo, "rev-parse", "HEAD");
    git(repo, "merge", "-q", "--no-ff", "-m", "merge pr", "pr");
  });
  afterAll(() => {
    if (repo) rmSync(repo, { recursive: true, force: true });
  });
  const verify = steps.find((s) => s.id === "verify-head")!;

  test("passes when the PR parent is the approved head", () => {
    expect(runStep(verify, { ...GOOD_INPUTS, HEAD_SHA: prHead }, repo).status).toBe(0);
  });
  test("fails when the PR has moved on (the parent is another commit)", () => {
    const r = runStep(verify, { ...GOOD_INPUTS, HEAD_SHA: baseHead }, repo);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("::error::");
  });
  test("fails on a commit that is not a merge", () => {
    git(repo, "checkout", "-q", "--detach", "HEAD^1");
    try {
      expect(runStep(verify, { ...GOOD_INPUTS, HEAD_SHA: prHead }, repo).status).toBe(1);
    } finally {
      git(repo, "checkout", "-q", "main");
    }
  });
});

describe("the Run gates step drives `merge-captain gates run` with flags it accepts", () => {
  let temp: string;
  let workspace: string;
  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), "mc-runner-temp-"));
    workspace = mkdtempSync(join(tmpdir(), "mc-workspace-"));
    // A stand-in for the installed CLI that records its argv, one argument per line.
    const bin = join(temp, "merge-captain/node_modules/.bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "merge-captain"),
      '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$RUNNER_TEMP/argv.txt"\n',
    );
    chmodSync(join(bin, "merge-captain"), 0o755);
    mkdirSync(join(temp, "tier-b"));
    writeFileSync(
      join(temp, "tier-b/gates.toml"),
      '[gates."cpu:ok"]\ntier = "a"\ncmd = "echo node_tps: 10"\n\n[gates."perf:d"]\ntier = "b"\nkind = "perf"\ncompare_gate = "cpu:ok"\nmetric = "node_tps_p50"\n\n[bundles]\nhot_path = ["cpu:ok", "perf:d"]\n',
    );
    mkdirSync(join(workspace, ".tier-b-baseline"));
  });
  afterAll(() => {
    rmSync(temp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  test.each([
    // With a baseline ref the perf gate ran the compare gate in the baseline checkout and judged the budget.
    [
      "a bundle with a perf baseline",
      GOOD_INPUTS,
      "hot_path",
      "pass",
      { "perf:d": { status: "pass", baseline_ref: "origin/main", budget_pct: -10, delta_pct: 0 } },
    ],
    [
      "a single gate, no baseline",
      { ...GOOD_INPUTS, BUNDLE: "single", SINGLE_GATE: "cpu:ok", BASELINE_REF: "", PERF_BUDGET_PCT: "" },
      "single",
      "pass",
      { "cpu:ok": { status: "pass" } },
    ],
  ])("%s", async (_name, inputs, bundle, overall, perf) => {
    const step = steps.find((s) => s.id === "gates")!;
    const r = runStep(
      step,
      { ...inputs, RUNNER_TEMP: temp, GITHUB_WORKSPACE: workspace, TIER_B_LOG_DIR: "" },
      workspace,
    );
    expect(r.status).toBe(0);
    const argv = readFileSync(join(temp, "argv.txt"), "utf8").trimEnd().split("\n");
    expect(argv.slice(0, 2)).toEqual(["gates", "run"]);
    const out: string[] = [];
    const code = await gatesRun(argv.slice(2), {
      stdout: (s) => out.push(s),
      stderr: () => undefined,
      readFile: (p) => readFile(p, "utf8"),
      readStdin: async () => "",
      cwd: workspace,
      env: { PATH: process.env.PATH },
    });
    const resultsPath = join(temp, "tier-b/tier_b_results.json");
    expect(existsSync(resultsPath)).toBe(true);
    const results: unknown = JSON.parse(readFileSync(resultsPath, "utf8"));
    expect(validateAgainst(tierBResultsSchema, results)).toEqual([]);
    expect(results).toMatchObject({ bundle, head_sha: inputs.HEAD_SHA, dispatch_id: inputs.DISPATCH_ID });
    expect(results).toMatchObject({ overall });
    expect(code).toBe(0);
    expect(results).toMatchObject({ results: perf });
  });
});
