/** The demo's own repository content, in the nmoe format: a registry, a config, issue and PR bodies, a results file. */
import { createHash } from "node:crypto";
import type { FakeRepo } from "./fake-github/state.js";

export const OWNER = "acme";
export const REPO = "moe-lab";

export const GATES_TOML = `[meta]
version = "1"
target = "b200"

[gates."cpu:import"]
tier = "a"
timeout_s = 30
cmd = "python -c \\"import moelab\\""

[gates."cpu:lint"]
tier = "a"
timeout_s = 60
cmd = "python -m compileall -q moelab/"

[gates."b200:smoke_1x10"]
tier = "b"
gpus = 1
timeout_s = 600
requires = ["DATA_PATH"]
requires_files = ["configs/smoke.toml"]
cmd = "python -m moelab.train configs/smoke.toml --steps=10"

[gates."b200:train_8x20"]
tier = "b"
gpus = 8
timeout_s = 900
requires = ["DATA_PATH"]
requires_files = ["configs/train.toml"]
cmd = "torchrun --nproc_per_node=8 -m moelab.train configs/train.toml --steps=20"

[gates."perf:delta"]
tier = "b"
kind = "perf"
timeout_s = 0
compare_gate = "b200:train_8x20"
metric = "step_tps_p50"

[bundles]
hot_path = ["b200:smoke_1x10", "b200:train_8x20", "perf:delta"]
`;

export const REPO_FILES: Record<string, string> = {
  "configs/gates/gates.toml": GATES_TOML,
  "configs/smoke.toml": "steps = 10\n",
  "configs/train.toml": "steps = 20\n",
  "moelab/__init__.py": "",
  "moelab/comm/allgather.py": "def allgather(x):\n    return x\n",
  "moelab/csrc/kernel.cu": "// fused kernel\n",
  "README.md": "# moe-lab\n",
};

function form(fields: Array<[string, string]>): string {
  return fields.map(([label, value]) => `### ${label}\n\n${value}`).join("\n\n");
}

export const VALID_ISSUE = form([
  ["Summary (what + why)", "Route the expert all-gather through the fused path so the 8-GPU step waits less."],
  [
    "Agent Contract (YAML, required)",
    "```yaml\nnmoe:\n  issue: 01\n  slug: fused-allgather\n  kind: perf\n  risk: warm\n  complexity: S\n  depends_on: []\n  merge_hotspots: [moelab/model.py]\n\nscope:\n  allow:\n    - moelab/comm/**\n    - moelab/model.py\n  deny:\n    - moelab/csrc/**\n\ngates:\n  required:\n    - cpu:import\n    - b200:train_8x20\n  perf:\n    gate: perf:delta\n    compare: b200:train_8x20\n    metric: step_tps_p50\n    baseline_ref: origin/main\n    budget_pct: -10\n```",
  ],
  ["Notes (optional)", "_No response_"],
]);

export const BROKEN_ISSUE = form([
  ["Summary (what + why)", "Tidy the router."],
  [
    "Agent Contract (YAML, required)",
    "```yaml\nnmoe:\n  issue: 02\n  kind: refactor\n  risk: cold\n\nscoep:\n  allow: [moelab/router/**]\n\ngates:\n  required: [cpu:imprt]\n```",
  ],
]);

export function attestation(issue: string, prSha: string, baselineSha: string, closes: number): string {
  return `## PR Attestation (YAML, required)\n\n\`\`\`yaml\nnmoe_pr:\n  issue: ${issue}\n  baseline_sha: ${baselineSha}\n  pr_sha: ${prSha}\n  risk: warm\n\ngates_passed:\n  tier_a:\n    - cpu:import\n  tier_b: []\n\`\`\`\n\n## Summary\n- Fused all-gather for the expert path.\n\n## Links\n- Fixes: #${closes}\n`;
}

/**
 * A PR for contract `01` (issue `issue`) on the fake only, no webhook sent: one in-scope change,
 * attested for its own head, whose SHA follows from `name` (tests and benchmarks open many).
 */
export function openAttestedPull(repo: FakeRepo, issue: number, name: string): { number: number; sha: string } {
  const sha = createHash("sha1").update(name).digest("hex");
  const pr = repo.openPullRequest({
    title: `Fused all-gather (${name})`,
    user: "ada",
    head: { ref: `issue/01-${name}`, sha },
    files: [{ filename: "moelab/comm/allgather.py", content: `version = ${JSON.stringify(name)}\n` }],
    body: attestation("01", sha, repo.resolveRef(repo.defaultBranch)!.sha, issue),
  });
  return { number: pr.number, sha };
}

/** What the Tier-B workflow uploads. The `reason` carries an internal host and a token on purpose: the bot must not repeat them. */
export function resultsFile(headSha: string, dispatchId: string): string {
  const leak = ["ran on gpu-node-17.cluster.local with token ", "ghp_", "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Jh1Gf0EdCbA9"].join(
    "",
  );
  return JSON.stringify({
    bundle: "hot_path",
    gate_ids: ["b200:smoke_1x10", "b200:train_8x20", "perf:delta"],
    results: {
      "b200:smoke_1x10": { status: "pass", rc: 0, duration_s: 41.5, reason: leak },
      "b200:train_8x20": { status: "pass", rc: 0, duration_s: 388.2, step_tps_p50: 123456.0 },
      "perf:delta": {
        status: "pass",
        compare_gate: "b200:train_8x20",
        metric: "step_tps_p50",
        baseline_ref: "origin/main",
        baseline: 120000.0,
        result: 123456.0,
        delta_pct: 2.88,
        budget_pct: -10,
      },
    },
    overall: "pass",
    head_sha: headSha,
    dispatch_id: dispatchId,
  });
}

export const LEAKED_HOST = "gpu-node-17.cluster.local";
export const LEAKED_TOKEN_PREFIX = "ghp_Zx9Yw8";
