/** Evaluate a PR and publish the verdict: the `merge-captain` check run, the sticky comment (with its sealed ledger), the public-safety label. */
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import type { Ledger } from "../core/ledger/types.js";
import type { Result } from "../core/problem.js";
import { renderPrComment } from "../core/render/pr-comment.js";
import { safetyOf } from "../core/safety/state.js";
import { renderTierBSection } from "../core/tierb/render.js";
import { CHECK_NAME, checkOutput } from "../core/render/verdict.js";
import { cacheEntry, contractHash } from "../core/trust/acceptance.js";
import { evaluateVerdict, type Verdict } from "../core/verdict/evaluate.js";
import type { PullFacts } from "../core/verdict/types.js";
import { settingsKey, verdictInputsKey } from "../core/reconcile/inputs.js";
import type { RepoClient } from "./client.js";
import { findCheckRun, upsertCheckRun } from "./checks.js";
import { writeSticky } from "./ledger-store.js";
import { syncLabels } from "./labels.js";
import { listPullFiles, type PullSnapshot } from "./pulls.js";
import {
  gatherPullFacts,
  linkPull,
  openIssuesWithContracts,
  type GatherInput,
  type IssueWithContract,
} from "./pull-facts.js";
import type { PrState } from "./pr-state.js";
import { rebuildDispatches } from "./tier-b-runs.js";

export interface PublishInput {
  client: RepoClient;
  config: ResolvedConfig;
  registry: Result<Registry>;
  pr: PullSnapshot;
  state: PrState;
  prefetched?: GatherInput["prefetched"];
}

/** The PR ledger remembers the acceptance that made its contract count, so the next event need not read the issue. */
export function withContractCache(ledger: Ledger, facts: PullFacts): Ledger {
  if (!facts.link.ok || facts.contract?.status !== "valid" || facts.standing?.status !== "accepted") return ledger;
  const entry = cacheEntry(facts.link.issue, contractHash(facts.contract.contract), facts.standing);
  const same = ledger.contract && JSON.stringify(ledger.contract) === JSON.stringify(entry);
  return same ? ledger : { ...ledger, contract: entry };
}

/**
 * The verdict-inputs key of a PR from the lists an event (or the reconciler) already read: the
 * same function on both sides, so a check written now compares equal on the next reconciler run.
 */
export function verdictInputsOf(
  client: RepoClient,
  config: ResolvedConfig,
  settings: string,
  pr: Pick<PullSnapshot, "headSha" | "body" | "draft" | "headRef">,
  openIssues: readonly IssueWithContract[],
): string {
  const link = linkPull(client, config, pr, openIssues);
  const issue = link.ok ? openIssues.find((i) => i.number === link.issue) : undefined;
  return verdictInputsKey({
    headSha: pr.headSha,
    body: pr.body,
    draft: pr.draft,
    settings,
    contractIssue: issue ? { number: issue.number, body: issue.body } : null,
  });
}

/**
 * Evaluate and write what changed: no write at all when the check, comment and labels already say
 * it. Returns the verdict-inputs key the check now stands for (the reconciler remembers it).
 */
export async function evaluateAndPublish(
  input: PublishInput,
): Promise<{ verdict: Verdict; facts: PullFacts; inputs: string }> {
  const { client, config, registry, pr, state } = input;
  // A hand-edited ledger, or one from before sealing, is not believed: its dispatches are rebuilt
  // from the runs GitHub shows (only those that pass provenance) before anything is decided.
  if (state.integrity === "tampered" || state.integrity === "legacy")
    await rebuildDispatches(client, config, registry.ok ? registry.value : undefined, state, pr.headSha, new Date());
  // Read here (in gather's order) rather than in gather: the inputs key needs the contract issue's body.
  const files = input.prefetched?.files ?? (await listPullFiles(client, pr));
  const openIssues = input.prefetched?.openIssues ?? (await openIssuesWithContracts(client, config, registry));
  const facts = await gatherPullFacts({
    client,
    config,
    registry,
    pr,
    ledger: state.ledger,
    commentSafety: safetyOf(state.ledger),
    prefetched: { ...input.prefetched, files, openIssues },
  });
  const verdict = evaluateVerdict(facts);
  const inputs = verdictInputsOf(client, config, settingsKey(config, registry), pr, openIssues);

  const out = checkOutput(verdict);
  const existing = await findCheckRun(client, pr.headSha, CHECK_NAME);
  await upsertCheckRun(client, existing, {
    name: CHECK_NAME,
    headSha: pr.headSha,
    status: out.status,
    ...(out.conclusion ? { conclusion: out.conclusion } : {}),
    title: out.title,
    summary: out.summary,
    text: out.text,
    textMarker: out.textMarker,
    annotations: out.annotations,
    inputs,
  });

  const ledger = withContractCache(state.ledger, facts);
  const tierB = registry.ok ? renderTierBSection(ledger, pr.headSha, registry.value) : undefined;
  await writeSticky(client, state, renderPrComment(verdict, pr.headSha, tierB, ledger.rebuilt), ledger);

  const findings = facts.safety.sources.length > 0;
  await syncLabels(
    client,
    pr.number,
    pr.labels,
    findings ? [config.labels.public_safety] : [],
    findings ? [] : [config.labels.public_safety],
  );
  return { verdict, facts, inputs };
}
