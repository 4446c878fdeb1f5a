/** Evaluate a PR and publish the verdict: the `merge-captain` check run, the sticky comment, the public-safety label. */
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import { parseLedger, renderStickyBody, STICKY_MARKER } from "../core/ledger/codec.js";
import { emptyLedger, type Ledger } from "../core/ledger/types.js";
import type { Result } from "../core/problem.js";
import { renderPrComment } from "../core/render/pr-comment.js";
import { renderTierBSection } from "../core/tierb/render.js";
import { CHECK_NAME, checkOutput } from "../core/render/verdict.js";
import { decodeSafety, encodeSafety, type SafetyState } from "../core/safety/state.js";
import { evaluateVerdict, type Verdict } from "../core/verdict/evaluate.js";
import type { PullFacts } from "../core/verdict/types.js";
import type { RepoClient } from "../github/client.js";
import { findCheckRun, upsertCheckRun } from "../github/checks.js";
import { findSticky, upsertSticky, type StickyComment } from "../github/comments.js";
import { syncLabels } from "../github/labels.js";
import type { PullSnapshot } from "../github/pulls.js";
import { gatherPullFacts, type GatherInput } from "./pull-facts.js";

export interface PrState {
  sticky: StickyComment | undefined;
  ledger: Ledger;
  /**
   * False when there was no sticky comment or its hidden state was unreadable: the ledger may
   * have lost dispatches, so Tier-B decisions rebuild it from the workflow's runs first.
   */
  trusted: boolean;
}

/** The PR's sticky comment and the ledger in it (an unreadable ledger reads as empty for the verdict). */
export async function readPrState(client: RepoClient, pr: number): Promise<PrState> {
  const sticky = await findSticky(client, pr, STICKY_MARKER);
  if (!sticky) return { sticky, ledger: emptyLedger(), trusted: false };
  const parsed = parseLedger(sticky.body);
  return parsed.ok
    ? { sticky, ledger: parsed.value, trusted: true }
    : { sticky, ledger: emptyLedger(), trusted: false };
}

export function safetyOf(ledger: Ledger): SafetyState {
  return decodeSafety(ledger.extra?.["safety"]);
}

export function withSafety(ledger: Ledger, state: SafetyState): Ledger {
  const encoded = encodeSafety(state);
  const extra = { ...(ledger.extra ?? {}) };
  if (encoded === "") delete extra["safety"];
  else extra["safety"] = encoded;
  return Object.keys(extra).length === 0 ? { ...ledger, extra: undefined } : { ...ledger, extra };
}

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

/** Write the sticky comment with a new ledger, keeping its visible text (before an API call that must be idempotent). */
export async function saveLedger(client: RepoClient, pr: number, state: PrState, ledger: Ledger): Promise<void> {
  const visible = state.sticky
    ? state.sticky.body
        .replace(/^<!-- merge-captain:pr v1 -->\n?/, "")
        .replace(/<!-- merge-captain:state v1 [^>]* -->\s*$/, "")
    : "### merge-captain\n\nWorking on it…";
  state.ledger = ledger;
  state.sticky = await upsertSticky(client, pr, state.sticky, renderStickyBody(visible, ledger));
}
