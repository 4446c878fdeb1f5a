/** `deployment_protection_rule`: approve a Tier-B run only when it passes provenance and its PR head is still the pinned SHA. */
import type { Context } from "probot";
import {
  CONFIG_INVALID,
  LEDGER_EDITED,
  protectionApproved,
  protectionRejected,
  provenanceReason,
} from "../../core/render/protection-rule.js";
import { decideProtectionRule } from "../../core/tierb/protection.js";
import { checkProvenance, runOrigin } from "../../core/trust/provenance.js";
import { getRun, reviewProtectionRule } from "../../github/actions.js";
import { getPull } from "../../github/pulls.js";
import { branchSha } from "../../github/merge-group.js";
import { mayCommand } from "../../github/authorize.js";
import { configuredRepo, type AppOptions } from "../../github/context.js";
import { withPrState } from "../../github/pr-state.js";
import { expectedOrigin } from "../../github/tier-b-runs.js";
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
    reviewProtectionRule(client, runId, environment, false, protectionRejected(reason));
  if (!repo.ok) return reject(CONFIG_INVALID);
  const config = repo.config;
  // The run as GitHub has it (the payload names only its callback): which workflow, branch, event, actor.
  const run = await getRun(client, runId);
  const expected = expectedOrigin(client, config);
  const origin = runOrigin(run, expected);
  if (!origin.ok) return reject(provenanceReason(origin.code, expected));
  const named = origin.named;
  await withPrState(runtime.locks, client, named.pr, async (state) => {
    if (state.integrity === "tampered") return reject(LEDGER_EDITED);
    const provenance = checkProvenance(run, expected, state.ledger);
    if (!provenance.ok) return reject(provenanceReason(provenance.code, expected));
    const dispatch = provenance.dispatch;
    const pr = await getPull(client, named.pr);
    const decision = decideProtectionRule({
      ledger: state.ledger,
      run,
      pr: { state: pr?.state ?? "closed", headSha: pr?.headSha ?? "" },
      requesterHasPermission:
        dispatch.recovered === true ? false : await mayCommand(client, config, dispatch.requester),
      ...(dispatch.mergeGroup ? { groupBranchSha: await branchSha(client, dispatch.mergeGroup.ref) } : {}),
    });
    if (decision.approve) await reviewProtectionRule(client, runId, environment, true, protectionApproved(dispatch));
    else await reject(decision.reason);
  });
}
