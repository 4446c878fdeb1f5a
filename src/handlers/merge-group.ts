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
import { groupApiFailure, groupCheckOutput, groupNotVerified, type GroupCheckOutput } from "../core/queue/render.js";
import { judgeGroup, type GroupMember, type OwnVerdict } from "../core/queue/verdict.js";
import { CHECK_NAME, headline } from "../core/render/verdict.js";
import { problem } from "../core/problem.js";
import { findCheckRun, upsertCheckRun } from "../github/checks.js";
import type { RepoClient } from "../github/client.js";
import { repoClient, withConfig, type AppOptions } from "../github/context.js";
import { httpStatus, isApiFailure } from "../github/errors.js";
import { groupCommits, queueRefs } from "../github/merge-group.js";
import { readPrState } from "../github/pr-state.js";
import { evaluateAndPublish } from "../github/publish.js";
import { linkPull, openIssuesWithContracts, type IssueWithContract } from "../github/pull-facts.js";
import { getPull, listOpenPulls, type PullSnapshot } from "../github/pulls.js";
import { loadConfig, loadRegistry } from "../github/settings.js";
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
    return { kind: "green", title: check.title ?? "Ready to merge" };
  return g.runtime.locks.run(`${g.client.owner}/${g.client.repo}#${pr.number}`, async () => {
    // The list omits changed_files, which the scope check needs: re-read the PR.
    const fresh = await getPull(g.client, pr.number);
    if (!fresh || fresh.state !== "open") return { kind: "unavailable", reason: `#${pr.number} is no longer open` };
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

async function memberOf(g: GroupContext, number: number): Promise<GroupMember> {
  const pr = g.openPulls.find((p) => p.number === number) ?? (await getPull(g.client, number));
  const base = { pr: number, headSha: pr?.headSha ?? "", merged: pr?.merged === true };
  if (!pr || (pr.state !== "open" && !pr.merged))
    return {
      ...base,
      issue: undefined,
      contractId: undefined,
      hotspots: [],
      own: { kind: "unavailable", reason: `#${number} is not an open PR` },
    };
  const link = linkPull(g.client, g.config, pr, g.openIssues);
  const contract = link.ok ? g.openIssues.find((i) => i.number === link.issue)?.contract : undefined;
  const valid = contract?.status === "valid" ? contract.contract : undefined;
  return {
    ...base,
    issue: link.ok ? link.issue : undefined,
    contractId: valid?.nmoe.issue,
    hotspots: valid?.nmoe.merge_hotspots ?? [],
    own: pr.merged ? { kind: "green", title: "merged" } : await ownVerdict(g, pr),
  };
}

export async function onMergeGroup(
  context: Context<"merge_group.checks_requested">,
  app: AppOptions,
  runtime: Runtime,
): Promise<void> {
  // Not filtered by sender: GitHub's queue may send this as a bot, and the check is required —
  // ignoring it would stall the queue. Nothing in the event is obeyed; the group is read from GitHub.
  const group = context.payload.merge_group;
  const base = repoClient(context, app);
  const cfg = await loadConfig(context);
  if (!cfg.ok) return publishGroupCheck(base, group.head_sha, groupNotVerified(cfg.errors));
  const client = withConfig(base, cfg.value);
  const ref = parseQueueRef(group.head_ref);
  if (!ref) {
    return publishGroupCheck(
      client,
      group.head_sha,
      groupNotVerified([
        problem(
          "queue.ref",
          "",
          `the merge group's ref is not a merge queue ref (\`gh-readonly-queue/<branch>/pr-<number>-<sha>\`), so its PRs are unknown`,
        ),
      ]),
    );
  }
  await runtime.locks.run(`${client.owner}/${client.repo}@${group.head_sha}`, async () => {
    try {
      const registry = await loadRegistry(client, cfg.value);
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
        config: cfg.value,
        registry,
        openIssues: await openIssuesWithContracts(client, cfg.value, registry),
        openPulls,
        runtime,
      };
      const members: GroupMember[] = [];
      for (const n of membership.prs) members.push(await memberOf(g, n));
      const out = groupCheckOutput({ verdict: judgeGroup(members), members, baseBranch });
      await publishGroupCheck(client, group.head_sha, out);
    } catch (err) {
      // Fail closed and visibly, as for a PR: the delivery stays retryable.
      if (!isApiFailure(err)) throw err;
      await publishGroupCheck(client, group.head_sha, groupApiFailure(httpStatus(err))).catch(() => undefined);
      throw err;
    }
  });
}
