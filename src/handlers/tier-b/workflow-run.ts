/** `workflow_run` requested / in_progress / completed of the Tier-B workflow: move the dispatch along, read and post results. */
import type { Context } from "probot";
import { applyRunEvent, type RunRef } from "../../core/tierb/runs.js";
import { groupOfRun } from "../../core/queue/tier-b.js";
import { checkProvenance, dispatchedByUs, runOrigin } from "../../core/trust/provenance.js";
import { judgeMergeGroup } from "../merge-group.js";
import { cancelRun } from "../../github/actions.js";
import { getPull } from "../../github/pulls.js";
import { repoClient, withConfig, type AppOptions } from "../../github/context.js";
import { evaluateAndPublish } from "../../github/publish.js";
import { readPrState } from "../../github/pr-state.js";
import type { Runtime } from "../../runtime/runtime.js";
import { loadConfig, loadRegistry } from "../../github/settings.js";
import { publishChangedDispatchChecks, publishDispatchCheck } from "../../github/tier-b-check-run.js";
import { concludeFromArtifact, expectedOrigin, rebuildDispatches } from "../../github/tier-b-runs.js";

type RunEventContext = Context<"workflow_run.requested" | "workflow_run.in_progress" | "workflow_run.completed">;

export async function onWorkflowRun(context: RunEventContext, app: AppOptions, runtime: Runtime): Promise<void> {
  // Runs are trusted only through provenance and the sealed ledger (workflow, branch, event, our
  // bot as actor, a dispatch id we hold for that PR and SHA), never through who sent the event.
  const run = context.payload.workflow_run as typeof context.payload.workflow_run & { display_title?: string | null };
  const base = repoClient(context, app);
  // Everything but the workflow file is checked before any call: most runs in a busy repo stop here.
  if (!dispatchedByUs(run, base).ok) return;
  const cfg = await loadConfig(context);
  if (!cfg.ok) return;
  const config = cfg.value;
  const client = withConfig(base, config);
  const expected = expectedOrigin(client, config);
  const origin = runOrigin(run, expected);
  if (!origin.ok) return;
  const named = origin.named;
  // A run on a merge group's commit (`merge_queue.tier_b: rerun`): the group is judged again once it ends.
  let group: { ref: NonNullable<ReturnType<typeof groupOfRun>>; requester: string } | undefined;
  await runtime.locks.run(`${client.owner}/${client.repo}#${named.pr}`, async () => {
    const state = await readPrState(client, named.pr);
    const registry = await loadRegistry(client, config);
    // A lost, hand-edited or pre-sealing ledger: its runs (this one included, if it passes) are rebuilt first.
    const rebuilt = state.trusted
      ? []
      : await rebuildDispatches(
          client,
          config,
          registry.ok ? registry.value : undefined,
          state,
          named.sha,
          runtime.now(),
        );
    const provenance = checkProvenance(run, expected, state.ledger);
    if (!provenance.ok) return; // not a run we dispatched for this PR and SHA: never trusted
    const dispatch = provenance.dispatch;
    const ref: RunRef = {
      id: run.id,
      name: run.name,
      display_title: run.display_title,
      head_branch: run.head_branch,
      status: run.status,
      conclusion: run.conclusion,
      html_url: run.html_url,
      run_attempt: run.run_attempt,
    };
    let outcome = applyRunEvent(state.ledger, dispatch.id, { kind: "run", run: ref }, runtime.now());
    if (outcome.cancelRun) await cancelRun(client, run.id);
    if (
      context.payload.action === "completed" &&
      outcome.dispatch?.state === "completed" &&
      // A rebuild in this event already read its results file.
      !rebuilt.some((d) => d.id === dispatch.id && d.state === "completed") &&
      registry.ok
    ) {
      const conclusion = await concludeFromArtifact(
        client,
        config,
        registry.value,
        dispatch,
        run.id,
        run.conclusion ?? "failure",
      );
      outcome = applyRunEvent(
        outcome.ledger,
        dispatch.id,
        { kind: "results", results: conclusion.results, conclusion: conclusion.conclusion },
        runtime.now(),
      );
    }
    // The Tier-B check changes only when the dispatch's state or results do. A dispatch rebuilt
    // from the run's name has none yet: it gets one, and the ledger remembers its id.
    const updated = outcome.ledger.dispatches.find((d) => d.id === dispatch.id);
    if (registry.ok && updated && updated.checkRunId === undefined) {
      const checkRunId = await publishDispatchCheck(client, registry.value, updated);
      outcome = applyRunEvent(outcome.ledger, dispatch.id, { kind: "check-run", checkRunId }, runtime.now());
    } else if (registry.ok) {
      await publishChangedDispatchChecks(client, registry.value, [dispatch], outcome.ledger.dispatches);
    }
    state.ledger = outcome.ledger;
    const ofGroup = updated && context.payload.action === "completed" ? groupOfRun(updated) : undefined;
    if (ofGroup && updated) group = { ref: ofGroup, requester: updated.requester };
    const pr = await getPull(client, named.pr);
    if (pr && pr.state === "open") await evaluateAndPublish({ client, config, registry, pr, state });
  });
  // After the PR's lock is released: judging the group takes it again for the group's members.
  if (group) await judgeMergeGroup(client, config, runtime, group.ref, { login: group.requester, type: "User" });
}
