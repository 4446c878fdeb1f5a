/** `deployment_protection_rule`: approve a Tier-B run only for a dispatch we recorded whose PR head is still the pinned SHA. */
import type { Context } from "probot";
import { decideProtectionRule } from "../../core/tierb/protection.js";
import { matchRun, parseRunName } from "../../core/tierb/runs.js";
import { getRun, reviewProtectionRule } from "../../github/actions.js";
import { getPull } from "../../github/pulls.js";
import { branchSha } from "../../github/merge-group.js";
import { mayCommand } from "../../github/authorize.js";
import { configuredRepo, type AppOptions } from "../../github/context.js";
import { withPrState } from "../../github/pr-state.js";
import type { Runtime } from "../../runtime/runtime.js";

const CALLBACK = /\/actions\/runs\/(\d{1,20})\/deployment_protection_rule$/;

export async function onProtectionRule(
  context: Context<"deployment_protection_rule.requested">,
  app: AppOptions,
  runtime: Runtime,
): Promise<void> {
  const payload = context.payload;
  const runId = Number(CALLBACK.exec(payload.deployment_callback_url ?? "")?.[1] ?? NaN);
  const environment = payload.environment ?? "";
  if (!Number.isFinite(runId) || environment === "") return;
  const repo = await configuredRepo(context, app);
  const client = repo.client;
  const reject = (reason: string) =>
    reviewProtectionRule(client, runId, environment, false, `merge-captain: ${reason}`);
  if (!repo.ok) return reject("the merge-captain config on the default branch is invalid");
  const config = repo.config;
  const run = await getRun(client, runId);
  const named = parseRunName(run.display_title ?? run.name ?? "");
  if (!named) return reject("this run was not started by merge-captain (its name carries no dispatch id)");
  await withPrState(runtime.locks, client, named.pr, async (state) => {
    const ref = {
      id: run.id,
      name: run.name,
      display_title: run.display_title,
      status: run.status,
      conclusion: run.conclusion,
    };
    const dispatch = matchRun(state.ledger, ref);
    const pr = await getPull(client, named.pr);
    const allowed = dispatch ? await mayCommand(client, config, dispatch.requester) : false;
    const decision = decideProtectionRule({
      ledger: state.ledger,
      run: ref,
      pr: { state: pr?.state ?? "closed", headSha: pr?.headSha ?? "" },
      requesterHasPermission: allowed,
      ...(dispatch?.mergeGroup ? { groupBranchSha: await branchSha(client, dispatch.mergeGroup.ref) } : {}),
    });
    if (decision.approve)
      await reviewProtectionRule(
        client,
        runId,
        environment,
        true,
        `merge-captain: approved for ${dispatch?.sha.slice(0, 7) ?? "the pinned head"}, requested by ${dispatch?.requester ?? "a maintainer"}`,
      );
    else await reject(decision.reason);
  });
}
