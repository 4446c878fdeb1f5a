/** `issues` opened / edited / reopened: check the contract, record who made it count, keep one sticky comment and the labels in step. */
import type { Context } from "probot";
import { issueLabels } from "../core/contract/labels.js";
import { readContract, type ContractReport } from "../core/contract/read.js";
import { DEFAULT_CONFIG, type ResolvedConfig } from "../core/config/defaults.js";
import { contractOptions } from "../core/config/readers.js";
import type { Registry } from "../core/gates/registry.js";
import type { Ledger } from "../core/ledger/types.js";
import type { Problem, Result } from "../core/problem.js";
import { NO_LONGER_A_CONTRACT, renderIssueComment } from "../core/render/issue-comment.js";
import { hasFindings, type SafetyReport } from "../core/render/safety.js";
import { scan, type Finding } from "../core/sanitize/sanitize.js";
import { describeSource, safetyOf, withSafety, withSource, type SafetyState } from "../core/safety/state.js";
import {
  contractAuthority,
  contractHash,
  recordIssueEvent,
  type Authority,
  type IssueEvent,
} from "../core/trust/acceptance.js";
import { floorOf } from "../core/trust/floor.js";
import type { RepoClient } from "../github/client.js";
import { actorFacts } from "../github/actors.js";
import { labelNames, syncLabels } from "../github/labels.js";
import { readSticky, writeSticky, type StickyState } from "../github/ledger-store.js";
import { repoClient, sentByUs, withConfig, type AppOptions } from "../github/context.js";
import { loadConfig, loadRegistry } from "../github/settings.js";
import { toExperimentIssue, type ExperimentIssue } from "../github/threads.js";

export interface IssueHooks {
  /** Called when an issue's contract (or whether it counts) changed, so PRs linked to it are re-checked. */
  contractChanged: (
    client: RepoClient,
    config: ResolvedConfig,
    issueNumber: number,
    registry: Result<Registry> | undefined,
    record: Ledger | undefined,
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
      return "valid:" + contractHash(report.contract);
    case "invalid":
      return "invalid:" + JSON.stringify(report.errors);
  }
}

/** The contract's hash when it parses (gate ids are not needed to name a version of it). */
export function hashOf(body: string | null, config: ResolvedConfig): string | undefined {
  const r = readContract(body, contractOptions(config));
  return r.status === "valid" ? contractHash(r.contract) : undefined;
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
  author: { login: string; type?: string | null | undefined };
}

export interface PublishedIssue {
  registry: Result<Registry> | undefined;
  state: StickyState;
  standing: Authority | undefined;
}

/**
 * Bring the issue's sticky comment and labels in step with its body, with what an event did to
 * the contract's acceptance (`event`, built from the hash it is about), and with what a comment
 * now contains (`comment`: the source `comment:<id>` and its findings). The body is rescanned
 * every time, so the remembered findings never go stale.
 */
export async function publishIssue(
  client: RepoClient,
  config: ResolvedConfig,
  issue: IssueSnapshot,
  opts: {
    at: string;
    event?: IssueEvent;
    comment?: { source: string; findings: Finding[] };
    /** Already read in this event. */
    registry?: Result<Registry>;
  },
): Promise<PublishedIssue> {
  const options = contractOptions(config);
  const present = readContract(issue.body, options);
  let report: ContractReport = present;
  let setup: Problem[] = [];
  let registry: Result<Registry> | undefined;
  if (present.status !== "absent") {
    registry = opts.registry ?? (await loadRegistry(client, config));
    if (registry.ok) report = readContract(issue.body, options, registry);
    else setup = registry.errors;
  }

  const state = await readSticky(client, "issue", issue.number);
  let ledger: Ledger = state.ledger;
  if (state.integrity === "tampered") ledger = { ...ledger, rebuilt: { at: opts.at, reason: "tampered" } };
  let safety = withSource(safetyOf(ledger), "body", scan(issue.body, client.sanitize));
  if (opts.comment) safety = withSource(safety, opts.comment.source, opts.comment.findings);
  ledger = withSafety(ledger, safety);

  let standing: Authority | undefined;
  let hash: string | undefined;
  if (present.status === "valid") {
    hash = contractHash(present.contract);
    // An event about another version (the body changed again since) records nothing.
    if (opts.event && opts.event.hash === hash) ledger = recordIssueEvent(ledger, opts.event);
    let answer = contractAuthority({ issue: issue.number, hash, cached: undefined, record: ledger, author: undefined });
    if (answer.status === "need")
      answer = contractAuthority({
        issue: issue.number,
        hash,
        cached: undefined,
        record: ledger,
        author: await actorFacts(client, config, issue.author),
      });
    if (answer.status !== "need") standing = answer;
  }

  const rendered = renderIssueComment(
    {
      contract: report,
      setup,
      safety: safetyReport(safety),
      ...(standing && hash ? { authority: { standing, hash, author: issue.author.login } } : {}),
      floor: floorOf(config),
      ...(ledger.rebuilt ? { rebuilt: ledger.rebuilt } : {}),
    },
    registry?.ok ? registry.value : undefined,
  );
  const text = rendered ?? (state.sticky ? NO_LONGER_A_CONTRACT : undefined);
  if (text !== undefined) await writeSticky(client, state, text, ledger);

  const plan = issueLabels({
    report,
    setupBroken: setup.length > 0,
    accepted: standing?.status === "accepted",
    findings: hasFindings(safetyReport(safety)),
    labels: config.labels,
  });
  await syncLabels(client, issue.number, issue.labels, plan.want, plan.unwanted);
  return { registry, state, standing };
}

type IssueContext = Context<"issues.opened" | "issues.edited" | "issues.reopened">;

export async function onIssue(context: IssueContext, app: AppOptions, hooks: IssueHooks): Promise<void> {
  // Our own events never trigger us; other bots' issues are judged like anyone's.
  if (sentByUs(context, app)) return;
  const { issue: raw, sender, action } = context.payload;
  const issue: IssueSnapshot = {
    number: raw.number,
    body: raw.body ?? "",
    labels: labelNames(raw.labels),
    author: { login: raw.user?.login ?? "ghost", type: raw.user?.type ?? null },
  };
  const base = repoClient(context, app);

  const cfg = await loadConfig(context);
  if (!cfg.ok) {
    // Without a valid config we cannot know the heading; speak only where the default one is used.
    if (readContract(issue.body, contractOptions(DEFAULT_CONFIG)).status === "absent") return;
    const state = await readSticky(base, "issue", issue.number);
    const text = renderIssueComment(
      { contract: { status: "absent" }, setup: cfg.errors, safety: { sources: [] } },
      undefined,
    );
    if (text) await writeSticky(base, state, text, state.ledger);
    return;
  }
  const config = cfg.value;
  const client = withConfig(base, config);
  const opts = contractOptions(config);
  const present = readContract(issue.body, opts);
  await hooks.experiment?.(client, config, toExperimentIssue(raw), present);
  const before = action === "edited" ? (context.payload.changes?.body?.from ?? null) : null;
  const previous = before === null ? undefined : readContract(before, opts);
  const ours = [
    config.labels.contract_valid,
    config.labels.contract_invalid,
    config.labels.contract_unaccepted,
    config.labels.public_safety,
  ];

  // Nothing to say and nothing to undo: no further calls (most issues in a busy repo end here).
  const nothingToSay = present.status === "absent" && scan(issue.body, client.sanitize).length === 0;
  const nothingToUndo =
    (previous === undefined || previous.status === "absent") && !issue.labels.some((l) => ours.includes(l));
  if (nothingToSay && nothingToUndo) return;

  let event: IssueEvent | undefined;
  const hash = present.status === "valid" ? contractHash(present.contract) : undefined;
  // An edit that left the contract alone (the title, the summary, a typo elsewhere) changes nothing about who made it.
  const wroteContract =
    action === "opened" || (action === "edited" && before !== null && hashOf(before, config) !== hash);
  if (hash !== undefined && wroteContract) {
    // Who wrote this version decides whether it counts: one permission lookup for the sender.
    const actor = await actorFacts(client, config, { login: sender.login, type: sender.type });
    event =
      action === "opened"
        ? { kind: "opened", actor, hash, at: raw.created_at }
        : {
            kind: "edited",
            actor,
            hash,
            previous: before === null ? undefined : hashOf(before, config),
            at: raw.updated_at,
          };
  }
  const published = await publishIssue(client, config, issue, { at: raw.updated_at, ...(event ? { event } : {}) });
  // Compared without the registry on both sides: only the author's text matters here.
  if (previous !== undefined && contractKey(previous) !== contractKey(present))
    await hooks.contractChanged(client, config, issue.number, published.registry, published.state.ledger);
}
