/** `GET /search/issues`: the qualifiers the app uses (`repo:`, `is:issue`/`is:pr`, `is:open`/`is:closed`, `in:title`, one quoted phrase). */
import { issueJson } from "../shapes.js";
import { failure, globalRoute, type BaseRequest, type Reply, type Route } from "./reply.js";

function searchIssues(req: BaseRequest): Reply {
  const q = req.url.searchParams.get("q") ?? "";
  if (q.trim() === "")
    return failure(req, 422, "Validation Failed", { errors: [{ resource: "Search", field: "q", code: "missing" }] });
  const repoName = /(?:^|\s)repo:([^\s]+)/.exec(q)?.[1];
  const [owner, name] = (repoName ?? "").split("/");
  const repo = owner && name ? req.world.repo(owner, name) : undefined;
  // GitHub answers 422 for a repo qualifier it cannot see; the fake only searches one repo at a time.
  if (!repo)
    return failure(req, 422, "Validation Failed", {
      errors: [
        {
          message: "The listed users and repositories cannot be searched",
          resource: "Search",
          field: "q",
          code: "invalid",
        },
      ],
    });
  const phrase = /"([^"]*)"/.exec(q)?.[1]?.toLowerCase();
  const words = q
    .replace(/"[^"]*"/g, " ")
    .split(/\s+/)
    .filter((w) => w !== "" && !w.includes(":"))
    .map((w) => w.toLowerCase());
  const kind = /(?:^|\s)is:(issue|pr)\b/.exec(q)?.[1];
  const state = /(?:^|\s)is:(open|closed)\b/.exec(q)?.[1];
  const inTitle = /(?:^|\s)in:title\b/.test(q);
  const items = [...repo.issues.values()]
    .filter((i) => (kind === "issue" ? !i.pull : kind === "pr" ? Boolean(i.pull) : true))
    .filter((i) => state === undefined || i.state === state)
    .filter((i) => {
      const text = (inTitle ? i.title : `${i.title}\n${i.body ?? ""}`).toLowerCase();
      return (phrase === undefined || text.includes(phrase)) && words.every((w) => text.includes(w));
    })
    .sort((a, b) => b.number - a.number);
  const perPage = Math.min(100, Math.max(1, Number(req.url.searchParams.get("per_page") ?? 30) || 30));
  return {
    status: 200,
    json: {
      total_count: items.length,
      incomplete_results: false,
      items: items.slice(0, perPage).map((i) => ({ ...issueJson(req.world, repo, i), score: 1 })),
    },
  };
}

export const searchRoutes: Record<string, Route> = {
  "GET /search/issues": globalRoute("installation-token", searchIssues),
};
