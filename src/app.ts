/** The Probot application function: wires webhook events (and the reconciler's periodic run) to handlers, nothing else. */
import type { ApplicationFunction, Context } from "probot";
import { onIssue } from "./handlers/issues.js";
import { onExperimentIssue } from "./handlers/experiment.js";
import { onIssueClosed } from "./handlers/issue-closed.js";
import { followMergePlan, onPullClosed } from "./handlers/merge-plan.js";
import { onMergeGroup } from "./handlers/merge-group.js";
import { onIssueComment } from "./handlers/issue-comment.js";
import { onCheckRerequested } from "./handlers/check-run.js";
import { onPullRequest, recheckLinkedPulls } from "./handlers/pull-request.js";
import { onProtectionRule } from "./handlers/tier-b/protection-rule.js";
import { onWorkflowRun } from "./handlers/tier-b/workflow-run.js";
import type { AppOptions } from "./github/context.js";
import { createRuntime, type Runtime } from "./runtime/runtime.js";
import { reconcilerJob } from "./handlers/reconcile.js";

/**
 * Run `handler` once per delivery: a redelivery of an event that was already handled is skipped
 * (handlers are idempotent anyway; this saves the calls). Failed deliveries stay retryable. The
 * work is tracked while it runs (a shutdown waits for it) and counted for the metrics.
 * `after` runs once the handler succeeded (the merge plan's debounced refresh).
 */
function once<C extends Context>(
  runtime: Runtime,
  handler: (context: C) => Promise<void>,
  after: (context: C) => void = () => {},
): (context: C) => Promise<void> {
  return async (context) => {
    const action = (context.payload as { action?: unknown }).action;
    const event = typeof action === "string" ? `${context.name}.${action}` : context.name;
    const started = Date.now();
    if (await runtime.deliveries.seen(context.id)) return runtime.telemetry.delivery(event, "duplicate", 0);
    try {
      await runtime.work.track(`${event} ${context.id}`, () => handler(context));
    } catch (err) {
      runtime.telemetry.delivery(event, "failed", (Date.now() - started) / 1000);
      throw err;
    }
    runtime.telemetry.delivery(event, "handled", (Date.now() - started) / 1000);
    await runtime.deliveries.remember(context.id);
    after(context);
  };
}

export function createApp(options: AppOptions, runtime: Runtime = createRuntime()): ApplicationFunction {
  const plan = (context: Context) => followMergePlan(context, options, runtime);
  /** Every event: once per delivery, then the merge plan's refresh. */
  const handled = <C extends Context>(handler: (context: C) => Promise<void>) => once(runtime, handler, plan);
  return (app) => {
    if (options.reconciler && options.reconciler.everyMs > 0)
      runtime.scheduler.add(
        reconcilerJob({
          app: options,
          runtime,
          settings: options.reconciler,
          auth: (installationId) => app.auth(installationId),
          log: {
            info: (message) => app.log.info(message),
            warn: (message) => app.log.warn(message),
            error: (error, message) => app.log.error({ err: error }, message),
          },
        }),
      );
    app.on(
      ["issues.opened", "issues.edited", "issues.reopened"],
      handled((context) =>
        onIssue(context, options, {
          contractChanged: (client, config, issue, registry, record) =>
            recheckLinkedPulls(client, config, issue, runtime, registry, record),
          experiment: (client, config, issue, contract) => onExperimentIssue(client, config, issue, contract, runtime),
        }),
      ),
    );
    app.on(
      [
        "pull_request.opened",
        "pull_request.edited",
        "pull_request.synchronize",
        "pull_request.reopened",
        "pull_request.ready_for_review",
      ],
      handled((context) => onPullRequest(context, options, runtime)),
    );
    app.on(
      "check_run.rerequested",
      handled((context) => onCheckRerequested(context, options, runtime)),
    );
    app.on(
      ["issue_comment.created", "issue_comment.edited", "issue_comment.deleted"],
      handled((context) => onIssueComment(context, options, runtime)),
    );
    app.on(
      ["workflow_run.requested", "workflow_run.in_progress", "workflow_run.completed"],
      handled((context) => onWorkflowRun(context, options, runtime)),
    );
    app.on(
      "merge_group.checks_requested",
      handled((context) => onMergeGroup(context, options, runtime)),
    );
    app.on(
      "issues.closed",
      handled((context) => onIssueClosed(context, options, runtime)),
    );
    app.on(
      "pull_request.closed",
      handled((context) => onPullClosed(context)),
    );
    app.on(
      "deployment_protection_rule.requested",
      handled((context) => onProtectionRule(context, options, runtime)),
    );
  };
}
