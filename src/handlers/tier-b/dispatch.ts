/** `/tier-b` and `/tier-b cancel`: pin the head, record before dispatching, dispatch once, open the Tier-B check run. */
import type { Command } from "../../core/commands/parse.js";
import type { ResolvedConfig } from "../../core/config/defaults.js";
import type { Registry } from "../../core/gates/registry.js";
import type { Result } from "../../core/problem.js";
import { cancelPlan, confirmPinned, filesToCheck, planDispatch, workflowInputs } from "../../core/tierb/plan.js";
import {
  cancelReply,
  dispatchRefusedReply,
  duplicateReply,
  notStartedReply,
  unconfirmedDispatchReply,
} from "../../core/tierb/replies.js";
import { applyRunEvent } from "../../core/tierb/runs.js";
import { contractCounts, scopeOf } from "../../core/verdict/derived.js";
import { safetyOf } from "../../core/safety/state.js";
import { cancelRun, dispatchWorkflow } from "../../github/actions.js";
import type { RepoClient } from "../../github/client.js";
import { reply } from "../../github/comments.js";
import { httpStatus, isServerSide } from "../../github/errors.js";
import { fileExists } from "../../github/contents.js";
import { getPull, listOpenPulls, listPullFiles, type PullSnapshot } from "../../github/pulls.js";
import { gatherPullFacts, openIssuesWithContracts } from "../../github/pull-facts.js";
import { evaluateAndPublish, withContractCache, type PublishInput } from "../../github/publish.js";
import { saveLedger, type PrState } from "../../github/pr-state.js";
import { rebuildDispatches } from "../../github/tier-b-runs.js";
import type { Runtime } from "../../runtime/runtime.js";
import { publishDispatchCheck } from "../../github/tier-b-check-run.js";

export interface TierBInput {
  client: RepoClient;
  config: ResolvedConfig;
  registry: Registry;
  pr: PullSnapshot;
  state: PrState;
  runtime: Runtime;
}

export async function requestTierB(
  input: TierBInput & {
    registryResult: Result<Registry>;
    command: Extract<Command, { kind: "tier-b" }>;
    requester: string;
    commentId: number;
  },
): Promise<"dispatched" | "refused" | "duplicate"> {
  const { client, config, registry, pr, state, runtime } = input;
  if (!state.trusted) {
    // No believable ledger (a new PR, or a deleted, hand-edited or pre-sealing sticky comment):
    // runs this PR already has are rebuilt from the runs that pass provenance, so an in-flight run
    // is still a duplicate. Kept whatever the command's outcome, so their events are tracked again;
    // the command waits for this write.
    const found = await rebuildDispatches(client, config, registry, state, pr.headSha, runtime.now());
    if (found.length > 0 || state.ledger.rebuilt) await saveLedger(client, pr.number, state, state.ledger, "command");
  }
  // Read once, used for the decision and for the verdict published after the dispatch.
  const prefetched = {
    files: await listPullFiles(client, pr),
    openIssues: await openIssuesWithContracts(client, config, input.registryResult),
    openPulls: await listOpenPulls(client),
  };
  const facts = await gatherPullFacts({
    client,
    config,
    registry: input.registryResult,
    pr,
    ledger: state.ledger,
    commentSafety: safetyOf(state.ledger),
    prefetched,
  });
  const published = { client, config, registry: input.registryResult, pr, state, prefetched };
  // The contract's acceptance is remembered with the dispatch, so the verdict below need not read the issue again.
  state.ledger = withContractCache(state.ledger, facts);
  const scope = scopeOf(facts);
  const missingFiles: string[] = [];
  for (const path of filesToCheck(registry, input.command))
    if (!(await fileExists(client, path, pr.headSha))) missingFiles.push(path);
  const plan = planDispatch({
    ledger: state.ledger,
    pr: { number: pr.number, headSha: pr.headSha, state: pr.state, draft: pr.draft },
    command: input.command,
    requester: input.requester,
    commentId: input.commentId,
    registry,
    config: {
      allowDraft: config.tier_b.allow_draft,
      requireValidContract: config.tier_b.require_valid_contract,
      requireScope: config.tier_b.require_scope,
    },
    // An outsider's contract that no maintainer accepted is not one Tier-B runs for.
    contractValid: contractCounts(facts),
    scopeOk: scope.kind === "checked" && scope.check.violations.length === 0,
    missingFiles,
    newId: runtime.newId(),
    now: runtime.now(),
  });
  switch (plan.kind) {
    case "refuse":
      await reply(client, pr.number, notStartedReply(plan.reason));
      return "refused";
    case "duplicate": {
      const d = plan.existing;
      // A redelivered webhook for the same comment is silent; a second request gets told.
      if (d.commentId !== input.commentId) await reply(client, pr.number, duplicateReply(d));
      return "duplicate";
    }
    case "dispatch":
      break;
  }
  // What the person waits for goes first, and the dispatch is recorded BEFORE the API call (a retry
  // or a racing command finds it and does not dispatch twice): the Tier-B check run opens, then
  // the verdict and the sticky comment (which holds the record, and the check run's id) are
  // published as they will stand once the run is queued. One comment edit, not two.
  const checkRunId = await publishDispatchCheck(client, registry, plan.dispatch);
  state.ledger = applyRunEvent(plan.ledger, plan.dispatch.id, { kind: "check-run", checkRunId }, runtime.now()).ledger;
  await evaluateAndPublish({ ...published, priority: "command" });
  const current = await getPull(client, pr.number);
  const pinned = confirmPinned(state.ledger, plan.dispatch.id, current?.headSha ?? "", runtime.now());
  if (!pinned.proceed) {
    await endDispatch(input, pinned.ledger, plan.dispatch.id, current ?? pr, published);
    await reply(client, pr.number, notStartedReply(pinned.reason));
    return "refused";
  }
  try {
    const res = await dispatchWorkflow(client, config.tier_b.workflow, workflowInputs(plan.dispatch));
    const event = {
      kind: "dispatched" as const,
      ...(res.runId !== undefined ? { runId: res.runId } : {}),
      ...(res.runUrl ? { runUrl: res.runUrl } : {}),
    };
    // Only the run's progress changed: the comment keeps it for its next visible change (no write).
    await saveLedger(
      client,
      pr.number,
      state,
      applyRunEvent(state.ledger, plan.dispatch.id, event, runtime.now()).ledger,
    );
  } catch (err) {
    const status = httpStatus(err);
    if (isServerSide(err)) {
      // The request may have reached GitHub (a lost response): keep the dispatch open, so the run,
      // if it exists, is tied to it by the dispatch id in its name — and never dispatch it again.
      await reply(client, pr.number, unconfirmedDispatchReply(status));
    } else {
      const applied = applyRunEvent(state.ledger, plan.dispatch.id, { kind: "dispatch-failed" }, runtime.now());
      await endDispatch(input, applied.ledger, plan.dispatch.id, current ?? pr, published);
      await reply(client, pr.number, dispatchRefusedReply(config.tier_b.workflow, status));
      return "refused";
    }
  }
  return "dispatched";
}

/** A recorded dispatch that was not sent after all: its end in the ledger, its check run and the verdict. */
async function endDispatch(
  input: TierBInput,
  ledger: PrState["ledger"],
  id: string,
  pr: PullSnapshot,
  published: PublishInput,
): Promise<void> {
  const { client, registry, state } = input;
  await saveLedger(client, pr.number, state, ledger, "command");
  const ended = ledger.dispatches.find((d) => d.id === id);
  if (ended) await publishDispatchCheck(client, registry, ended);
  await evaluateAndPublish({ ...published, pr });
}

export async function cancelTierB(input: TierBInput): Promise<void> {
  const { client, registry, pr, state, runtime } = input;
  const plan = cancelPlan(state.ledger, pr.number, runtime.now());
  for (const d of plan.cancel) if (d.runId !== undefined) await cancelRun(client, d.runId);
  state.ledger = plan.ledger;
  for (const d of plan.ledger.dispatches) {
    if (plan.cancel.some((c) => c.id === d.id) && d.checkRunId !== undefined)
      await publishDispatchCheck(client, registry, d);
  }
  await reply(client, pr.number, cancelReply(plan));
}
