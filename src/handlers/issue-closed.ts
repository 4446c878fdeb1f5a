/**
 * `issues.closed`: dependency edges run both ways. When a contract issue closes (its PR merged),
 * the open PRs whose contracts depend on it are evaluated again, instead of staying red until
 * something else touches them — and so are the PRs still linked to it, whose contract no longer
 * counts once its issue is closed.
 */
import type { Context } from "probot";
import { contractOptions } from "../core/config/readers.js";
import { readContract } from "../core/contract/read.js";
import { idKey } from "../core/ids.js";
import { titleId } from "../core/linking/link.js";
import { touches } from "../core/verdict/evaluate.js";
import { configuredRepo, type AppOptions } from "../github/context.js";
import { failClosed } from "../github/not-verified.js";
import { readPrState, withPullLock } from "../github/pr-state.js";
import { evaluateAndPublish } from "../github/publish.js";
import { linkPull, openIssuesWithContracts } from "../github/pull-facts.js";
import { authorOf, getPull, listOpenPulls } from "../github/pulls.js";
import { isPlanIssue, reopenPlanIssue } from "../github/plan-issue.js";
import { loadRegistry } from "../github/settings.js";
import type { Runtime } from "../runtime/runtime.js";

export async function onIssueClosed(
  context: Context<"issues.closed">,
  app: AppOptions,
  runtime: Runtime,
): Promise<void> {
  // Not filtered by sender: the merge queue closes issues as a bot. Nothing here obeys anyone;
  // the dependants are re-read from GitHub and judged as always.
  const { issue } = context.payload;
  if ((issue as { pull_request?: unknown }).pull_request) return;
  const repo = await configuredRepo(context, app);
  if (!repo.ok) return;
  const { client, config } = repo;
  const author = authorOf(issue);
  if (config.merge_plan && isPlanIssue(client, { author, body: issue.body ?? null }))
    return reopenPlanIssue(client, issue.number);
  const contract = readContract(issue.body ?? null, contractOptions(config));
  const fromTitle = titleId(issue.title);
  // Only a contract, or an issue with an `[id]` title, can be a dependency worth the reads — and
  // only while some criterion reads the dependencies.
  if ((contract.status !== "valid" && fromTitle === undefined) || !touches(["dependency"])) return;
  const names = new Set(
    [contract.status === "valid" ? contract.contract.nmoe.issue : undefined, fromTitle, String(issue.number)]
      .filter((n): n is string => n !== undefined)
      .map(idKey),
  );

  const registry = await loadRegistry(client, config);
  const openIssues = await openIssuesWithContracts(client, config, registry);
  const dependants = new Set(
    openIssues
      .filter(
        (i) =>
          i.contract.status === "valid" && (i.contract.contract.nmoe.depends_on ?? []).some((d) => names.has(idKey(d))),
      )
      .map((i) => i.number),
  );
  // And the PRs still linked to the closed issue itself: a closed issue's contract no longer counts.
  if (contract.status === "valid") dependants.add(issue.number);
  if (dependants.size === 0) return;
  const openPulls = await listOpenPulls(client);
  for (const listed of openPulls) {
    const link = linkPull(client, config, listed, openIssues);
    if (!link.ok || !dependants.has(link.issue)) continue;
    await withPullLock(runtime.locks, client, listed.number, async () => {
      // The list omits changed_files, which the scope check needs: re-read the PR.
      const pr = await getPull(client, listed.number);
      if (!pr || pr.state !== "open") return;
      // As for a PR event: "not verified" rather than an old answer; the delivery stays retryable.
      await failClosed(client, pr, async () => {
        const state = await readPrState(client, pr.number);
        await evaluateAndPublish({ client, config, registry, pr, state, prefetched: { openIssues, openPulls } });
      });
    });
  }
}
