/** Pull requests: get, list, and the changed-files list with GitHub's pagination and 3000-file cap. */
import { pullFileJson, pullRequestJson } from "../shapes.js";
import { intParam, notFound, pagedArray, repoRoute, type Reply, type Route, type RouteRequest } from "./reply.js";

/** `GET .../pulls/{n}/files` never returns more than this many files, however many changed. */
export const PULL_FILES_CAP = 3000;

function listPulls(req: RouteRequest): Reply {
  const state = req.url.searchParams.get("state") ?? "open";
  const head = req.url.searchParams.get("head");
  const base = req.url.searchParams.get("base");
  const direction = req.url.searchParams.get("direction") ?? "desc";
  const pulls = [...req.repo.issues.values()].filter(
    (i) =>
      i.pull !== undefined &&
      (state === "all" || i.state === state) &&
      (head === null || `${req.repo.owner.login}:${i.pull.head.ref}` === head || i.pull.head.ref === head) &&
      (base === null || i.pull.base.ref === base),
  );
  pulls.sort((a, b) => (direction === "asc" ? a.number - b.number : b.number - a.number));
  return pagedArray(req, pulls, (i) => pullRequestJson(req.world, req.repo, i));
}

export const pullRoutes: Record<string, Route> = {
  "GET /repos/{owner}/{repo}/pulls": repoRoute(listPulls),
  "GET /repos/{owner}/{repo}/pulls/{pull_number}": repoRoute((req) => {
    const issue = req.repo.issues.get(intParam(req, "pull_number"));
    return issue?.pull ? { status: 200, json: pullRequestJson(req.world, req.repo, issue) } : notFound(req);
  }),
  "GET /repos/{owner}/{repo}/pulls/{pull_number}/files": repoRoute((req) => {
    const pull = req.repo.issues.get(intParam(req, "pull_number"))?.pull;
    if (!pull) return notFound(req);
    return pagedArray(req, pull.files, (f) => pullFileJson(req.world, req.repo, pull.head.sha, f), PULL_FILES_CAP);
  }),
};
