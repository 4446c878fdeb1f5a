/** The merge plan for people: the issue body (order, Mermaid graph, table, problems) and the CLI's text. */
import { idKey } from "../ids.js";
import { PLAN_ISSUE } from "../markers.js";
import { bullets, code, inline, prose, table } from "../render/markdown.js";
import type { Blocker, Dependency, Plan, PlanContract, PlanRow, Reason, RowState, WaitFor } from "./build.js";

/** The plan issue's first line (spelled with the bot's other markers; added after the choke point). */
export const PLAN_MARKER = PLAN_ISSUE;
export const PLAN_TITLE = "merge-captain: merge plan";

/** Bounds so one busy repository cannot make the body exceed GitHub's limits (65,536 characters; Mermaid's 50,000). */
export const MAX_GRAPH_NODES = 150;
export const MAX_TABLE_ROWS = 250;

/** Why a dependency id was not resolved on GitHub, worded here: the reader of GitHub only says which. */
export function tooManyLookups(limit: number): string {
  return `more than ${limit} ids to look up at once`;
}
export const SEARCH_DID_NOT_ANSWER = "GitHub's search did not answer";

const STATE_TEXT: Record<RowState, string> = {
  ready: "✅ ready",
  "after-deps": "⏳ after its dependencies",
  waiting: "⏳ waiting",
  blocked: "❌ blocked",
  unverified: "❔ not verified",
  unchecked: "· not checked here",
  "no-pr": "· no PR yet",
  invalid: "❌ contract invalid",
  cycle: "🔁 dependency cycle",
};

/** Node colours by state (GitHub renders ```mermaid fences; `classDef` colours the nodes). */
const CLASS_DEFS: Record<RowState | "done" | "missing" | "open", string> = {
  ready: "fill:#dafbe1,stroke:#1a7f37,color:#1f2328",
  "after-deps": "fill:#fff8c5,stroke:#9a6700,color:#1f2328",
  waiting: "fill:#ddf4ff,stroke:#0969da,color:#1f2328",
  blocked: "fill:#ffebe9,stroke:#cf222e,color:#1f2328",
  unverified: "fill:#fbefff,stroke:#8250df,color:#1f2328",
  unchecked: "fill:#f6f8fa,stroke:#59636e,color:#1f2328",
  "no-pr": "fill:#ffffff,stroke:#59636e,color:#1f2328,stroke-dasharray:4 3",
  invalid: "fill:#ffebe9,stroke:#cf222e,color:#1f2328,stroke-dasharray:4 3",
  cycle: "fill:#fff1e5,stroke:#bc4c00,color:#1f2328",
  done: "fill:#eaeef2,stroke:#59636e,color:#59636e",
  missing: "fill:#ffffff,stroke:#cf222e,color:#cf222e,stroke-dasharray:2 2",
  open: "fill:#ffffff,stroke:#59636e,color:#1f2328",
};

/**
 * Text inside a Mermaid label: one line, bounded, and every character that could end the label,
 * the fence or start markup written as a Mermaid entity (`#35;` is `#`).
 */
export function mermaidText(text: string, max = 60): string {
  let t = text.replace(/\s+/g, " ").trim();
  if (t.length > max) t = t.slice(0, max - 1) + "…";
  return [...t].map((ch) => (/^[A-Za-z0-9 .,:_/()+=-]$/.test(ch) ? ch : `#${ch.codePointAt(0)};`)).join("");
}

/** How user values appear: Markdown (the issue) or plain text (the terminal). */
interface Style {
  code: (text: string) => string;
  user: (text: string) => string;
}

const MARKDOWN: Style = { code: (t) => code(t), user: (t) => prose(t, 240) };
const PLAIN: Style = { code: (t) => t, user: (t) => t.replace(/\s+/g, " ").slice(0, 240) };

function paths(list: readonly string[], s: Style): string {
  return list.map((p) => s.code(p)).join(", ");
}

export function reasonText(r: Reason, s: Style = MARKDOWN): string {
  switch (r.kind) {
    case "ready":
      return "ready, nothing to wait for";
    case "done":
      return `${s.code(r.id)} is done${r.issue !== undefined ? ` (#${r.issue} closed)` : ""}`;
    case "after":
      return `after #${r.pr}: depends on ${s.code(r.id)}`;
    case "hotspot":
      return `only once #${r.pr} has merged: both change ${paths(r.paths, s)}`;
    case "deps-only":
      return "its check turns green once its dependencies are done";
    case "unchecked":
      return "not checked here: the bot's check on the PR decides";
  }
}

export function waitText(w: WaitFor, s: Style = MARKDOWN): string {
  switch (w.kind) {
    case "contract":
      return `${s.code(w.id)}${w.issue !== undefined ? ` (#${w.issue})` : ""} — ${w.pr !== undefined ? `PR #${w.pr}` : "no PR yet"}`;
    case "open-issue":
      return `${s.code(w.id)} (#${w.issue}, open, no contract)`;
    case "missing":
      return `${s.code(w.id)} — no issue carries this id`;
    case "unknown":
      return `${s.code(w.id)} — not looked up: ${s.user(w.reason)}`;
  }
}

export function blockerText(b: Blocker, byKey: ReadonlyMap<string, PlanContract>, s: Style = MARKDOWN): string {
  switch (b.kind) {
    case "invalid":
      return `its contract is invalid: ${s.user(b.message)}`;
    case "cycle":
      return "it is part of a dependency cycle";
    case "no-pr":
      return "it has no open PR yet";
    case "not-ready":
      return `its PR #${b.pr} says: ${s.user(b.summary)}`;
    case "missing":
      return `it depends on ${s.code(b.id)}, and no issue carries that id`;
    case "unknown":
      return `its dependency ${s.code(b.id)} could not be looked up: ${s.user(b.reason)}`;
    case "open-issue":
      return `it depends on ${s.code(b.id)} (#${b.issue}), an open issue that is not a contract of this plan`;
    case "outside":
      return `its dependency ${s.code(b.id)} is not in this plan`;
    case "waits": {
      const c = byKey.get(b.contract);
      return `it waits for ${c?.id !== undefined ? s.code(c.id) : b.contract}${c?.issue !== undefined ? ` (#${c.issue})` : ""}, which cannot merge yet`;
    }
  }
}

/** The issue title without a leading `[id]` the contract id already shows (the nmoe convention). */
function shortTitle(c: PlanContract): string {
  const prefix = /^\s*\[([^\]]{1,32})\]\s*/.exec(c.title);
  return prefix && c.id !== undefined && idKey(prefix[1]!) === idKey(c.id) ? c.title.slice(prefix[0].length) : c.title;
}

function contractName(c: PlanContract): string {
  return c.id !== undefined ? code(c.id) : "invalid contract";
}

function issueRef(c: PlanContract): string {
  return c.issue !== undefined ? `#${c.issue}` : code(c.key);
}

function depLabel(d: Dependency): string {
  switch (d.resolution.kind) {
    case "done":
      return d.resolution.issue !== undefined ? `#${d.resolution.issue} · ${d.id} · done` : `${d.id} · done`;
    case "missing":
      return `${d.id} · no such issue`;
    case "unknown":
      return `${d.id} · not looked up`;
    case "open-issue":
      return `#${d.resolution.issue} · ${d.id} · open, no contract`;
    case "contract":
      return d.id;
  }
}

/** The `depends_on` graph as a Mermaid flowchart: an arrow runs from what must merge first to what waits for it. */
export function mermaidGraph(plan: Plan): string {
  const rows = plan.rows.slice(0, MAX_GRAPH_NODES);
  const ids = new Map(rows.map((r, i) => [r.contract.key, `c${i}`]));
  const lines = ["```mermaid", "flowchart LR"];
  for (const r of rows) {
    const pr = r.pulls[0];
    const parts = [
      `${r.contract.issue !== undefined ? `#${r.contract.issue} · ` : ""}${r.contract.id ?? "invalid"}`,
      shortTitle(r.contract),
      `${pr ? `PR #${pr.number} · ` : ""}${STATE_TEXT[r.state].replace(/^\S+ /, "")}`,
    ];
    lines.push(`  ${ids.get(r.contract.key)}["${parts.map((p) => mermaidText(p)).join("<br/>")}"]:::${cls(r.state)}`);
  }
  const external = new Map<string, { id: string; label: string; cls: string }>();
  for (const r of rows) {
    for (const d of r.dependencies) {
      const to = ids.get(r.contract.key)!;
      if (d.resolution.kind === "contract") {
        const from = ids.get(d.resolution.key);
        if (from !== undefined) lines.push(`  ${from} --> ${to}`);
        continue;
      }
      const key = `${d.resolution.kind}:${d.resolution.kind === "done" || d.resolution.kind === "open-issue" ? (d.resolution.issue ?? d.id) : d.id}`;
      let node = external.get(key);
      if (!node) {
        node = {
          id: `x${external.size}`,
          label: depLabel(d),
          cls: d.resolution.kind === "done" ? "done" : d.resolution.kind === "open-issue" ? "open" : "missing",
        };
        external.set(key, node);
        lines.push(`  ${node.id}["${mermaidText(node.label)}"]:::${node.cls}`);
      }
      lines.push(`  ${node.id} ${d.resolution.kind === "done" ? "-.->" : "-->"} ${to}`);
    }
  }
  for (const [name, style] of Object.entries(CLASS_DEFS)) lines.push(`  classDef ${cls(name)} ${style}`);
  lines.push("```");
  if (plan.rows.length > rows.length)
    lines.push(
      "",
      `The graph shows the first ${rows.length} of ${plan.rows.length} contracts; the table lists them all.`,
    );
  return lines.join("\n");
}

/** Mermaid class names: letters only. */
function cls(state: string): string {
  return state.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function orderSection(plan: Plan, byKey: ReadonlyMap<string, PlanContract>): string {
  if (plan.order.length === 0) return "No PR can merge yet.";
  let wave = 0;
  const lines: string[] = [];
  plan.order.forEach((s, i) => {
    if (s.wave !== wave) {
      wave = s.wave;
      // A list item right after a paragraph line would join the paragraph: blank lines around the heading.
      if (plan.order.some((o) => o.wave > 1))
        lines.push(
          `${lines.length > 0 ? "\n" : ""}**Wave ${wave}**${wave === 1 ? " — can be queued together" : " — queue once the wave before has merged"}\n`,
        );
    }
    const c = byKey.get(s.contract)!;
    lines.push(
      `${i + 1}. #${s.pr} — ${contractName(c)} ${inline(shortTitle(c), 80)} (${issueRef(c)}): ${s.reasons.map((r) => reasonText(r)).join("; ")}`,
    );
  });
  return lines.join("\n");
}

function tableRow(r: PlanRow): string[] {
  const pulls = r.pulls.map((p) => `#${p.number}`).join(", ");
  const verdict = r.pulls[0] ? `${STATE_TEXT[r.state]}: ${prose(r.pulls[0].summary, 120)}` : STATE_TEXT[r.state];
  return [
    issueRef(r.contract),
    `${contractName(r.contract)} ${inline(shortTitle(r.contract), 80)}`,
    pulls || "—",
    r.contract.invalid !== undefined ? `${verdict}: ${prose(r.contract.invalid, 120)}` : verdict,
    r.waitsFor.map((w) => waitText(w)).join("<br>") || "—",
    // A pipe ends a table cell even inside a code span unless escaped.
    r.contract.hotspots.map((h) => code(h, 80).replace(/\|/g, "\\|")).join(", ") || "—",
  ];
}

function problemsSection(plan: Plan, byKey: ReadonlyMap<string, PlanContract>): string[] {
  const lines = [
    ...plan.cycles.map(
      (cycle) =>
        `Dependency cycle: ${[...cycle, cycle[0]!].map((k) => `${contractName(byKey.get(k)!)} (${issueRef(byKey.get(k)!)})`).join(" → ")} — none of these can merge until one contract drops its \`depends_on\`.`,
    ),
    ...plan.missing.map(
      (m) =>
        `${code(m.id)} is in the \`depends_on\` of ${m.dependants.map((k) => issueRef(byKey.get(k)!)).join(", ")}, but no issue carries that id — correct the contract.`,
    ),
  ];
  return lines;
}

export interface PlanSummary {
  contracts: number;
  pulls: number;
  ready: number;
}

function counts(plan: Plan): PlanSummary {
  return {
    contracts: plan.rows.length,
    pulls: plan.rows.reduce((n, r) => n + r.pulls.length, 0),
    ready: plan.rows.filter((r) => r.state === "ready").length,
  };
}

/**
 * The plan issue's visible body (the marker that opens it is added by the writer, after the choke
 * point). Deterministic: the same plan renders the same text, so an unchanged plan makes no write.
 */
export function renderPlanIssue(plan: Plan): string {
  const byKey = new Map(plan.rows.map((r) => [r.contract.key, r.contract]));
  const n = counts(plan);
  const rows = plan.rows.slice(0, MAX_TABLE_ROWS);
  const problems = problemsSection(plan, byKey);
  const parts = [
    `## ${PLAN_TITLE}`,
    "",
    `${n.contracts} open contract${n.contracts === 1 ? "" : "s"} · ${n.pulls} open PR${n.pulls === 1 ? "" : "s"} · ${n.ready} ready to merge. merge-captain keeps this issue up to date; edits to it are overwritten.`,
    "",
    "### Suggested merge order",
    "",
    orderSection(plan, byKey),
  ];
  if (plan.unordered.length > 0) {
    parts.push(
      "",
      "<details><summary>Not in the order yet</summary>",
      "",
      bullets(
        plan.unordered.map(
          (u) =>
            `${u.pr !== undefined ? `#${u.pr} for ` : ""}${contractName(byKey.get(u.contract)!)} ${inline(shortTitle(byKey.get(u.contract)!), 80)} (${issueRef(byKey.get(u.contract)!)}): ${blockerText(u.blocker, byKey)}`,
        ),
        100,
      ),
      "",
      "</details>",
    );
  }
  if (problems.length > 0) parts.push("", "### Problems", "", bullets(problems, 50));
  parts.push("", "### Dependency graph", "", mermaidGraph(plan));
  parts.push(
    "",
    "### Open contracts",
    "",
    table(["Issue", "Contract", "PR", "Verdict", "Waits for", "Hotspots"], rows.map(tableRow)),
  );
  if (plan.rows.length > rows.length) parts.push("", `… and ${plan.rows.length - rows.length} more contracts.`);
  parts.push(
    "",
    "<sub>An arrow runs from what must merge first to what waits for it. PRs that share a merge hotspot are never queued together: the later one waits until the earlier has merged.</sub>",
  );
  return parts.join("\n");
}

/** The plan as plain text for a terminal (`merge-captain plan`). */
export function renderPlanText(plan: Plan): string {
  const byKey = new Map(plan.rows.map((r) => [r.contract.key, r.contract]));
  const name = (c: PlanContract) => `${c.id ?? "(invalid)"} ${shortTitle(c)}`.trim();
  const lines: string[] = ["Suggested merge order:"];
  if (plan.order.length === 0) lines.push("  (none: no PR can merge yet)");
  plan.order.forEach((s, i) => {
    const c = byKey.get(s.contract)!;
    lines.push(`  ${i + 1}. #${s.pr}  ${name(c)}  [wave ${s.wave}]`);
    for (const r of s.reasons) lines.push(`       - ${reasonText(r, PLAIN)}`);
  });
  if (plan.unordered.length > 0) {
    lines.push("", "Not in the order:");
    for (const u of plan.unordered)
      lines.push(
        `  - ${u.pr !== undefined ? `#${u.pr} ` : ""}${name(byKey.get(u.contract)!)}: ${blockerText(u.blocker, byKey, PLAIN)}`,
      );
  }
  for (const cycle of plan.cycles)
    lines.push("", `Cycle: ${[...cycle, cycle[0]!].map((k) => byKey.get(k)!.id ?? k).join(" -> ")}`);
  for (const m of plan.missing)
    lines.push(
      "",
      `Missing: ${m.id} (depended on by ${m.dependants.map((k) => byKey.get(k)!.id ?? k).join(", ")}) — no issue carries it`,
    );
  lines.push("", "Contracts:");
  for (const r of plan.rows) {
    const waits = r.waitsFor.length > 0 ? `  waits for: ${r.waitsFor.map((w) => waitText(w, PLAIN)).join("; ")}` : "";
    lines.push(
      `  ${r.contract.issue !== undefined ? `#${r.contract.issue}` : r.contract.key}  ${name(r.contract)}  PR ${r.pulls.map((p) => `#${p.number}`).join(",") || "-"}  ${STATE_TEXT[r.state]}${waits}`,
    );
  }
  return lines.join("\n") + "\n";
}
