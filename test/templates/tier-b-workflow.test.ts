import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { parseRunName, RUN_NAME_TEMPLATE } from "../../src/core/tierb/runs.js";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parse as parsePlainYaml } from "yaml";
import { tierBResultsSchema } from "../../src/core/schemas/tier-b-results.generated.js";
import { validateAgainst } from "../../src/core/schemas/validate.js";
import { parseOutputs } from "../support/github-output.js";
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
  shell?: string;
}
interface Job {
  "runs-on": string | string[];
  environment?: string;
  needs?: string;
  if?: string;
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  env: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  "run-name": string;
  on: { workflow_dispatch: { inputs: Record<string, { type: string; required?: boolean }> } };
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  env: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = parsePlainYaml(source) as Workflow;
const job = Object.values(workflow.jobs)[0]!;
const steps = job.steps;
const uploadJob = workflow.jobs.upload!;
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
      "merge_group_ref",
      "perf_budget_pct",
      "pr_number",
      "single_gate",
    ]);
    for (const input of Object.values(inputs)) expect(input.type).toBe("string");
    // Sent only for a run on a merge group, so it must not be required.
    expect(inputs["merge_group_ref"]?.required).toBe(false);
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
    for (const s of [...steps, ...uploadJob.steps]) {
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
      "merge_group_ref",
    ]) {
      expect(Object.values(job.env)).toContain(`\${{ inputs.${name} }}`);
    }
  });

  test("the PR merge ref is checked out, then verified against head_sha before anything else runs", () => {
    const checkout = stepNamed(/merge commit/i);
    expect(checkout.uses).toMatch(/^actions\/checkout@/);
    // The PR's merge ref, or the queue's branch for a merge group (validated in the step before).
    expect(checkout.with?.ref).toBe(
      "${{ env.MERGE_GROUP_REF != '' && format('refs/heads/{0}', env.MERGE_GROUP_REF) || format('refs/pull/{0}/merge', env.PR_NUMBER) }}",
    );
    expect(checkout.with?.["persist-credentials"]).toBe(false);
    const verify = steps.find((s) => s.id === "verify-head")!;
    expect(verify.run).toContain("HEAD^2");
    expect(verify.run).toContain("$HEAD_SHA");
    expect(indexOf(verify)).toBe(indexOf(checkout) + 1);
    // Before it: only the input check and the checkout itself.
    expect(steps.slice(0, indexOf(verify)).map((s) => s.name)).toEqual(["Validate inputs", checkout.name]);
    const gates = steps.find((s) => s.id === "gates")!;
    expect(gates.uses).toMatch(/\/merge-captain@[0-9a-f]{40}$/);
    expect(indexOf(gates)).toBeGreaterThan(indexOf(verify));
  });

  test("the registry is read from the base side of the merge, not from the PR", () => {
    const registry = stepNamed(/registry/i);
    expect(registry.run).toContain('git show "HEAD^1:$GATES_REGISTRY"');
    expect(steps.find((s) => s.id === "gates")!.with?.registry).toBe("${{ runner.temp }}/tier-b/gates.toml");
  });

  test("results are uploaded as tier-b-results even when a gate fails", () => {
    const upload = uploadJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.with?.name).toBe("tier-b-results");
    expect(upload.if).toBe("always()");
    expect(upload.with?.path).toBe("${{ runner.temp }}/tier-b/tier_b_results.json");
    expect(uploadJob.steps.indexOf(upload)).toBe(uploadJob.steps.length - 1);
  });

  test("the gate runner is merge-captain's own action pinned by SHA, with the placeholder explained; nothing is installed", () => {
    const gates = steps.find((s) => s.id === "gates")!;
    expect(gates.uses).toBe("OWNER/merge-captain@0000000000000000000000000000000000000000");
    expect(source).toMatch(
      /# The merge-captain gate runner action\. Replace OWNER [^\n]*\n\s+# [^\n]*zeros with the full commit SHA/,
    );
    // It runs from the action's own checkout: the step is a `uses:`, with no script that could reach into the PR's tree.
    expect(gates.run).toBeUndefined();
    expect(source).not.toMatch(/npm (install|ci)|npx |setup-node|pip install/);
    // Builds go into the registry as gates; no step after the merge checkout runs anything from the PR but the runner.
    const after = steps.slice(steps.indexOf(stepNamed(/merge commit/i)) + 1).filter((s) => s.run !== undefined);
    expect(after.map((s) => s.name)).toEqual([
      "Verify the merge commit's PR parent is the approved head SHA",
      "Read the gate registry from the base side of the merge",
      "Resolve the perf baseline ref",
    ]);
  });

  test("results are written and uploaded by another job, on another runner, from the runner's reported output", () => {
    expect(Object.keys(workflow.jobs)).toEqual(["gates", "upload"]);
    expect(uploadJob.needs).toBe("gates");
    expect(uploadJob.if).toBe("always()");
    expect(uploadJob["runs-on"]).not.toEqual(job["runs-on"]);
    expect(uploadJob.environment).toBeUndefined();
    expect(uploadJob.permissions).toEqual({});
    expect(job.outputs?.["results-json"]).toBe("${{ steps.gates.outputs.results-json }}");
    expect(uploadJob.env.RESULTS_JSON).toBe("${{ needs.gates.outputs.results-json }}");
    expect(uploadJob.steps.every((s) => s.uses === undefined || s.uses.startsWith("actions/upload-artifact@"))).toBe(
      true,
    );
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
  MERGE_GROUP_REF: "",
};
const GROUP_REF = `gh-readonly-queue/main/pr-12-${"c".repeat(40)}`;

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
    expect(runStep(step, { ...GOOD_INPUTS, MERGE_GROUP_REF: GROUP_REF }, tmpdir()).status).toBe(0);
  });
  test.each([
    ["MERGE_GROUP_REF", "main"],
    ["MERGE_GROUP_REF", "gh-readonly-queue/main/pr-12-abc; id"],
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
  test("for a merge group: passes on the approved commit itself, fails on any other", () => {
    const head = git(repo, "rev-parse", "HEAD");
    expect(runStep(verify, { ...GOOD_INPUTS, MERGE_GROUP_REF: GROUP_REF, HEAD_SHA: head }, repo).status).toBe(0);
    const moved = runStep(verify, { ...GOOD_INPUTS, MERGE_GROUP_REF: GROUP_REF, HEAD_SHA: prHead }, repo);
    expect(moved.status).toBe(1);
    expect(moved.stdout).toContain("::error::");
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

interface Contexts {
  [name: string]: string | Contexts;
}

function toData(value: string | Contexts): data.StringData | data.Dictionary {
  if (typeof value === "string") return new data.StringData(value);
  return new data.Dictionary(...Object.entries(value).map(([key, v]) => ({ key, value: toData(v) })));
}

/** Evaluate the `${{ … }}` parts of a value as the runner does, with GitHub's own expression library. */
function evaluate(template: string, contexts: Contexts): string {
  const dict = toData(contexts) as data.Dictionary;
  return template.replace(/\$\{\{(.*?)\}\}/g, (_, src: string) => {
    const expr = new Parser(new Lexer(src.trim()).lex().tokens, Object.keys(contexts), []).parse();
    return new Evaluator(expr, dict).evaluate().coerceString();
  });
}

describe("the Run gates step drives the bundled action with inputs it accepts, and the upload job writes what it reported", () => {
  let temp: string;
  let workspace: string;
  let uploadTemp: string;
  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), "mc-runner-temp-"));
    workspace = mkdtempSync(join(tmpdir(), "mc-workspace-"));
    uploadTemp = mkdtempSync(join(tmpdir(), "mc-upload-temp-"));
    mkdirSync(join(temp, "tier-b"));
    writeFileSync(
      join(temp, "tier-b/gates.toml"),
      '[gates."cpu:ok"]\ntier = "a"\ncmd = "echo node_tps: 10"\n\n[gates."perf:d"]\ntier = "b"\nkind = "perf"\ncompare_gate = "cpu:ok"\nmetric = "node_tps_p50"\n\n[bundles]\nhot_path = ["cpu:ok", "perf:d"]\n',
    );
    mkdirSync(join(workspace, ".tier-b-baseline"));
  });
  afterAll(() => {
    for (const d of [temp, workspace, uploadTemp]) rmSync(d, { recursive: true, force: true });
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
  ])("%s", (_name, inputs, bundle, overall, perf) => {
    const step = steps.find((s) => s.id === "gates")!;
    const env = { ...inputs, TIER_B_LOG_DIR: "" };
    const contexts = { env, runner: { temp }, github: { workspace } };
    const stepFiles = join(temp, `_runner_file_commands-${bundle}`);
    mkdirSync(stepFiles, { recursive: true });
    const outputFile = join(stepFiles, "set_output");
    writeFileSync(outputFile, "");
    const actionEnv: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      RUNNER_TEMP: temp,
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: outputFile,
    };
    for (const [name, value] of Object.entries(step.with ?? {}))
      actionEnv[`INPUT_${name.toUpperCase()}`] = evaluate(String(value), contexts);
    const r = spawnSync(process.execPath, [join(root, "dist-action/index.mjs")], {
      cwd: workspace,
      env: actionEnv,
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).not.toContain("::error::");
    expect(r.status).toBe(0);
    const outputs = parseOutputs(readFileSync(outputFile, "utf8"));
    expect(outputs.status).toBe(overall);

    // The upload job: its env from the gates job's outputs, its script run as the runner runs it.
    const jobOutput = evaluate(job.outputs!["results-json"]!, { steps: { gates: { outputs } } });
    const resultsJson = evaluate(uploadJob.env.RESULTS_JSON!, {
      needs: { gates: { outputs: { "results-json": jobOutput } } },
    });
    const writeStep = uploadJob.steps.find((s) => s.run !== undefined)!;
    const w = runStep(writeStep, { RESULTS_JSON: resultsJson, RUNNER_TEMP: uploadTemp }, uploadTemp);
    expect(w.status).toBe(0);
    const results: unknown = JSON.parse(readFileSync(join(uploadTemp, "tier-b/tier_b_results.json"), "utf8"));
    expect(validateAgainst(tierBResultsSchema, results)).toEqual([]);
    expect(results).toMatchObject({ bundle, head_sha: inputs.HEAD_SHA, dispatch_id: inputs.DISPATCH_ID, overall });
    expect(results).toMatchObject({ results: perf });
  });

  test("with no results reported, the upload job writes no file (the app then sees a run without results)", () => {
    const writeStep = uploadJob.steps.find((s) => s.run !== undefined)!;
    const empty = mkdtempSync(join(tmpdir(), "mc-upload-empty-"));
    try {
      const w = runStep(writeStep, { RESULTS_JSON: "", RUNNER_TEMP: empty }, empty);
      expect(w.status).toBe(0);
      expect(w.stdout).toContain("::warning::the gate runner reported no results");
      expect(() => readFileSync(join(empty, "tier-b/tier_b_results.json"))).toThrow();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
