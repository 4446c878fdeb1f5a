/**
 * The research story's repository: a registry with a metric gate (the baseline-regression loop),
 * two experiment issues in Marin's shape, a work item with the three-step protocol, PR bodies and
 * the Tier-B results of the experiment.
 */

export const RESEARCH_GATES_TOML = `[meta]
version = "1"
target = "b200"

[gates."cpu:import"]
tier = "a"
timeout_s = 30
cmd = "python -c \\"import moelab\\""

[gates."eval:val_loss_flags_off"]
tier = "b"
gpus = 1
timeout_s = 3600
cmd = "python -m moelab.train configs/eval_8m.toml --no-new-flags"
metrics.val_loss = { prefix = "val_loss:", stat = "last" }

[gates."eval:val_loss_8m"]
tier = "b"
gpus = 1
timeout_s = 3600
kind = "metric"
cmd = "python -m moelab.train configs/eval_8m.toml"
metric = "val_loss"
baseline = 4.9413
direction = "lower"
tolerance_pct = 0.2
baseline_gate = "eval:val_loss_flags_off"
metrics.val_loss = { prefix = "val_loss:", stat = "last" }

[bundles]
experiment = ["eval:val_loss_8m"]
`;

export const RESEARCH_FILES: Record<string, string> = {
  "configs/gates/gates.toml": RESEARCH_GATES_TOML,
  "configs/eval_8m.toml": "tokens = 8_000_000\n",
  "moelab/__init__.py": "",
  "moelab/router/capacity.py": "CAPACITY = 1.5\n",
  ".agents/logbooks/moe-hc.md": "# MOE-HC logbook (issue #1)\n",
  "data/eval/tokens.bin": "…\n",
  "lora/train.py": "def train():\n    pass\n",
};

function form(fields: Array<[string, string]>): string {
  return fields.map(([label, value]) => `### ${label}\n\n${value}`).join("\n\n");
}

const yaml = (text: string) => "```yaml\n" + text.trim() + "\n```";

/** Marin's recipe: the five sections, a logbook link, labelled claims (one without), and the contract. */
export const EXPERIMENT_ISSUE = form([
  ["TL;DR", "- [replicated] MOE-HC-002: capacity 1.25 matches 1.5 at 8 M tokens\n- top-2 routing is enough"],
  [
    "Scope",
    "Router capacity factor only. Logbook: [.agents/logbooks/moe-hc.md](https://github.com/acme/moe-lab/blob/research/moe-hc/.agents/logbooks/moe-hc.md)",
  ],
  ["Decision log", "- 06-02 (stable) keep top-2; sweep capacity 1.0–1.5"],
  ["Negative results index", "- [exploratory] MOE-HC-001: aux loss 0.1 costs 0.4 % val_loss"],
  ["Current baseline", "- [stable] val_loss 4.9413 at 8 M tokens (registry gate `eval:val_loss_8m`)"],
  [
    "Agent Contract (YAML, required)",
    yaml(`
nmoe:
  issue: MOE-HC
  slug: moe-hc
  kind: experiment
  risk: warm

branch: research/{slug}
artifacts_under: [experiments/moe-hc/]
read_only: [data/**]

scope:
  allow: [moelab/router/**, .agents/logbooks/**, experiments/moe-hc/**]
  require: [".agents/logbooks/{slug}.md"]   # quoted: a { inside [ ] starts a YAML mapping

gates:
  required: [cpu:import, eval:val_loss_8m]
`),
  ],
]);

/** A second thread that forgot its "Negative results index". */
export const INCOMPLETE_EXPERIMENT_ISSUE = form([
  ["TL;DR", "- [exploratory] a cosine schedule may help the router warm up"],
  ["Scope", "LR schedule only."],
  ["Decision log", "- (exploratory) start from the MOE-HC baseline"],
  ["Current baseline", "- [stable] val_loss 4.9413"],
  [
    "Agent Contract (YAML, required)",
    yaml(`
nmoe:
  issue: MOE-LR
  slug: moe-lr
  kind: experiment
  risk: cold

artifacts_under: [experiments/moe-lr/]

scope:
  allow: [moelab/schedule/**, experiments/moe-lr/**]

gates:
  required: [cpu:import]
`),
  ],
]);

/** The LoRA server's three-step protocol: research notes, a plan and a progress log before code. */
export const PROTOCOL_ISSUE = form([
  ["Summary (what + why)", "Add a LoRA adapter to the training server."],
  [
    "Agent Contract (YAML, required)",
    yaml(`
nmoe:
  issue: LORA-7
  slug: lora-adapter
  kind: feature
  risk: cold

scope:
  allow: [lora/**, .claude/research/**, .claude/plans/**, .claude/implementation/**]
  require: [.claude/research/*, .claude/plans/*, .claude/implementation/progress.md]

gates:
  required: [cpu:import]
`),
  ],
]);

export function researchAttestation(issue: string, prSha: string, summary: string): string {
  return `## PR Attestation (YAML, required)\n\n\`\`\`yaml\nnmoe_pr:\n  issue: ${issue}\n  pr_sha: ${prSha}\n  risk: warm\n\ngates_passed:\n  tier_a:\n    - cpu:import\n  tier_b: []\n\`\`\`\n\n## Summary\n- ${summary}\n`;
}

/** The experiment's Tier-B run: flags off reproduces the baseline, the experiment beats it. */
export function experimentResults(headSha: string, dispatchId: string): string {
  return JSON.stringify({
    bundle: "experiment",
    gate_ids: ["eval:val_loss_8m"],
    results: {
      "eval:val_loss_flags_off": { status: "pass", rc: 0, duration_s: 1820, val_loss: 4.942 },
      "eval:val_loss_8m": {
        status: "pass",
        rc: 0,
        duration_s: 1794,
        val_loss: 4.9012,
        metric: "val_loss",
        value: 4.9012,
        baseline: 4.9413,
        direction: "lower",
        tolerance_pct: 0.2,
        delta_pct: -0.811527,
        baseline_gate: "eval:val_loss_flags_off",
        baseline_gate_value: 4.942,
      },
    },
    overall: "pass",
    head_sha: headSha,
    dispatch_id: dispatchId,
  });
}
