/** Labels for at-a-glance state: add and remove only the difference from what the issue already has. */
import { LIMITS, outgoing, type RepoClient } from "./client.js";
import { isNotFound } from "./errors.js";
import { atPriority } from "./priority.js";

/** Label names as GitHub sends them (objects with a `name`; some endpoints plain strings), blanks dropped. */
export function labelNames(
  labels: ReadonlyArray<{ name?: string | null } | string | null | undefined> | null | undefined,
): string[] {
  return (labels ?? []).flatMap((l) => {
    const name = typeof l === "string" ? l : l?.name;
    return name ? [name] : [];
  });
}

function labelName(client: RepoClient, name: string): string {
  return outgoing(client, name).slice(0, LIMITS.labelName);
}

/**
 * Make the issue carry every label in `want` and none in `unwanted`, given the labels it has now
 * (from the webhook payload, so no read is needed). One call to add, one per label removed.
 */
export async function syncLabels(
  client: RepoClient,
  issueNumber: number,
  current: readonly string[],
  want: readonly string[],
  unwanted: readonly string[],
): Promise<void> {
  const have = new Set(current);
  const add = [...new Set(want.map((n) => labelName(client, n)))].filter((n) => !have.has(n));
  const remove = [...new Set(unwanted.map((n) => labelName(client, n)))].filter((n) => have.has(n) && !add.includes(n));
  if (add.length > 0) {
    await client.octokit.rest.issues.addLabels({
      owner: client.owner,
      repo: client.repo,
      issue_number: issueNumber,
      labels: add,
      ...atPriority("refresh"),
    });
  }
  for (const name of remove) {
    try {
      await client.octokit.rest.issues.removeLabel({
        owner: client.owner,
        repo: client.repo,
        issue_number: issueNumber,
        name,
        ...atPriority("refresh"),
      });
    } catch (err) {
      // Someone removed it between the event and now: the goal is reached.
      if (!isNotFound(err)) throw err;
    }
  }
}
