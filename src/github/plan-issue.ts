/** The merge-plan issue: found by our marker and our App id among the open issues, created once, pinned where GitHub allows, edited only when its text changed. */
import { PLAN_MARKER, PLAN_TITLE } from "../core/plan/render.js";
import { LIMITS, outgoing, outgoingField, type RepoClient } from "./client.js";
import type { IssueSummary } from "./pulls.js";

/** Ours: opened by our App (a marker in an issue anyone else opened is ignored). */
export function findPlanIssue(client: RepoClient, open: readonly IssueSummary[]): IssueSummary | undefined {
  return open.find(
    (i) => i.author?.type === "Bot" && i.author.appId === client.appId && (i.body ?? "").startsWith(PLAN_MARKER),
  );
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

/** Make the plan issue read `body`: no write when it already does, one PATCH when it changed, one create (and a pin) the first time. */
export async function writePlanIssue(
  client: RepoClient,
  existing: IssueSummary | undefined,
  body: string,
): Promise<PlanWrite> {
  const text = outgoingField(client, body, LIMITS.commentBody);
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
