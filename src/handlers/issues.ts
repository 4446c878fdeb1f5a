/** `issues` opened / edited / reopened: check the contract, keep one sticky comment and the labels in step. */
import type { Context } from "probot";
import { readContract, type ContractReport } from "../core/contract/read.js";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { DEFAULT_CONFIG } from "../core/config/defaults.js";
import type { Problem, Result } from "../core/problem.js";
import type { Registry } from "../core/gates/registry.js";
import { ISSUE_MARKER, renderIssueComment } from "../core/render/issue-comment.js";
import { hasFindings, type SafetyReport } from "../core/render/safety.js";
import { scan } from "../core/sanitize/sanitize.js";
import { describeSource, readSafetyState, withSource, writeSafetyState, type SafetyState } from "../core/safety/state.js";
import type { RepoClient } from "../github/client.js";
import { findSticky, upsertSticky } from "../github/comments.js";
import { syncLabels } from "../github/labels.js";
import { repoClient, withConfig, type AppOptions } from "./client.js";
import { loadConfig, loadRegistry } from "./settings.js";

export interface IssueHooks {
  /** Called when an edit changed an issue's contract, so PRs linked to it are re-checked. */
  contractChanged: (client: RepoClient, config: ResolvedConfig, issueNumber: number, registry: Result<Registry> | undefined) => Promise<void>;
}

function contractOptions(config: ResolvedConfig) {
  return { heading: config.contract.heading, headerKey: config.contract.header_key, allIssues: config.contract.all_issues };
}

/** A cheap identity of a contract for change detection: its status and content, not its line. */
function contractKey(report: ContractReport): string {
  switch (report.status) {
    case "absent":
      return "absent";
    case "valid":
      return "valid:" + JSON.stringify(report.contract);
    case "invalid":
      return "invalid:" + JSON.stringify(report.errors);
  }
}

function safetyReport(state: SafetyState): SafetyReport {
  return { sources: Object.entries(state).map(([source, findings]) => ({ what: describeSource(source, "issue"), findings })) };
}

export async function onIssue(context: Context<"issues.opened" | "issues.edited" | "issues.reopened">, app: AppOptions, hooks: IssueHooks): Promise<void> {
  if (context.isBot) return;
  const { issue } = context.payload;
  const body = issue.body ?? "";
  const labels = (issue.labels ?? []).flatMap((l) => (l?.name ? [l.name] : []));
  let client = repoClient(context, app);

  const cfg = await loadConfig(context);
  if (!cfg.ok) {
    // Without a valid config we cannot know the heading; speak only where the default one is used.
    if (readContract(body, contractOptions(DEFAULT_CONFIG)).status === "absent") return;
    const existing = await findSticky(client, issue.number, ISSUE_MARKER);
    const text = renderIssueComment({ contract: { status: "absent" }, setup: cfg.errors, safety: { sources: [] }, configPath: ".github/merge-captain.yml" }, undefined);
    if (text) await upsertSticky(client, issue.number, existing, text);
    return;
  }
  const config = cfg.value;
  client = withConfig(client, config);
  const opts = contractOptions(config);

  const present = readContract(body, opts);
  const findings = scan(body, client.sanitize);
  const ourLabels = [config.labels.contract_valid, config.labels.contract_invalid, config.labels.public_safety];
  const before = context.payload.action === "edited" ? (context.payload.changes?.body?.from ?? null) : null;
  const previous = before === null ? undefined : readContract(before, opts);
  const wasChecked = previous !== undefined && previous.status !== "absent";

  // Nothing to say and nothing to undo: no further calls (most issues in a busy repo end here).
  if (present.status === "absent" && findings.length === 0 && !wasChecked && !labels.some((l) => ourLabels.includes(l))) return;

  let report: ContractReport = present;
  let setup: Problem[] = [];
  let registry;
  let reg: Result<Registry> | undefined;
  if (present.status !== "absent") {
    reg = await loadRegistry(client, config);
    registry = reg.ok ? reg.value : undefined;
    if (!reg.ok) setup = reg.errors;
    else report = readContract(body, opts, reg);
  }

  const existing = await findSticky(client, issue.number, ISSUE_MARKER);
  const state = withSource(readSafetyState(existing?.body), "body", findings);
  const rendered = renderIssueComment({ contract: report, setup, safety: safetyReport(state), configPath: ".github/merge-captain.yml" }, registry);
  const text = rendered ?? (existing ? `${ISSUE_MARKER}\n### merge-captain\n\nThis issue no longer carries a contract, so there is nothing to check.` : undefined);
  if (text !== undefined) await upsertSticky(client, issue.number, existing, text + "\n" + writeSafetyState(state));

  const want: string[] = [];
  if (setup.length === 0 && report.status === "valid") want.push(config.labels.contract_valid);
  if (setup.length === 0 && report.status === "invalid") want.push(config.labels.contract_invalid);
  if (hasFindings(safetyReport(state))) want.push(config.labels.public_safety);
  // With a broken registry the verdict is unknown: leave the contract labels as they are.
  const unwanted = ourLabels.filter((l) => !want.includes(l) && (setup.length === 0 || l === config.labels.public_safety));
  await syncLabels(client, issue.number, labels, want, unwanted);

  // Compared without the registry on both sides: only the author's text matters here.
  if (previous !== undefined && contractKey(previous) !== contractKey(present)) {
    await hooks.contractChanged(client, config, issue.number, reg);
  }
}
