/** A push to a PR: Tier-B dispatches for older heads become stale (kept, shown), runs not yet started are cancelled. */
import type { Ledger } from "../../core/ledger/types.js";
import { checkRunOutput } from "../../core/tierb/render.js";
import { markStale } from "../../core/tierb/stale.js";
import type { Registry } from "../../core/gates/registry.js";
import type { RepoClient } from "../../github/client.js";
import { cancelRun } from "../../github/actions.js";
import { upsertCheckRun } from "../../github/checks.js";
import { treeOf, type PullSnapshot } from "../../github/pulls.js";
import type { PrState } from "../publish.js";
import type { Runtime } from "../runtime.js";

export async function onHeadMoved(client: RepoClient, pr: PullSnapshot, before: string, state: PrState, runtime: Runtime, registry?: Registry): Promise<Ledger> {
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
  if (registry) {
    for (const d of outcome.ledger.dispatches) {
      const was = ledger.dispatches.find((x) => x.id === d.id);
      if (d.checkRunId === undefined || !was || (was.stale === d.stale && was.state === d.state)) continue;
      const out = checkRunOutput(d, registry);
      await upsertCheckRun(client, { id: d.checkRunId, status: "", conclusion: null, text: null }, { name: out.name, headSha: d.sha, status: out.status, ...(out.conclusion ? { conclusion: out.conclusion } : {}), title: out.title, summary: out.summary });
    }
  }
  return outcome.ledger;
}
