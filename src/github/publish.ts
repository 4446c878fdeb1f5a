/** Evaluate a PR and publish the verdict: the `merge-captain` check run, the sticky comment, the public-safety label. */
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import { renderStickyBody } from "../core/ledger/codec.js";
import type { Result } from "../core/problem.js";
import { renderPrComment } from "../core/render/pr-comment.js";
import { renderTierBSection } from "../core/tierb/render.js";
import { CHECK_NAME, checkOutput } from "../core/render/verdict.js";
import { evaluateVerdict, type Verdict } from "../core/verdict/evaluate.js";
import type { PullFacts } from "../core/verdict/types.js";
import type { RepoClient } from "./client.js";
import { findCheckRun, upsertCheckRun } from "./checks.js";
import { upsertSticky } from "./comments.js";
import { syncLabels } from "./labels.js";
import type { PullSnapshot } from "./pulls.js";
import { gatherPullFacts, type GatherInput } from "./pull-facts.js";
import { safetyOf, type PrState } from "./pr-state.js";

export interface PublishInput {
  client: RepoClient;
  config: ResolvedConfig;
  registry: Result<Registry>;
  pr: PullSnapshot;
  state: PrState;
  prefetched?: GatherInput["prefetched"];
}

/** Evaluate and write what changed: no write at all when the check, comment and labels already say it. */
export async function evaluateAndPublish(input: PublishInput): Promise<{ verdict: Verdict; facts: PullFacts }> {
  const { client, config, registry, pr, state } = input;
  const ledger = state.ledger;
  const facts = await gatherPullFacts({
    client,
    config,
    registry,
    pr,
    ledger,
    commentSafety: safetyOf(ledger),
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
    annotations: out.annotations,
  });

  const tierB = registry.ok ? renderTierBSection(ledger, pr.headSha, registry.value) : undefined;
  const body = renderStickyBody(renderPrComment(verdict, pr.headSha, tierB), ledger);
  state.sticky = await upsertSticky(client, pr.number, state.sticky, body);

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
