/** `workflow_run` requested / in_progress / completed of the Tier-B workflow: move the dispatch along, read and post results. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../../core/config/defaults.js";
import type { RepoClient } from "../../github/client.js";
import { applyRunEvent, matchRun, parseRunName, type RunRef } from "../../core/tierb/runs.js";
import { concludeRun } from "../../core/tierb/results.js";
import { groupOfRun } from "../../core/queue/tier-b.js";
import { judgeMergeGroup } from "../merge-group.js";
import { requestedGateIds } from "../../core/tierb/registry-view.js";
import { cancelRun, readArtifactFile } from "../../github/actions.js";
import { getPull } from "../../github/pulls.js";
import { configuredRepo, type AppOptions } from "../../github/context.js";
import { evaluateAndPublish } from "../../github/publish.js";
import { readPrState, withPullLock } from "../../github/pr-state.js";
import type { Runtime } from "../../runtime/runtime.js";
import { loadRegistry } from "../../github/settings.js";
import { publishChangedDispatchChecks, publishDispatchCheck } from "../../github/tier-b-check-run.js";

const RESULTS_FILE = "tier_b_results.json";

type RunEventContext = Context<"workflow_run.requested" | "workflow_run.in_progress" | "workflow_run.completed">;

export async function onWorkflowRun(context: RunEventContext, app: AppOptions, runtime: Runtime): Promise<void> {
  // The run was dispatched by this app, so the sender is often our own bot: runs are trusted only
  // through the ledger (dispatch id and run id), never through who sent the event.
  const run = context.payload.workflow_run as typeof context.payload.workflow_run & { display_title?: string | null };
  if (run.event !== "workflow_dispatch") return;
  const named = parseRunName(run.display_title ?? run.name ?? "");
  if (!named) return;
  const repo = await configuredRepo(context, app);
  if (!repo.ok) return;
  const { client, config } = repo;
  if (!run.path.endsWith(`/${config.tier_b.workflow}`)) return;
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
  const advanced = await withPullLock(runtime.locks, client, named.pr, () =>
    advanceRun(client, config, runtime, named.pr, ref, context.payload.action === "completed"),
  );
  await afterRun(client, config, runtime, advanced);
}

/** What `advanceRun` leaves to do once the PR's lock is released. */
export interface AdvancedRun {
  /** A run on a merge group's commit (`merge_queue.tier_b: rerun`) ended: the group is judged again. */
  group?: { ref: NonNullable<ReturnType<typeof groupOfRun>>; requester: string };
}

/**
 * Move PR `pr`'s dispatch for `ref` along, read its results once it completed, and publish what
 * changed. Callers hold the PR's lock, then call `afterRun`. The reconciler calls it too, for runs
 * whose events it missed.
 */
export async function advanceRun(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  pr: number,
  ref: RunRef,
  completed: boolean,
): Promise<AdvancedRun> {
  const state = await readPrState(client, pr);
  const dispatch = matchRun(state.ledger, ref);
  if (!dispatch) return {}; // not ours (or from a ledger we no longer have): never trusted
  let outcome = applyRunEvent(state.ledger, dispatch.id, { kind: "run", run: ref }, runtime.now());
  if (outcome.cancelRun) await cancelRun(client, ref.id);
  const registry = await loadRegistry(client, config);
  if (completed && outcome.dispatch?.state === "completed" && registry.ok) {
    const requested = requestedGateIds(registry.value, dispatch) ?? [];
    const file = await readArtifactFile(client, ref.id, config.tier_b.artifact, RESULTS_FILE);
    const conclusion = concludeRun(
      file,
      { headSha: dispatch.sha, dispatchId: dispatch.id, requestedGateIds: requested, registry: registry.value },
      ref.conclusion ?? "failure",
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
