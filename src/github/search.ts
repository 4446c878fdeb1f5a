/** Find an issue by the id in its title (`[03a] …`), open or closed: for `depends_on` ids no open issue carries. */
import type { RepoClient } from "./client.js";

export async function searchIssueByTitleId(
  client: RepoClient,
  id: string,
): Promise<{ number: number; state: "open" | "closed" } | undefined> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(id)) return undefined;
  const res = await client.octokit.rest.search.issuesAndPullRequests({
    q: `repo:${client.owner}/${client.repo} is:issue in:title "[${id}]"`,
    per_page: 10,
  });
  const prefix = `[${id}]`.toLowerCase();
  const hit = res.data.items.find((i) => !i.pull_request && i.title.trim().toLowerCase().startsWith(prefix));
  return hit ? { number: hit.number, state: hit.state === "open" ? "open" : "closed" } : undefined;
}
