import { NO_FLOOR } from "../../../src/core/trust/floor.js";
import { describe, expect, test } from "@jest/globals";
import { readContract, type ContractReport } from "../../../src/core/contract/read.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import type { Ledger, StoredGateResult } from "../../../src/core/ledger/types.js";
import type { ChangedFile } from "../../../src/core/scope/check.js";
import { MAX_ARTIFACT_PATTERNS } from "../../../src/core/verdict/criteria/artifacts.js";
import { evaluateVerdict } from "../../../src/core/verdict/evaluate.js";
import type { CriterionResult, PullFacts } from "../../../src/core/verdict/types.js";
import { toYaml } from "../contract/builders.js";

const HEAD = "c0ffee".padEnd(40, "0");
const REGISTRY = parseRegistry(`
[gates."cpu:unit"]
tier = "a"
cmd = "pytest"
[gates."eval:flags_off"]
tier = "b"
cmd = "train --flags-off"
metrics.val_loss = { prefix = "val_loss:", stat = "last" }
[gates."eval:val_loss"]
tier = "b"
kind = "metric"
cmd = "train"
metric = "val_loss"
baseline = 4.9413
direction = "lower"
baseline_gate = "eval:flags_off"
metrics.val_loss = { prefix = "val_loss:", stat = "last" }
`);

/** An experiment contract in Marin's shape; `over` replaces top-level sections (undefined deletes one). */
function experimentContract(over: Record<string, unknown> = {}): ContractReport {
  const shape: Record<string, unknown> = {
    nmoe: { issue: "MOE-HC", slug: "moe-hc", kind: "experiment", risk: "warm" },
    branch: "research/{slug}",
    scope: {
      allow: ["moe/**", ".agents/logbooks/**", "experiments/moe-hc/**", ".claude/**"],
      require: [".agents/logbooks/{slug}.md"],
    },
    read_only: ["data/**", "configs/base.toml"],
    artifacts_under: ["experiments/moe-hc/"],
    gates: { required: ["cpu:unit"] },
  };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) delete shape[k];
    else shape[k] = v;
  }
  return readContract(toYaml(shape), { heading: "x", headerKey: "nmoe", allIssues: true, source: "file" }, REGISTRY);
}

const otherContract = readContract(
  toYaml({
    nmoe: { issue: "MOE-LR", slug: "moe-lr", kind: "experiment", risk: "warm" },
    scope: { allow: ["**"] },
    artifacts_under: ["experiments/moe-lr/"],
    gates: { required: [] },
  }),
  { heading: "x", headerKey: "nmoe", allIssues: true, source: "file" },
);

const files = (...paths: Array<string | ChangedFile>): PullFacts["files"] => ({
  ok: true,
  files: paths.map((p) => (typeof p === "string" ? { path: p, status: "modified" } : p)),
});

function facts(over: Partial<PullFacts> = {}, contract = experimentContract()): PullFacts {
  if (contract.status !== "valid" || otherContract.status !== "valid") throw new Error(JSON.stringify(contract));
  return {
    pr: { number: 30, headSha: HEAD, draft: false, title: "MoE hc", headRef: "research/moe-hc" },
    registry: REGISTRY,
    registrySource: { kind: "default-branch", path: "configs/gates/gates.toml", branch: "main" },
    link: { ok: true, issue: 21, via: "attestation" },
    contractIssue: { state: "open", author: "mona" },
    contract,
    // Written by a maintainer; these cases are about the research rules, not about who set them.
    standing: { status: "accepted", by: "mona", via: "author" },
    floor: NO_FLOOR,
    attestation: { status: "absent" },
    attestationHeaderKey: "nmoe_pr",
    files: files("moe/router.py", ".agents/logbooks/moe-hc.md"),
    ledger: { version: 2, dispatches: [] },
    dependencies: [],
    safety: { sources: [] },
    sameHead: [],
    hotspots: [],
    artifactOwners: [{ issue: 22, contract: otherContract.contract }],
    ...over,
  };
}

function row(f: PullFacts, id: string): CriterionResult | undefined {
  return evaluateVerdict(f).results.find((r) => r.id === id);
}

const metricRun = (g: StoredGateResult, sha = HEAD): Ledger => ({
  version: 2,
  dispatches: [
    {
      id: "d0000001",
      pr: 30,
      sha,
      bundle: "single",
      singleGate: g.id,
      requester: "mona",
      requestedAt: "2026-01-01T00:00:00Z",
      state: "completed",
      conclusion: g.status === "pass" ? "success" : "failure",
      results: { outcome: "valid", gates: [g] },
    },
  ],
});

const judged = (value: number, status: "pass" | "fail", reasonCode?: string): StoredGateResult => ({
  id: "eval:val_loss",
  status,
  metricName: "val_loss",
  direction: "lower",
  tolerancePct: 0,
  baselineGate: "eval:flags_off",
  metrics: {
    value,
    baseline: 4.9413,
    delta_pct: Math.round(((value - 4.9413) / 4.9413) * 1e8) / 1e6,
    baseline_gate_value: 4.9413,
  },
  ...(reasonCode ? { reasonCode } : {}),
});

describe("branch, path and companion-file rules on a PR", () => {
  test.each<[string, Partial<PullFacts>, ContractReport | undefined, string, string, string]>([
    ["the research branch", {}, undefined, "branch", "pass", "`research/moe-hc` matches `research/moe-hc`"],
    [
      "another branch",
      { pr: { number: 30, headSha: HEAD, draft: false, title: "MoE hc", headRef: "yxb/wip" } },
      undefined,
      "branch",
      "fail",
      "the head branch `yxb/wip` does not match `research/moe-hc`",
    ],
    [
      "a sub-branch allowed by a second pattern",
      { pr: { number: 30, headSha: HEAD, draft: false, title: "MoE hc", headRef: "yxb/moe-sft/sub-router" } },
      experimentContract({ branch: ["yxb/moe-sft", "yxb/moe-sft/sub-*"] }),
      "branch",
      "pass",
      "matches `yxb/moe-sft/sub-*`",
    ],
    [
      "the nmoe convention with placeholders",
      { pr: { number: 30, headSha: HEAD, draft: false, title: "MoE hc", headRef: "issue/MOE-HC-moe-hc" } },
      experimentContract({ branch: "issue/{id}-{slug}" }),
      "branch",
      "pass",
      "`issue/MOE-HC-moe-hc`",
    ],
    [
      "an unknown head branch",
      { pr: { number: 30, headSha: HEAD, draft: false, title: "MoE hc" } },
      undefined,
      "branch",
      "unverified",
      "not known",
    ],
    ["no read-only path touched", {}, undefined, "read-only", "pass", "no read-only path changed"],
    [
      "a read-only file modified",
      { files: files("configs/base.toml", ".agents/logbooks/moe-hc.md") },
      undefined,
      "read-only",
      "fail",
      "1 read-only path changed",
    ],
    [
      "a read-only file renamed away (the old end counts)",
      {
        files: files(
          { path: "moe/data.jsonl", previous_filename: "data/eval.jsonl", status: "renamed" },
          ".agents/logbooks/moe-hc.md",
        ),
      },
      undefined,
      "read-only",
      "fail",
      "1 read-only path changed",
    ],
    [
      "a read-only file deleted",
      { files: files({ path: "data/x", status: "removed" }, ".agents/logbooks/moe-hc.md") },
      undefined,
      "read-only",
      "fail",
      "1 read-only path changed",
    ],
    [
      "3000 files",
      { files: { ok: false, unlisted: { kind: "too-many", changed: 3000, limit: 3000 } } },
      undefined,
      "read-only",
      "unverified",
      "not verifiable",
    ],
    [
      "own artifacts written",
      { files: files("experiments/moe-hc/run1.json", ".agents/logbooks/moe-hc.md") },
      undefined,
      "artifacts",
      "pass",
      "this contract owns `experiments/moe-hc/`",
    ],
    [
      "another experiment's artifacts written",
      { files: files("experiments/moe-lr/run9.json", ".agents/logbooks/moe-hc.md") },
      undefined,
      "artifacts",
      "fail",
      "1 file under another contract's artifact paths",
    ],
    [
      "other contracts not known (offline)",
      { artifactOwners: undefined },
      undefined,
      "artifacts",
      "pending",
      "the bot checks",
    ],
    ["the logbook updated", {}, undefined, "required-files", "pass", "the required file is updated"],
    [
      "the logbook missing",
      { files: files("moe/router.py") },
      undefined,
      "required-files",
      "fail",
      "1 of 1 required file not updated: `.agents/logbooks/moe-hc.md`",
    ],
    [
      "the logbook deleted does not count",
      { files: files("moe/router.py", { path: ".agents/logbooks/moe-hc.md", status: "removed" }) },
      undefined,
      "required-files",
      "fail",
      "not updated",
    ],
    [
      "the three-step protocol: notes, plan, progress log, each by glob or path",
      { files: files(".claude/research/router.md", ".claude/implementation/progress.md", "moe/x.py") },
      experimentContract({
        scope: {
          allow: ["moe/**", ".claude/**"],
          require: [".claude/research/*", ".claude/plans/*", ".claude/implementation/progress.md"],
        },
      }),
      "required-files",
      "fail",
      "1 of 3 required files not updated: `.claude/plans/*`",
    ],
  ])("%s", (_name, over, contract, id, status, summary) => {
    const r = row(facts(over, contract), id);
    expect(r?.status).toBe(status);
    expect(r?.summary).toContain(summary);
    // A failing row names its next step.
    expect(status !== "fail" || typeof r?.fix === "string").toBe(true);
  });

  test("companion files are reported one by one", () => {
    const r = row(
      facts(
        { files: files(".claude/research/router.md", "moe/x.py") },
        experimentContract({
          scope: {
            allow: ["moe/**", ".claude/**"],
            require: [".claude/research/*", ".claude/implementation/progress.md"],
          },
        }),
      ),
      "required-files",
    );
    expect(r?.details).toEqual([
      "✅ `.claude/research/*`: `.claude/research/router.md`",
      "❌ `.claude/implementation/progress.md`: not updated by this PR",
    ]);
  });

  test("read-only and artifact violations become annotations on the files", () => {
    const v = evaluateVerdict(
      facts({ files: files("data/a.bin", "experiments/moe-lr/x", ".agents/logbooks/moe-hc.md") }),
    );
    const annotated = (id: string) => v.results.find((r) => r.id === id)?.annotations?.map((a) => a.path);
    expect([annotated("read-only"), annotated("artifacts")]).toEqual([["data/a.bin"], ["experiments/moe-lr/x"]]);
    expect(v.outcome).toBe("blocked");
  });

  test("a contract without the new keys gets exactly the rows it had before", () => {
    const plain = experimentContract({
      nmoe: { issue: "12", kind: "feature", risk: "warm" },
      branch: undefined,
      read_only: undefined,
      artifacts_under: undefined,
      scope: { allow: ["moe/**"] },
    });
    const ids = evaluateVerdict(facts({ artifactOwners: [] }, plain)).results.map((r) => r.id);
    expect(ids).toEqual([
      "contract",
      "attestation",
      "head",
      "tier-a",
      "scope",
      // The repository floor's row: every PR is checked for protected paths.
      "protected-paths",
      "tier-b",
      "perf",
      "depends-on",
      "public-safety",
      "same-head",
      "hotspots",
    ]);
  });

  test("past the bound on other contracts' artifact patterns: not verified, never a pass", () => {
    if (otherContract.status !== "valid") throw new Error("fixture");
    const many = Array.from({ length: MAX_ARTIFACT_PATTERNS / 20 + 1 }, (_, i) => ({
      issue: 100 + i,
      contract: { ...otherContract.contract, artifacts_under: Array.from({ length: 20 }, (_, j) => `out/${i}/${j}/`) },
    }));
    expect(row(facts({ artifactOwners: many }), "artifacts")).toMatchObject({
      status: "unverified",
      summary: expect.stringContaining("1020 artifact patterns, more than the 1000 checked"),
    });
  });

  test("another contract's artifact paths show a row even when this contract declares none", () => {
    const plain = experimentContract({ artifacts_under: undefined });
    expect(row(facts({}, plain), "artifacts")?.status).toBe("pass");
    expect(row(facts({ artifactOwners: [] }, plain), "artifacts")).toBeUndefined();
  });
});

describe("metric gates vs their fixed baseline on a PR", () => {
  const withMetric = experimentContract({ gates: { required: ["cpu:unit", "eval:val_loss"] } });

  test.each<[string, Ledger, string, string]>([
    ["not run yet", { version: 2, dispatches: [] }, "pending", "`eval:val_loss` not run on this head yet"],
    [
      "beat the baseline",
      metricRun(judged(4.9, "pass")),
      "pass",
      "`val_loss` 4.9 vs baseline 4.941 (−0.8358 %): better; lower is better",
    ],
    [
      "worse than the baseline",
      metricRun(judged(5, "fail", "worse-than-baseline")),
      "fail",
      "`val_loss` 5 vs baseline 4.941 (+1.188 %): worse; lower is better",
    ],
    ["a pass on an older head does not count", metricRun(judged(4.9, "pass"), "1".repeat(40)), "pending", "not run"],
  ])("%s", (_name, ledger, status, summary) => {
    const r = row(facts({ ledger }, withMetric), "metrics");
    expect(r).toMatchObject({ status });
    expect(r?.summary).toContain(summary);
  });

  test("a flags-off mismatch says so, and its fix is about the setup", () => {
    const r = row(facts({ ledger: metricRun(judged(4.8, "fail", "baseline-mismatch")) }, withMetric), "metrics");
    expect(r?.status).toBe("fail");
    expect(r?.details[0]).toContain("`baseline-mismatch`");
    expect(r?.fix).toContain("no longer reproduces the baseline");
  });

  test("no metric gate required: no row", () => {
    expect(row(facts(), "metrics")).toBeUndefined();
  });
});
