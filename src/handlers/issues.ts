/** `issues` opened / edited / reopened: check the contract, keep one sticky comment and the labels in step. */
import type { Context } from "probot";
import { readContract, type ContractReport } from "../core/contract/read.js";
import { DEFAULT_CONFIG, type ResolvedConfig } from "../core/config/defaults.js";
import { contractOptions } from "../core/config/readers.js";
import type { Registry } from "../core/gates/registry.js";
import type { Problem, Result } from "../core/problem.js";
import { ISSUE_MARKER, renderIssueComment } from "../core/render/issue-comment.js";
import { hasFindings, type SafetyReport } from "../core/render/safety.js";
import { scan, type Finding } from "../core/sanitize/sanitize.js";
import {
  describeSource,
  readSafetyState,
  withSource,
  writeSafetyState,
  type SafetyState,
} from "../core/safety/state.js";
import type { RepoClient } from "../github/client.js";
import { findSticky, upsertSticky } from "../github/comments.js";
import { labelNames, syncLabels } from "../github/labels.js";
import { repoClient, withConfig, type AppOptions } from "../github/context.js";
import { loadConfig, loadRegistry } from "../github/settings.js";
import { toExperimentIssue, type ExperimentIssue } from "../github/threads.js";

export interface IssueHooks {
  /** Called when an edit changed an issue's contract, so PRs linked to it are re-checked. */
  contractChanged: (
    client: RepoClient,
    config: ResolvedConfig,
    issueNumber: number,
    registry: Result<Registry> | undefined,
  ) => Promise<void>;
  /** Experiment issues' own status comment and labels (handlers/experiment.ts); `contract` is read without the registry. */
  experiment?: (
    client: RepoClient,
    config: ResolvedConfig,
    issue: ExperimentIssue,
    contract: ContractReport,
  ) => Promise<void>;
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
  return {
    sources: Object.entries(state).map(([source, findings]) => ({ what: describeSource(source, "issue"), findings })),
  };
}

export interface IssueSnapshot {
  number: number;
  body: string;
  labels: string[];
}

/**
 * Bring the issue's sticky comment and labels in step with its body, and with what a comment
 * now contains (`comment`: the source `comment:<id>` and its findings). The body is rescanned
 * every time, so the remembered findings never go stale. Returns the registry when it was read.
 */
export async function publishIssue(
  client: RepoClient,
  config: ResolvedConfig,
  issue: IssueSnapshot,
  comment?: { source: string; findings: Finding[] },
): Promise<Result<Registry> | undefined> {
  const opts = contractOptions(config);
  const present = readContract(issue.body, opts);
  let report: ContractReport = present;
  let setup: Problem[] = [];
  let registry: Result<Registry> | undefined;
  if (present.status !== "absent") {
    registry = await loadRegistry(client, config);
    if (registry.ok) report = readContract(issue.body, opts, registry);
    else setup = registry.errors;
  }

  const existing = await findSticky(client, issue.number, ISSUE_MARKER);
  let state = withSource(readSafetyState(existing?.body), "body", scan(issue.body, client.sanitize));
  if (comment) state = withSource(state, comment.source, comment.findings);
  const rendered = renderIssueComment(
    { contract: report, setup, safety: safetyReport(state) },
    registry?.ok ? registry.value : undefined,
  );
  const text =
    rendered ??
    (existing
      ? `${ISSUE_MARKER}\n### merge-captain\n\nThis issue no longer carries a contract, so there is nothing to check.`
      : undefined);
  if (text !== undefined) await upsertSticky(client, issue.number, existing, text + "\n" + writeSafetyState(state));

  const ours = [config.labels.contract_valid, config.labels.contract_invalid, config.labels.public_safety];
  const want: string[] = [];
  if (setup.length === 0 && report.status === "valid") want.push(config.labels.contract_valid);
  if (setup.length === 0 && report.status === "invalid") want.push(config.labels.contract_invalid);
  if (hasFindings(safetyReport(state))) want.push(config.labels.public_safety);
  // With a broken registry the verdict is unknown: leave the contract labels as they are.
  const unwanted = ours.filter((l) => !want.includes(l) && (setup.length === 0 || l === config.labels.public_safety));
  await syncLabels(client, issue.number, issue.labels, want, unwanted);
  return registry;
}

export async function onIssue(
  context: Context<"issues.opened" | "issues.edited" | "issues.reopened">,
  app: AppOptions,
  hooks: IssueHooks,
): Promise<void> {
  if (context.isBot) return;
  const { issue: raw } = context.payload;
  const issue: IssueSnapshot = {
    number: raw.number,
    body: raw.body ?? "",
    labels: labelNames(raw.labels),
  };
  const base = repoClient(context, app);

  const cfg = await loadConfig(context);
  if (!cfg.ok) {
    // Without a valid config we cannot know the heading; speak only where the default one is used.
    if (readContract(issue.body, contractOptions(DEFAULT_CONFIG)).status === "absent") return;
    const existing = await findSticky(base, issue.number, ISSUE_MARKER);
    const text = renderIssueComment(
      { contract: { status: "absent" }, setup: cfg.errors, safety: { sources: [] } },
      undefined,
    );
    if (text) await upsertSticky(base, issue.number, existing, text);
    return;
  }
  const config = cfg.value;
  const client = withConfig(base, config);
  const opts = contractOptions(config);
  const present = readContract(issue.body, opts);
  await hooks.experiment?.(client, config, toExperimentIssue(raw), present);
  const before = context.payload.action === "edited" ? (context.payload.changes?.body?.from ?? null) : null;
  const previous = before === null ? undefined : readContract(before, opts);
  const ours = [config.labels.contract_valid, config.labels.contract_invalid, config.labels.public_safety];

  // Nothing to say and nothing to undo: no further calls (most issues in a busy repo end here).
  const nothingToSay = present.status === "absent" && scan(issue.body, client.sanitize).length === 0;
  const nothingToUndo =
    (previous === undefined || previous.status === "absent") && !issue.labels.some((l) => ours.includes(l));
  if (nothingToSay && nothingToUndo) return;

  const registry = await publishIssue(client, config, issue);
  // Compared without the registry on both sides: only the author's text matters here.
  if (previous !== undefined && contractKey(previous) !== contractKey(present)) {
    await hooks.contractChanged(client, config, issue.number, registry);
  }
}
