/**
 * The Tier-B part of the sticky comment and the `Tier-B: <bundle>` check run, built only from
 * allow-listed structured fields: registry gate ids, status enums, integers, finite numbers,
 * reason codes, validated refs and URLs. No free text from a run or a comment reaches here.
 */
import type { Dispatch, DispatchState, EndReason, Ledger, StoredGateResult } from "../ledger/types.js";
import { artifactRefusalText, NO_RESULTS_TEXT } from "./results.js";
import { SINGLE_MODE, type TierBRegistry } from "./registry-view.js";
import { coversHead } from "./stale.js";

/** How many dispatches the comment lists; older ones stay in the ledger but not on screen. */
const MAX_SHOWN = 10;

export function statusLabel(status: StoredGateResult["status"]): string {
  switch (status) {
    case "pass":
      return "✅ pass";
    case "fail":
      return "❌ fail";
    case "error":
      return "💥 error";
    case "skipped":
      return "⏭️ skipped";
    case "pending":
      return "⏳ pending";
    case "missing":
      return "❔ missing";
  }
}

function stateLabel(state: DispatchState): string {
  switch (state) {
    case "recorded":
      return "📝 recorded";
    case "dispatched":
      return "🚀 dispatched";
    case "queued":
      return "⏳ queued";
    case "waiting":
      return "✋ waiting for maintainer approval";
    case "in_progress":
      return "🏃 running";
    case "completed":
      return "🏁 completed";
    case "cancelled":
      return "🚫 cancelled";
    case "failed":
      return "💥 not dispatched";
  }
}

function endReasonText(reason: EndReason): string {
  switch (reason) {
    case "cancel-requested":
      return "cancelled with `/tier-b cancel`";
    case "head-moved":
      return "the PR head moved before it started";
    case "run-cancelled":
      return "the workflow run was cancelled";
    case "dispatch-failed":
      return "GitHub refused the dispatch; ask again";
    case "run-not-found":
      return "no workflow run appeared for the dispatch";
  }
}

/** A finite number in a stable, locale-free form: integers as is, others to 4 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return "—";
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const abs = Math.abs(n);
  if (abs >= 1e6 || abs < 1e-3) return n.toExponential(3);
  return String(Number(n.toPrecision(abs >= 1000 ? 7 : 4)));
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return `${formatNumber(Math.round(seconds * 10) / 10)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;
const SHA = /^[0-9a-f]{40}$/;
const RUN_URL =
  /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/[A-Za-z0-9._/-]+\/actions\/runs\/[0-9]+(\/attempts\/[0-9]+)?$/;

function code(text: string): string {
  return "`" + text + "`";
}

function gateCell(id: string, registry: TierBRegistry): string {
  return registry.gates.has(id) && SAFE_ID.test(id) ? code(id) : "_(gate not in the registry)_";
}

function shortSha(sha: string): string {
  return SHA.test(sha) ? code(sha.slice(0, 7)) : "`???????`";
}

function runLink(d: Dispatch): string | undefined {
  if (d.runUrl === undefined || !RUN_URL.test(d.runUrl)) return undefined;
  return `[run${d.runAttempt !== undefined && d.runAttempt > 1 ? ` (attempt ${d.runAttempt})` : ""}](${d.runUrl})`;
}

function reasonCell(g: StoredGateResult): string {
  if (g.reasonCode === undefined) return "";
  const env = (g.envNames ?? []).filter((n) => /^[A-Z_][A-Z0-9_]{0,63}$/.test(n)).map(code);
  return code(g.reasonCode) + (env.length > 0 ? `: ${env.join(", ")}` : "");
}

function signed(n: number): string {
  return `${n > 0 ? "+" : n < 0 ? "−" : "±"}${formatNumber(Math.abs(n))}`;
}

/**
 * A metric gate's numbers in words: the value against the fixed baseline, the signed delta, and
 * which way was better — "`val_loss` 4.901 vs baseline 4.941 (−0.81 %): better; lower is better".
 * Undefined for gates that are not metric gates.
 */
export function metricVerdictText(g: StoredGateResult): string | undefined {
  if (g.direction === undefined || g.metricName === undefined || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(g.metricName))
    return undefined;
  const m = g.metrics ?? {};
  const baseline = m["baseline"];
  const value = m["value"];
  const delta = m["delta_pct"];
  const way = g.direction === "lower" ? "lower is better" : "higher is better";
  const tolerance =
    g.tolerancePct !== undefined && g.tolerancePct > 0 ? `, tolerance ${formatNumber(g.tolerancePct)} %` : "";
  const base = baseline !== undefined ? formatNumber(baseline) : "—";
  let text: string;
  if (value === undefined) text = `${code(g.metricName)}: no value reported (baseline ${base}; ${way})`;
  else if (delta === undefined) text = `${code(g.metricName)} ${formatNumber(value)} vs baseline ${base} (${way})`;
  else {
    const better = g.direction === "lower" ? delta < 0 : delta > 0;
    const side = delta === 0 ? "equal to the baseline" : better ? "better" : "worse";
    text = `${code(g.metricName)} ${formatNumber(value)} vs baseline ${base} (${signed(delta)} %): ${side}; ${way}${tolerance}`;
  }
  if (g.baselineGate !== undefined && SAFE_ID.test(g.baselineGate)) {
    const off = m["baseline_gate_value"];
    const mismatch = g.reasonCode === "baseline-mismatch";
    text += ` · flags off (${code(g.baselineGate)}): ${off !== undefined ? formatNumber(off) : "no value"}${mismatch ? ", does not reproduce the baseline" : ""}`;
  }
  return text;
}

function metricsCell(g: StoredGateResult): string {
  const judged = metricVerdictText(g);
  if (judged !== undefined) return judged;
  const parts = Object.entries(g.metrics ?? {})
    .filter((e): e is [string, number] => /^[a-z][a-z0-9_]{0,63}$/.test(e[0]) && Number.isFinite(e[1]))
    .map(([k, v]) => `${k}=${formatNumber(v)}`);
  if (g.metricName !== undefined && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(g.metricName))
    parts.unshift(`metric=${g.metricName}`);
  return parts.length > 0 ? code(parts.join(" ")) : "";
}

/** The results table; one row per gate, only allow-listed fields. */
export function renderResultsTable(gates: readonly StoredGateResult[], registry: TierBRegistry): string {
  const rows = gates.map((g) => {
    const rc = g.rc !== undefined && Number.isInteger(g.rc) ? String(g.rc) : "";
    const duration = g.durationS !== undefined ? formatDuration(g.durationS) : "";
    return `| ${gateCell(g.id, registry)} | ${statusLabel(g.status)} | ${rc} | ${duration} | ${metricsCell(g)} | ${reasonCell(g)} |`;
  });
  return ["| gate | status | rc | duration | metrics | reason |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

/** `hot_path_min`, or `single b200:x`, for titles. */
export function targetLabel(d: Pick<Dispatch, "bundle" | "singleGate">): string {
  const bundle = SAFE_ID.test(d.bundle) ? d.bundle : "bundle";
  return d.bundle === SINGLE_MODE && d.singleGate !== undefined && SAFE_ID.test(d.singleGate)
    ? `single ${d.singleGate}`
    : bundle;
}

/** The check run's name. */
export function checkRunName(d: Pick<Dispatch, "bundle" | "singleGate">): string {
  return `Tier-B: ${targetLabel(d)}`;
}

function optionsText(d: Dispatch): string {
  const parts: string[] = [];
  if (d.baselineRef !== undefined && SAFE_ID.test(d.baselineRef)) parts.push(`baseline ${code(d.baselineRef)}`);
  if (d.budgetPct !== undefined && Number.isFinite(d.budgetPct)) parts.push(`budget ${formatNumber(d.budgetPct)} %`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function resultsBlock(d: Dispatch, registry: TierBRegistry): string[] {
  const r = d.results;
  if (r === undefined) return [];
  switch (r.outcome) {
    case "missing":
      return [`${NO_RESULTS_TEXT}${runLink(d) ? ": " + runLink(d) : ""}.`];
    case "refused": {
      const why = artifactRefusalText(r.code);
      return [
        `The results file was refused (${code(/^[a-z][a-z0-9.-]{0,63}$/.test(r.code) ? r.code : "results.invalid")}${why === undefined ? "" : `: ${why}`}); nothing from it was used.`,
      ];
    }
    case "valid":
      if (r.detailsDropped === true)
        return ["_Per-gate details were dropped to keep this comment small; see the run._"];
      return r.gates.length > 0 ? [renderResultsTable(r.gates, registry)] : [];
  }
}

/** One dispatch as a short Markdown block: what, on which commit, by whom, where it is, and its results. */
export function renderDispatch(d: Dispatch, headSha: string, registry: TierBRegistry): string {
  const head = [`**${code(targetLabel(d))}** on ${shortSha(d.sha)}${optionsText(d)} — ${stateLabel(d.state)}`];
  if (d.conclusion !== undefined)
    head.push(d.conclusion === "success" ? "✅ green" : d.conclusion === "failure" ? "❌ not green" : "➖ neutral");
  const link = runLink(d);
  if (link) head.push(link);
  const lines = [head.join(" · ")];
  const notes: string[] = [];
  if (/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/.test(d.requester) && d.recovered !== true)
    notes.push(`requested by **${d.requester}**`);
  if (d.recovered === true) notes.push("rebuilt from the workflow's runs");
  if (d.mergeGroup !== undefined) notes.push("on the merge queue's group commit, for `merge_queue.tier_b: rerun`");
  if (d.endReason !== undefined) notes.push(endReasonText(d.endReason));
  if (d.stale === true)
    notes.push(
      `⚠️ **stale**: the PR head is now ${d.staleBy !== undefined ? shortSha(d.staleBy) : "newer"}; these results do not count for it`,
    );
  else if (d.sha !== headSha && coversHead(d, headSha))
    notes.push(`♻️ still valid for ${shortSha(headSha)}: same tree as ${shortSha(d.sha)}`);
  if (notes.length > 0) lines.push(`<sub>${notes.join(" · ")}</sub>`);
  const block = resultsBlock(d, registry);
  if (block.length > 0) lines.push("", ...block);
  return lines.join("\n");
}

/** The Tier-B section of the PR's sticky comment: newest dispatch first. */
export function renderTierBSection(ledger: Ledger, headSha: string, registry: TierBRegistry): string {
  const lines = ["### Tier-B"];
  if (ledger.dispatches.length === 0) {
    lines.push("", "No Tier-B runs yet. A maintainer can start one with `/tier-b <bundle>` (see `/help`).");
    return lines.join("\n");
  }
  const newestFirst = [...ledger.dispatches].reverse();
  for (const d of newestFirst.slice(0, MAX_SHOWN)) lines.push("", renderDispatch(d, headSha, registry));
  if (newestFirst.length > MAX_SHOWN)
    lines.push(
      "",
      `_${newestFirst.length - MAX_SHOWN} older dispatch${newestFirst.length - MAX_SHOWN === 1 ? "" : "es"} not shown._`,
    );
  return lines.join("\n");
}

export interface CheckRunOutput {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "cancelled";
  title: string;
  summary: string;
}

/** What the `Tier-B: <bundle>` check run on the pinned SHA shows for a dispatch. */
export function checkRunOutput(d: Dispatch, registry: TierBRegistry): CheckRunOutput {
  const name = checkRunName(d);
  const body = renderDispatch(d, d.sha, registry);
  const staleNote = d.stale === true ? " (stale: the PR has a newer head)" : "";
  switch (d.state) {
    case "recorded":
    case "dispatched":
    case "queued":
    case "waiting":
      return { name, status: "queued", title: `Waiting for maintainer approval${staleNote}`, summary: body };
    case "in_progress":
      return { name, status: "in_progress", title: `Running${staleNote}`, summary: body };
    case "cancelled":
      return {
        name,
        status: "completed",
        conclusion: "cancelled",
        title: `Cancelled${d.endReason ? ": " + endReasonText(d.endReason) : ""}`,
        summary: body,
      };
    case "failed":
      return { name, status: "completed", conclusion: "failure", title: "Not dispatched", summary: body };
    case "completed": {
      if (d.conclusion === undefined)
        return { name, status: "in_progress", title: "Run finished; reading results", summary: body };
      const title =
        d.conclusion === "success"
          ? "All requested gates passed"
          : d.results?.outcome === "missing"
            ? "The run ended before any gate"
            : "Not all requested gates passed";
      return { name, status: "completed", conclusion: d.conclusion, title: title + staleNote, summary: body };
    }
  }
}
