/** Work items for the merge-queue chapter and its tests: nmoe-form contracts that need only Tier-A gates, so their PRs can be green on their own. */
import type { DemoWorld } from "./story.js";
import * as hooks from "./webhooks.js";

export const QUEUE_CONFIG = "merge_plan: true\n";

export interface WorkItem {
  id: string;
  slug: string;
  /** Files the PR changes, all inside `moelab/<slug>/` (the contract's scope). */
  file: string;
  dependsOn?: string[];
  hotspots?: string[];
  /** `gates.required`; defaults to the Tier-A `cpu:import` alone. */
  gates?: string[];
}

/** Two work items the chapter and the tests share: the second is usually made to depend on the first. */
export const CACHE: WorkItem = { id: "05", slug: "router-cache", file: "moelab/router-cache/lru.py" };
export const EVICT: WorkItem = { id: "06", slug: "router-evict", file: "moelab/router-evict/policy.py" };

export function workItemIssue(w: WorkItem): string {
  const list = (xs: readonly string[] | undefined) => `[${(xs ?? []).join(", ")}]`;
  return [
    "### Summary (what + why)",
    "",
    `Work item ${w.id}: ${w.slug}.`,
    "",
    "### Agent Contract (YAML, required)",
    "",
    "```yaml",
    "nmoe:",
    `  issue: ${w.id}`,
    `  slug: ${w.slug}`,
    "  kind: feature",
    "  risk: cold",
    `  depends_on: ${list(w.dependsOn)}`,
    `  merge_hotspots: ${list(w.hotspots)}`,
    "",
    "scope:",
    "  allow:",
    `    - moelab/${w.slug}/**`,
    "    - moelab/model.py",
    "",
    "gates:",
    `  required: ${list(w.gates ?? ["cpu:import"])}`,
    "```",
  ].join("\n");
}

export function workItemPull(issueId: string, prSha: string, closes: number): string {
  return [
    "## PR Attestation (YAML, required)",
    "",
    "```yaml",
    "nmoe_pr:",
    `  issue: ${issueId}`,
    `  pr_sha: ${prSha}`,
    "  risk: cold",
    "",
    "gates_passed:",
    "  tier_a:",
    "    - cpu:import",
    "  tier_b: []",
    "```",
    "",
    "## Links",
    `- Fixes #${closes}`,
    "",
  ].join("\n");
}

/** What opening a work item needs from the demo world. */
export type QueueWorld = Pick<DemoWorld, "fake" | "repo" | "send">;

/** Open the work item's issue and deliver `issues.opened`. A maintainer files it, so its contract counts as written. */
export async function openWorkItemIssue(world: QueueWorld, w: WorkItem): Promise<number> {
  const { fake, repo, send } = world;
  const issue = repo.openIssue({ title: `[${w.id}] ${w.slug}`, body: workItemIssue(w), user: "mona" });
  await send("issues", hooks.issuesOpened(fake.state, repo, issue.number));
  return issue.number;
}

/** Open the PR for the work item's issue (head `sha`) and deliver `pull_request.opened`. */
export async function openWorkItemPull(world: QueueWorld, w: WorkItem, issue: number, sha: string): Promise<number> {
  const { fake, repo, send } = world;
  const pr = repo.openPullRequest({
    title: w.slug,
    user: "ada",
    head: { ref: `issue/${w.id}-${w.slug}`, sha },
    files: [{ filename: w.file, content: `# ${w.slug}\n` }],
    body: workItemPull(w.id, sha, issue),
  });
  await send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
  return pr.number;
}

/** Both: the issue, then its PR. */
export async function openWorkItem(
  world: QueueWorld,
  w: WorkItem,
  sha: string,
): Promise<{ issue: number; pr: number; sha: string }> {
  const issue = await openWorkItemIssue(world, w);
  return { issue, pr: await openWorkItemPull(world, w, issue, sha), sha };
}
