/** The issue's sticky comment: the contract's summary or its errors, whether it counts (accepted), plus any public-safety warning. */
import type { ContractReport } from "../contract/read.js";
import type { Registry } from "../gates/registry.js";
import type { Ledger } from "../ledger/types.js";
import type { Problem } from "../problem.js";
import type { Contract } from "../schemas/contract.generated.js";
import type { Authority } from "../trust/acceptance.js";
import { protectedPatternsNamed, type Floor } from "../trust/floor.js";
import { bullets, code } from "./markdown.js";
import { problemList } from "./problems.js";
import { rebuiltNotice } from "./rebuilt.js";
import { safetySection, type SafetyReport } from "./safety.js";

export interface IssueCommentInput {
  contract: ContractReport;
  /** Problems with the repo setup (config or registry) that stop the contract from being checked. */
  setup: Problem[];
  safety: SafetyReport;
  /** For a valid contract: whether it counts, and its hash (what `/accept` records). */
  authority?: { standing: Authority; hash: string; author: string };
  /** The repository floor, to show what the contract adds to it and which protected paths it names. */
  floor?: Floor;
  rebuilt?: Ledger["rebuilt"];
}

/** The first characters of a contract hash, as people quote it (`/accept 3f2a91c`). */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

function standingSection(a: NonNullable<IssueCommentInput["authority"]>): { heading: string; lines: string[] } {
  const id = `contract ${code(shortHash(a.hash))}`;
  const accept = `A maintainer reviews it and comments \`/accept\` here (or \`/accept ${shortHash(a.hash)}\` to pin this exact version); until then, PRs linked to this issue are not ready to merge.`;
  const s = a.standing;
  if (s.status === "accepted") {
    const who =
      s.via === "author"
        ? `written by ${code(s.by)}, who has write access`
        : s.via === "edit"
          ? `last edited by ${code(s.by)}, who has write access`
          : s.via === "command"
            ? `accepted by ${code(s.by)} with \`/accept\``
            : `written by ${code(s.by)}, a bot this repository trusts`;
    return { heading: "### ✅ merge-captain: contract valid", lines: [`**Accepted:** ${id}, ${who}.`] };
  }
  const when = s.changedAt ? ` on ${s.changedAt.slice(0, 10)}` : "";
  if (s.everAccepted)
    return {
      heading: "### ⚠️ merge-captain: contract changed since acceptance",
      lines: [
        s.changedBy
          ? `**Not accepted:** ${id} was changed by ${code(s.changedBy)}${when}, who has no write access.`
          : `**Not accepted:** ${id} differs from every version that was accepted.`,
        "",
        `${accept} Reverting the change also restores the accepted version.`,
      ],
    };
  return {
    heading: "### ⏳ merge-captain: contract valid, awaiting acceptance",
    lines: [
      `**Not accepted yet:** ${id} was written by ${code(s.changedBy ?? a.author)}, who has no write access. A contract is policy only when someone with write access wrote, edited or accepted it.`,
      "",
      accept,
    ],
  };
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

/** What the contract adds to the repository floor, and the protected paths accepting it would open. */
function floorLines(contract: Contract, floor: Floor | undefined): string[] {
  if (!floor) return [];
  const lines: string[] = [];
  const extra = floor.requiredGates.filter((g) => !contract.gates.required.includes(g));
  if (extra.length > 0) lines.push("", `**Also required by the repository:** ${extra.map((g) => code(g)).join(", ")}`);
  const opened = protectedPatternsNamed(contract.scope.allow, floor);
  if (opened.length > 0)
    lines.push(
      "",
      `**Names protected paths:** ${opened.map((p) => code(p)).join(", ")} — once accepted, linked PRs may change files there.`,
    );
  return lines;
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

/** What the sticky says when an issue that had a contract no longer has one. */
export const NO_LONGER_A_CONTRACT =
  "### merge-captain\n\nThis issue no longer carries a contract, so there is nothing to check.";

/** The visible body; undefined when the bot has nothing to say on this issue. */
export function renderIssueComment(input: IssueCommentInput, registry: Registry | undefined): string | undefined {
  const parts: string[] = [];
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
      case "valid": {
        const standing = input.authority ? standingSection(input.authority) : undefined;
        parts.push(
          standing?.heading ?? "### ✅ merge-captain: contract valid",
          "",
          ...(standing ? [...standing.lines, ""] : []),
          contractSummary(input.contract.contract, registry),
          ...floorLines(input.contract.contract, input.floor),
        );
        break;
      }
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
  if (parts.length === 0) return undefined;
  if (input.rebuilt) parts.push("", rebuiltNotice(input.rebuilt, "issue"));
  return parts.join("\n");
}
