/**
 * The merge-plan issue (opt-in, `merge_plan: true`): rebuilt after events that can change a row,
 * debounced per repository, and by the reconciler through `refreshMergePlan`.
 */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { buildPlan } from "../core/plan/build.js";
import { renderPlanIssue } from "../core/plan/render.js";
import type { RepoClient } from "../github/client.js";
import { repoClient, withConfig, type AppOptions } from "../github/context.js";
import { gatherPlan } from "../github/plan-facts.js";
import { findPlanIssue, writePlanIssue, type PlanWrite } from "../github/plan-issue.js";
import { configReadFor, loadConfig, loadRegistry } from "../github/settings.js";
import type { Runtime } from "../runtime/runtime.js";

/**
 * Rebuild the plan and write it if its text changed; undefined when the repo did not opt in.
 * Runs under a per-repository lock (shared through Redis with `REDIS_URL`), so two instances never
 * create the issue twice. This is the hook for the reconciler.
 */
export async function refreshMergePlan(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
): Promise<PlanWrite | undefined> {
  if (!config.merge_plan) return undefined;
  return runtime.locks.run(`${client.owner}/${client.repo}#merge-plan`, async () => {
    const registry = await loadRegistry(client, config);
    const facts = await gatherPlan(client, config, registry);
    const body = renderPlanIssue(buildPlan(facts.input));
    return writePlanIssue(client, findPlanIssue(client, facts.openIssues), body);
  });
}

/** The debouncer's key for a repository's plan. */
export function planKey(client: Pick<RepoClient, "owner" | "repo">): string {
  return `merge-plan:${client.owner}/${client.repo}`.toLowerCase();
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Refresh the plan once the burst of events this one belongs to is over. */
export function scheduleMergePlan(runtime: Runtime, client: RepoClient, config: ResolvedConfig, log?: Log): void {
  runtime.debounce.schedule(planKey(client), async () => {
    try {
      const written = await refreshMergePlan(client, config, runtime);
      if (written?.kind === "created" && !written.pinned)
        log?.info({ issue: written.number }, "merge-captain: merge plan created; GitHub did not let it be pinned");
    } catch (err) {
      // No delivery to fail: the next event (or the reconciler) refreshes it again.
      log?.warn({ err }, "merge-captain: the merge plan could not be refreshed");
    }
  });
}

/** After any handled event: if its handler read a config that opts in, the plan is refreshed (debounced). */
export function followMergePlan(context: Context, app: AppOptions, runtime: Runtime): void {
  const config = configReadFor(context);
  if (!config?.merge_plan) return;
  scheduleMergePlan(runtime, withConfig(repoClient(context, app), config), config, context.log);
}

/** `pull_request.closed`: a PR leaves the plan (merged or not). Only the config is read; the plan follows. */
export async function onPullClosed(context: Context<"pull_request.closed">): Promise<void> {
  if (context.isBot) return;
  await loadConfig(context);
}
