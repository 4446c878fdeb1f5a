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
import type { RepoClient } from "./client.js";
import { findCheckRun, upsertCheckRun } from "./checks.js";
import { writeSticky } from "./ledger-store.js";
import { syncLabels } from "./labels.js";
import type { PullSnapshot } from "./pulls.js";
import { gatherPullFacts, type GatherInput } from "./pull-facts.js";
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

/** Evaluate and write what changed: no write at all when the check, comment and labels already say it. */
export async function evaluateAndPublish(input: PublishInput): Promise<{ verdict: Verdict; facts: PullFacts }> {
  const { client, config, registry, pr, state } = input;
  // A hand-edited ledger, or one from before sealing, is not believed: its dispatches are rebuilt
  // from the runs GitHub shows (only those that pass provenance) before anything is decided.
  if (state.integrity === "tampered" || state.integrity === "legacy")
    await rebuildDispatches(client, config, registry.ok ? registry.value : undefined, state, pr.headSha, new Date());
  const facts = await gatherPullFacts({
    client,
    config,
    registry,
    pr,
    ledger: state.ledger,
    commentSafety: safetyOf(state.ledger),
    ...(input.prefetched ? { prefetched: input.prefetched } : {}),
  });
  const verdict = evaluateVerdict(facts);

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
  return { verdict, facts };
}
