/** `workflow_run` requested / in_progress / completed of the Tier-B workflow: move the dispatch along, read and post results. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../../core/config/defaults.js";
import type { RepoClient } from "../../github/client.js";
import { applyRunEvent, type RunRef } from "../../core/tierb/runs.js";
import { groupOfRun } from "../../core/queue/tier-b.js";
import { checkProvenance, dispatchedByUs, runOrigin, type RunOrigin } from "../../core/trust/provenance.js";
import { judgeMergeGroup } from "../merge-group.js";
import { cancelRun } from "../../github/actions.js";
import { getPull } from "../../github/pulls.js";
import { configuredRepo, repoClient, type AppOptions } from "../../github/context.js";
import { evaluateAndPublish } from "../../github/publish.js";
import { readPrState, withPullLock } from "../../github/pr-state.js";
import type { Runtime } from "../../runtime/runtime.js";
import { loadRegistry } from "../../github/settings.js";
import { publishChangedDispatchChecks, publishDispatchCheck } from "../../github/tier-b-check-run.js";
import { concludeFromArtifact, expectedOrigin, rebuildDispatches } from "../../github/tier-b-runs.js";

type RunEventContext = Context<"workflow_run.requested" | "workflow_run.in_progress" | "workflow_run.completed">;

export async function onWorkflowRun(context: RunEventContext, app: AppOptions, runtime: Runtime): Promise<void> {
  // Runs are trusted only through provenance and the sealed ledger (workflow, branch, event, our
  // bot as actor, a dispatch id we hold for that PR and SHA), never through who sent the event.
  const run = context.payload.workflow_run as typeof context.payload.workflow_run & { display_title?: string | null };
  // Everything but the workflow file is checked before any call: most runs in a busy repo stop here.
  if (!dispatchedByUs(run, repoClient(context, app)).ok) return;
  const repo = await configuredRepo(context, app);
  if (!repo.ok) return;
  const { client, config } = repo;
  const origin = runOrigin(run, expectedOrigin(client, config));
  if (!origin.ok) return;
  const advanced = await withPullLock(runtime.locks, client, origin.named.pr, () =>
    advanceRun(client, config, runtime, origin.named.pr, run, context.payload.action === "completed"),
  );
  await afterRun(client, config, runtime, advanced);
}

/** What `advanceRun` leaves to do once the PR's lock is released. */
export interface AdvancedRun {
  /** A run on a merge group's commit (`merge_queue.tier_b: rerun`) ended: the group is judged again. */
  group?: { ref: NonNullable<ReturnType<typeof groupOfRun>>; requester: string };
}

/**
 * Move PR `pr`'s dispatch for `run` along, read its results once it completed, and publish what
 * changed. Callers hold the PR's lock, then call `afterRun`. The reconciler calls it too, for runs
 * whose events it missed: the same provenance checks against the same sealed ledger either way.
 */
export async function advanceRun(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  pr: number,
  run: RunOrigin,
  completed: boolean,
): Promise<AdvancedRun> {
  const expected = expectedOrigin(client, config);
  // Checked before any read: a run that is not ours, or names another PR, costs nothing.
  const origin = runOrigin(run, expected);
  if (!origin.ok || origin.named.pr !== pr) return {};
  const state = await readPrState(client, pr);
  const registry = await loadRegistry(client, config);
  // A lost, hand-edited or pre-sealing ledger: its runs (this one included, if it passes) are rebuilt first.
  const rebuilt = state.trusted
    ? []
    : await rebuildDispatches(
        client,
        config,
        registry.ok ? registry.value : undefined,
        state,
        origin.named.sha,
        runtime.now(),
      );
  const provenance = checkProvenance(run, expected, state.ledger);
  // Not a run we dispatched for this PR and SHA: never trusted.
  if (!provenance.ok) return {};
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
    completed &&
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
  const ofGroup = updated && completed ? groupOfRun(updated) : undefined;
  const current = await getPull(client, pr);
  if (current && current.state === "open") await evaluateAndPublish({ client, config, registry, pr: current, state });
  return ofGroup && updated ? { group: { ref: ofGroup, requester: updated.requester } } : {};
}

/** After the PR's lock is released: judging the group takes it again for the group's members. */
export async function afterRun(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  advanced: AdvancedRun,
): Promise<void> {
  if (advanced.group)
    await judgeMergeGroup(client, config, runtime, advanced.group.ref, {
      login: advanced.group.requester,
      type: "User",
    });
}
