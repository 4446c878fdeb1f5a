/**
 * `merge_group.checks_requested`: GitHub's merge queue waits for every required check on the
 * group's commit, so `merge-captain` is published there too — from the verdicts of the PRs the
 * group contains (each read from its own head, re-evaluated when missing or not green) and the
 * group's own rules. `destroyed` needs nothing: the group's commit simply goes away.
 */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import type { Result } from "../core/problem.js";
import { groupMembers, parseQueueRef } from "../core/queue/members.js";
import {
  GROUP_WORDS,
  groupApiFailure,
  groupCheckOutput,
  groupNotVerified,
  notAQueueRef,
  type GroupCheckOutput,
} from "../core/queue/render.js";
import { groupRunState, groupTierBGates, planGroupRun, type GroupTierB } from "../core/queue/tier-b.js";
import { judgeGroup, type GroupMember, type OwnVerdict } from "../core/queue/verdict.js";
import type { Contract } from "../core/schemas/contract.generated.js";
import { workflowInputs } from "../core/tierb/plan.js";
import { applyRunEvent, type RunEvent } from "../core/tierb/runs.js";
import { CHECK_NAME, headline } from "../core/render/verdict.js";
import { findCheckRun, upsertCheckRun } from "../github/checks.js";
import type { RepoClient } from "../github/client.js";
import { configuredRepo, type AppOptions } from "../github/context.js";
import { dispatchWorkflow } from "../github/actions.js";
import { httpStatus, isApiFailure, isServerSide } from "../github/errors.js";
import { groupCommits, queueRefs } from "../github/merge-group.js";
import { readPrState, saveLedger, withPrState, withPullLock } from "../github/pr-state.js";
import { evaluateAndPublish } from "../github/publish.js";
import { linkPull, openIssuesWithContracts, type IssueWithContract } from "../github/pull-facts.js";
import { getPull, listOpenPulls, type PullSnapshot } from "../github/pulls.js";
import { loadRegistry } from "../github/settings.js";
import { publishDispatchCheck } from "../github/tier-b-check-run.js";
import { rebuildDispatches } from "../github/tier-b-runs.js";
import type { Runtime } from "../runtime/runtime.js";

async function publishGroupCheck(client: RepoClient, headSha: string, out: GroupCheckOutput): Promise<void> {
  const existing = await findCheckRun(client, headSha, CHECK_NAME);
  await upsertCheckRun(client, existing, { name: CHECK_NAME, headSha, ...out });
}

interface GroupContext {
  client: RepoClient;
  config: ResolvedConfig;
  registry: Result<Registry>;
  openIssues: IssueWithContract[];
  openPulls: PullSnapshot[];
  runtime: Runtime;
}

/** A PR's own verdict: our green check on its head as it stands, else evaluated now (and published on the PR). */
async function ownVerdict(g: GroupContext, pr: PullSnapshot): Promise<OwnVerdict> {
  const check = await findCheckRun(g.client, pr.headSha, CHECK_NAME);
  if (check?.status === "completed" && check.conclusion === "success")
    return { kind: "green", title: check.title ?? GROUP_WORDS.greenTitle };
  return withPullLock(g.runtime.locks, g.client, pr.number, async () => {
    // The list omits changed_files, which the scope check needs: re-read the PR.
    const fresh = await getPull(g.client, pr.number);
    if (!fresh || fresh.state !== "open") return { kind: "unavailable", reason: GROUP_WORDS.noLongerOpen(pr.number) };
    const state = await readPrState(g.client, fresh.number);
    const { verdict, facts } = await evaluateAndPublish({
      client: g.client,
      config: g.config,
      registry: g.registry,
      pr: fresh,
      state,
      prefetched: { openIssues: g.openIssues, openPulls: g.openPulls },
    });
    return {
      kind: "evaluated",
      outcome: verdict.outcome,
      title: headline(verdict.outcome, verdict.results),
      results: verdict.results,
      dependencies: facts.dependencies,
    };
  });
}

async function memberOf(g: GroupContext, number: number): Promise<{ member: GroupMember; contract?: Contract }> {
  const pr = g.openPulls.find((p) => p.number === number) ?? (await getPull(g.client, number));
  const base = { pr: number, headSha: pr?.headSha ?? "", merged: pr?.merged === true };
  if (!pr || (pr.state !== "open" && !pr.merged))
    return {
      member: {
        ...base,
        issue: undefined,
        contractId: undefined,
        hotspots: [],
        own: { kind: "unavailable", reason: GROUP_WORDS.notOpen(number) },
      },
    };
  const link = linkPull(g.client, g.config, pr, g.openIssues);
  const report = link.ok ? g.openIssues.find((i) => i.number === link.issue)?.contract : undefined;
  const valid = report?.status === "valid" ? report.contract : undefined;
  const member: GroupMember = {
    ...base,
    issue: link.ok ? link.issue : undefined,
    contractId: valid?.nmoe.issue,
    hotspots: valid?.nmoe.merge_hotspots ?? [],
    own: pr.merged ? { kind: "green", title: GROUP_WORDS.mergedTitle } : await ownVerdict(g, pr),
  };
  return valid ? { member, contract: valid } : { member };
}

/** The group as `merge_group` names it (and as a Tier-B run on it can rebuild it). */
export interface GroupRef {
  head_sha: string;
  head_ref: string;
  base_ref: string;
}

/** Who queued the group: needed only to start its own Tier-B run (`rerun`). */
export interface GroupSender {
  login: string;
  type: string | undefined;
}

/** `rerun`: the group's own Tier-B run — its state, or dispatched now (recorded first, like `/tier-b`). */
async function groupTierB(
  g: GroupContext,
  registry: Registry,
  group: GroupRef,
  lastPr: number,
  contracts: readonly Contract[],
  sender: GroupSender,
): Promise<GroupTierB> {
  const gates = groupTierBGates(
    contracts.map((c) => c.gates.required),
    registry,
  );
  if (gates.length === 0) return { mode: "rerun", state: "not-needed" };
  const { client, config, runtime } = g;
  return withPrState(runtime.locks, client, lastPr, async (state): Promise<GroupTierB> => {
    // A lost, hand-edited or pre-sealing ledger: runs already started for this group are found by
    // their names (only those that pass provenance), never started twice.
    if (!state.trusted) await rebuildDispatches(client, config, registry, state, group.head_sha, runtime.now());
    const now = groupRunState(state.ledger, group.head_sha, gates, registry);
    if (now.state !== "none") return { mode: "rerun", ...now };
    const plan = planGroupRun({
      ledger: state.ledger,
      lastPr,
      groupSha: group.head_sha,
      groupRef: group.head_ref,
      gates,
      registry,
      perf: contracts.flatMap((c) => (c.gates.perf ? [c.gates.perf] : [])),
      baseBranch: group.base_ref.replace(/^refs\/heads\//, ""),
      requester: sender,
      newId: runtime.newId(),
      now: runtime.now(),
    });
    switch (plan.kind) {
      case "refuse":
        return { mode: "rerun", state: "fail", summary: GROUP_WORDS.runRefused(plan.reason) };
      case "existing":
        return { mode: "rerun", state: "pending", summary: GROUP_WORDS.runOnItsWay };
      case "dispatch":
        break;
    }
    await saveLedger(client, lastPr, state, plan.ledger);
    let event: RunEvent;
    try {
      const res = await dispatchWorkflow(client, config.tier_b.workflow, workflowInputs(plan.dispatch));
      event = {
        kind: "dispatched",
        ...(res.runId !== undefined ? { runId: res.runId } : {}),
        ...(res.runUrl ? { runUrl: res.runUrl } : {}),
      };
    } catch (err) {
      // As for `/tier-b`: an answer lost on GitHub's side may still have started the run — keep it open.
      if (!isServerSide(err)) {
        const failed = applyRunEvent(state.ledger, plan.dispatch.id, { kind: "dispatch-failed" }, runtime.now());
        await saveLedger(client, lastPr, state, failed.ledger);
        return {
          mode: "rerun",
          state: "fail",
          summary: GROUP_WORDS.dispatchRefused(config.tier_b.workflow, httpStatus(err)),
        };
      }
      event = { kind: "dispatched" };
    }
    let ledger = applyRunEvent(state.ledger, plan.dispatch.id, event, runtime.now()).ledger;
    const dispatched = ledger.dispatches.find((d) => d.id === plan.dispatch.id)!;
    const checkRunId = await publishDispatchCheck(client, registry, dispatched);
    ledger = applyRunEvent(ledger, plan.dispatch.id, { kind: "check-run", checkRunId }, runtime.now()).ledger;
    await saveLedger(client, lastPr, state, ledger);
    return { mode: "rerun", state: "pending", summary: GROUP_WORDS.dispatched(plan.dispatch.bundle) };
  });
}

/**
 * Judge a merge group and publish `merge-captain` on its commit. Also called when the group's own
 * Tier-B run (`rerun`) finishes. Runs under a lock per group commit.
 */
export async function judgeMergeGroup(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  group: GroupRef,
  sender: GroupSender,
): Promise<void> {
  const ref = parseQueueRef(group.head_ref);
  if (!ref) {
    return publishGroupCheck(client, group.head_sha, groupNotVerified([notAQueueRef()]));
  }
  await runtime.locks.run(`${client.owner}/${client.repo}@${group.head_sha}`, async () => {
    try {
      const registry = await loadRegistry(client, config);
      const baseBranch = group.base_ref.replace(/^refs\/heads\//, "");
      const { commits, truncated } = await groupCommits(client, baseBranch, group.head_sha);
      const openPulls = await listOpenPulls(client);
      const membership = groupMembers({
        ref,
        headSha: group.head_sha,
        commits,
        truncated,
        queueRefs: await queueRefs(client, baseBranch),
        candidates: openPulls.filter((p) => p.baseRef === baseBranch),
      });
      if (!membership.ok) return publishGroupCheck(client, group.head_sha, groupNotVerified([membership.problem]));
      const g: GroupContext = {
        client,
        config,
        registry,
        openIssues: await openIssuesWithContracts(client, config, registry),
        openPulls,
        runtime,
      };
      const members: GroupMember[] = [];
      const contracts: Contract[] = [];
      for (const n of membership.prs) {
        const { member, contract } = await memberOf(g, n);
        members.push(member);
        if (contract) contracts.push(contract);
      }
      const verdict = judgeGroup(members);
      let tierB: GroupTierB = { mode: "trust_pr_heads" };
      if (config.merge_queue.tier_b === "rerun") {
        if (!registry.ok) return publishGroupCheck(client, group.head_sha, groupNotVerified(registry.errors));
        // No GPU time for a group that fails anyway.
        tierB =
          verdict.outcome === "green"
            ? await groupTierB(g, registry.value, group, ref.lastPr, contracts, sender)
            : { mode: "rerun", state: "not-started" };
      }
      const out = groupCheckOutput({ verdict, members, baseBranch, tierB });
      await publishGroupCheck(client, group.head_sha, out);
    } catch (err) {
      // Fail closed and visibly, as for a PR: the delivery stays retryable.
      if (!isApiFailure(err)) throw err;
      await publishGroupCheck(client, group.head_sha, groupApiFailure(httpStatus(err))).catch(() => undefined);
      throw err;
    }
  });
}

export async function onMergeGroup(
  context: Context<"merge_group.checks_requested">,
  app: AppOptions,
  runtime: Runtime,
): Promise<void> {
  // Not filtered by sender: GitHub's queue may send this as a bot, and the check is required —
  // ignoring it would stall the queue. Nothing in the event is obeyed; the group is read from GitHub.
  const group = context.payload.merge_group;
  const repo = await configuredRepo(context, app);
  if (!repo.ok) return publishGroupCheck(repo.client, group.head_sha, groupNotVerified(repo.errors));
  const sender = context.payload.sender;
  await judgeMergeGroup(repo.client, repo.config, runtime, group, {
    login: sender?.login ?? "",
    type: sender?.type,
  });
}
