/** A push to a PR: Tier-B dispatches for older heads become stale (kept, shown), runs not yet started are cancelled. */
import type { Ledger } from "../../core/ledger/types.js";
import { markStale } from "../../core/tierb/stale.js";
import type { Registry } from "../../core/gates/registry.js";
import type { RepoClient } from "../../github/client.js";
import { cancelRun } from "../../github/actions.js";
import { treeOf, type PullSnapshot } from "../../github/pulls.js";
import type { PrState } from "../../github/pr-state.js";
import type { Runtime } from "../../runtime/runtime.js";
import { publishChangedDispatchChecks } from "../../github/tier-b-check-run.js";

export async function onHeadMoved(
  client: RepoClient,
  pr: PullSnapshot,
  before: string,
  state: PrState,
  runtime: Runtime,
  registry?: Registry,
): Promise<Ledger> {
  const ledger = state.ledger;
  const affected = ledger.dispatches.filter((d) => d.stale !== true && d.sha !== pr.headSha);
  if (affected.length === 0) return ledger;
  // Two calls, only when there is something to keep: a force-push of an identical tree keeps results.
  const onBefore = affected.some((d) => d.sha === before);
  let sameTree = false;
  if (onBefore) {
    const previous = await treeOf(client, before);
    sameTree = previous !== undefined && previous === (await treeOf(client, pr.headSha));
  }
  const outcome = markStale(ledger, pr.headSha, { sameTree }, runtime.now());
  for (const d of outcome.cancel) if (d.runId !== undefined) await cancelRun(client, d.runId);
  if (registry) await publishChangedDispatchChecks(client, registry, ledger.dispatches, outcome.ledger.dispatches);
  return outcome.ledger;
}
