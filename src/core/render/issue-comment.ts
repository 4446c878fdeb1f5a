/** The issue's sticky comment: the contract's summary or its errors, plus any public-safety warning. */
import type { ContractReport } from "../contract/read.js";
import type { Registry } from "../gates/registry.js";
import type { Problem } from "../problem.js";
import type { Contract } from "../schemas/contract.generated.js";
import { bullets, code, marker } from "./markdown.js";
import { problemList } from "./problems.js";
import { safetySection, type SafetyReport } from "./safety.js";

export const ISSUE_MARKER = marker("issue");

export interface IssueCommentInput {
  contract: ContractReport;
  /** Problems with the repo setup (config or registry) that stop the contract from being checked. */
  setup: Problem[];
  safety: SafetyReport;
}

function gateLine(id: string, registry: Registry | undefined): string {
  const gate = registry?.gates.get(id);
  return gate ? `${code(id)} (Tier-${gate.tier.toUpperCase()})` : code(id);
}

export function contractSummary(contract: Contract, registry: Registry | undefined): string {
  const lines: string[] = [];
  const h = contract.nmoe;
  lines.push(
    `**Issue ${code(h.issue)}**${h.slug ? ` · ${code(h.slug)}` : ""} · kind ${code(h.kind)} · risk ${code(h.risk)}${h.complexity ? ` · complexity ${code(h.complexity)}` : ""}`,
  );
  lines.push(
    "",
    "**Scope** — may touch:",
    bullets(
      contract.scope.allow.map((g) => code(g)),
      30,
    ) || "- (nothing: an empty allow list allows no file)",
  );
  if ((contract.scope.deny ?? []).length > 0)
    lines.push(
      "",
      "must not touch:",
      bullets(
        (contract.scope.deny ?? []).map((g) => code(g)),
        30,
      ),
    );
  lines.push(...pathRuleLines(contract));
  lines.push(
    "",
    "**Gates required:**",
    bullets(
      contract.gates.required.map((g) => gateLine(g, registry)),
      30,
    ) || "- none",
  );
  const perf = contract.gates.perf;
  if (perf) {
    lines.push(
      "",
      `**Perf budget:** ${code(perf.metric)} of ${code(perf.compare)} via ${code(perf.gate)}, at most ${Math.abs(perf.budget_pct)}% ${perf.budget_pct <= 0 ? "slower" : "faster required"} than ${code(perf.baseline_ref ?? "the default branch")}`,
    );
  }
  const deps = h.depends_on ?? [];
  lines.push("", `**Depends on:** ${deps.length > 0 ? deps.map((d) => code(d)).join(", ") : "nothing"}`);
  if ((h.merge_hotspots ?? []).length > 0)
    lines.push(`**Merge hotspots:** ${(h.merge_hotspots ?? []).map((p) => code(p)).join(", ")}`);
  return lines.join("\n");
}

/** The branch and path rules, only those the contract uses (a contract without them reads as before). */
function pathRuleLines(contract: Contract): string[] {
  const lines: string[] = [];
  const list = (items: readonly string[]) => items.map((g) => code(g)).join(", ");
  const branch =
    contract.branch === undefined ? [] : typeof contract.branch === "string" ? [contract.branch] : contract.branch;
  if (branch.length > 0) lines.push("", `**Branch:** ${branch.map((b) => code(b)).join(" or ")}`);
  if ((contract.scope.require ?? []).length > 0)
    lines.push("", `**Every PR must update:** ${list(contract.scope.require ?? [])}`);
  if ((contract.read_only ?? []).length > 0) lines.push("", `**Read-only:** ${list(contract.read_only ?? [])}`);
  if ((contract.artifacts_under ?? []).length > 0)
    lines.push(
      "",
      `**Artifacts only under** (no other contract may write there): ${list(contract.artifacts_under ?? [])}`,
    );
  return lines;
}

/** The whole comment body; undefined when the bot has nothing to say on this issue. */
export function renderIssueComment(input: IssueCommentInput, registry: Registry | undefined): string | undefined {
  const parts: string[] = [ISSUE_MARKER];
  if (input.setup.length > 0) {
    parts.push(
      "### ❔ merge-captain: contract not checked",
      "",
      `The repository's merge-captain setup has a problem, so this contract was not checked (the bot does not guess):`,
      "",
      problemList(input.setup),
    );
  } else {
    switch (input.contract.status) {
      case "absent":
        break;
      case "valid":
        parts.push("### ✅ merge-captain: contract valid", "", contractSummary(input.contract.contract, registry));
        break;
      case "invalid":
        parts.push(
          "### ❌ merge-captain: contract invalid",
          "",
          `The Agent Contract${input.contract.line ? ` (line ${input.contract.line} of the issue)` : ""} has ${input.contract.errors.length === 1 ? "a problem" : `${input.contract.errors.length} problems`}:`,
          "",
          problemList(input.contract.errors),
          "",
          "Edit the issue to fix it; this comment updates itself.",
        );
        break;
      default: {
        const never: never = input.contract;
        throw new Error(`unhandled contract report ${JSON.stringify(never)}`);
      }
    }
  }
  const safety = safetySection(input.safety);
  if (safety) parts.push("", safety);
  return parts.length > 1 ? parts.join("\n") : undefined;
}
