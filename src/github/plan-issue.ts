/** The merge-plan issue: found by our marker and our App id among the open issues, created once, pinned where GitHub allows, edited only when its text changed. */
import { opensWithMarker, PLAN_ISSUE } from "../core/markers.js";
import { PLAN_TITLE } from "../core/plan/render.js";
import { outgoing, outgoingComment, type RepoClient } from "./client.js";
import type { IssueSummary } from "./pulls.js";

/** Ours: opened by our App and starting with our marker (a marker in an issue anyone else opened is ignored). */
export function isPlanIssue(client: RepoClient, issue: Pick<IssueSummary, "author" | "body">): boolean {
  return (
    issue.author.type === "Bot" && issue.author.appId === client.appId && opensWithMarker(issue.body ?? "", PLAN_ISSUE)
  );
}

export function findPlanIssue(client: RepoClient, open: readonly IssueSummary[]): IssueSummary | undefined {
  return open.find((i) => isPlanIssue(client, i));
}

/** The plan lives in one issue for good: closed by someone while `merge_plan` is on, it is reopened (one write). */
export async function reopenPlanIssue(client: RepoClient, number: number): Promise<void> {
  await client.octokit.rest.issues.update({
    owner: client.owner,
    repo: client.repo,
    issue_number: number,
    state: "open",
  });
}

export type PlanWrite =
  | { kind: "unchanged"; number: number }
  | { kind: "updated"; number: number }
  | { kind: "created"; number: number; pinned: boolean };

/** Pinning is GraphQL-only (`pinIssue`); a repo may have 3 pinned issues already, or forbid it: then it stays unpinned. */
async function pinIssue(client: RepoClient, nodeId: string): Promise<boolean> {
  try {
    await client.octokit.graphql(`mutation($id: ID!) { pinIssue(input: { issueId: $id }) { issue { number } } }`, {
      id: nodeId,
    });
    return true;
  } catch {
    return false;
  }
}

/** Make the plan issue read `body` (under our marker): no write when it already does, one PATCH when it changed, one create (and a pin) the first time. */
export async function writePlanIssue(
  client: RepoClient,
  existing: IssueSummary | undefined,
  body: string,
): Promise<PlanWrite> {
  const text = outgoingComment(client, { opening: PLAN_ISSUE, visible: body });
  if (existing && existing.body === text) return { kind: "unchanged", number: existing.number };
  if (existing) {
    await client.octokit.rest.issues.update({
      owner: client.owner,
      repo: client.repo,
      issue_number: existing.number,
      body: text,
    });
    return { kind: "updated", number: existing.number };
  }
  const res = await client.octokit.rest.issues.create({
    owner: client.owner,
    repo: client.repo,
    title: outgoing(client, PLAN_TITLE),
    body: text,
  });
  return { kind: "created", number: res.data.number, pinned: await pinIssue(client, res.data.node_id) };
}
