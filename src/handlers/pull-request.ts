/** `pull_request` opened / edited / synchronize / reopened / ready_for_review: publish the verdict for the head. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import type { Result } from "../core/problem.js";
import type { RepoClient } from "../github/client.js";
import { getPull, listOpenPulls, toSnapshot } from "../github/pulls.js";
import { linkPull, openIssuesWithContracts } from "../github/pull-facts.js";
import { configuredRepo, sentByUs, type AppOptions } from "../github/context.js";
import type { Ledger } from "../core/ledger/types.js";
import { evaluateAndPublish } from "../github/publish.js";
import { readPrState, withPullLock } from "../github/pr-state.js";
import { loadRegistry } from "../github/settings.js";
import { failClosed, publishSetupProblem } from "../github/not-verified.js";
import { touches } from "../core/verdict/evaluate.js";
import { pullRequestTriggers } from "../core/verdict/triggers.js";
import { onHeadMoved } from "./tier-b/stale.js";
import type { Runtime } from "../runtime/runtime.js";

type PullEvent = Context<
  | "pull_request.opened"
  | "pull_request.edited"
  | "pull_request.synchronize"
  | "pull_request.reopened"
  | "pull_request.ready_for_review"
>;

export async function onPullRequest(context: PullEvent, app: AppOptions, runtime: Runtime): Promise<void> {
  // A PR opened or pushed by a bot (an agent App, Dependabot) is judged like anyone's; only our own events are skipped.
  if (sentByUs(context, app)) return;
  const payload = context.payload;
  // An edit no criterion reads (the title, today) cannot change the verdict: no calls at all.
  if (!touches(pullRequestTriggers(payload))) return;
  if (payload.pull_request.state !== "open") return;
  const pr = toSnapshot(payload.pull_request);
  const repo = await configuredRepo(context, app);
  if (!repo.ok) {
    await withPullLock(runtime.locks, repo.client, pr.number, () => publishSetupProblem(repo.client, pr, repo.errors));
    return;
  }
  const { client, config } = repo;
  await withPullLock(runtime.locks, client, pr.number, () =>
    failClosed(client, pr, async () => {
      const state = await readPrState(client, pr.number);
      const registry = await loadRegistry(client, config);
      if (payload.action === "synchronize") {
        // With the registry, the stale dispatches' own `Tier-B: …` check runs are updated too.
        state.ledger = await onHeadMoved(
          client,
          pr,
          payload.before,
          state,
          runtime,
          registry.ok ? registry.value : undefined,
        );
      }
      await evaluateAndPublish({ client, config, registry, pr, state });
    }),
  );
}

/** Re-check every open PR linked to an issue whose contract (or its acceptance, or the issue's state) just changed. */
export async function recheckLinkedPulls(
  client: RepoClient,
  config: ResolvedConfig,
  issueNumber: number,
  runtime: Runtime,
  loaded?: Result<Registry>,
  /** The issue's ledger as just written: its acceptances are not read again for each PR. */
  record?: Ledger,
): Promise<void> {
  if (!touches(["contract"])) return;
  const registry = loaded ?? (await loadRegistry(client, config));
  const open = await listOpenPulls(client);
  const issues = await openIssuesWithContracts(client, config, registry);
  const linked = open.filter((p) => {
    const l = linkPull(client, config, p, issues);
    return l.ok && l.issue === issueNumber;
  });
  for (const listed of linked) {
    await withPullLock(runtime.locks, client, listed.number, async () => {
      // The list omits changed_files, which the scope check needs: re-read the PR.
      const pr = await getPull(client, listed.number);
      if (!pr || pr.state !== "open") return;
      const state = await readPrState(client, pr.number);
      await evaluateAndPublish({
        client,
        config,
        registry,
        pr,
        state,
        prefetched: {
          openIssues: issues,
          openPulls: open,
          ...(record ? { contractRecord: { issue: issueNumber, ledger: record } } : {}),
        },
      });
    });
  }
}
