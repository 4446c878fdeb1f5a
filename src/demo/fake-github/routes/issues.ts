/** Issues (which include PRs), their comments, reactions and labels. */
import { commentJson, issueJson, labelJson, userJson } from "../shapes.js";
import type { IssueState } from "../state.js";
import {
  bodyOf,
  failure,
  intParam,
  isRecord,
  notFound,
  optionalString,
  pagedArray,
  repoRoute,
  validationFailed,
  type Reply,
  type Route,
  type RouteRequest,
} from "./reply.js";

function issueOr404(req: RouteRequest): IssueState | Reply {
  return req.repo.issues.get(intParam(req, "issue_number")) ?? notFound(req);
}

function isReply(value: object): value is Reply {
  return "status" in value && typeof value.status === "number";
}

function sortedIssues(req: RouteRequest, issues: IssueState[]): IssueState[] {
  const sort = req.url.searchParams.get("sort") ?? "created";
  const direction = req.url.searchParams.get("direction") ?? "desc";
  const key = (i: IssueState): string =>
    (sort === "updated" ? i.updatedAt : i.createdAt) + String(i.number).padStart(9, "0");
  const sorted = [...issues].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return direction === "asc" ? sorted : sorted.reverse();
}

function listIssues(req: RouteRequest): Reply {
  const state = req.url.searchParams.get("state") ?? "open";
  const labels = (req.url.searchParams.get("labels") ?? "")
    .split(",")
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== "");
  const creator = req.url.searchParams.get("creator")?.toLowerCase();
  const issues = [...req.repo.issues.values()].filter(
    (i) =>
      (state === "all" || i.state === state) &&
      labels.every((l) => i.labels.some((name) => name.toLowerCase() === l)) &&
      (creator === undefined || i.user.login.toLowerCase() === creator),
  );
  return pagedArray(req, sortedIssues(req, issues), (i) => issueJson(req.world, req.repo, i));
}

function updateIssue(req: RouteRequest): Reply {
  const issue = issueOr404(req);
  if (isReply(issue)) return issue;
  const body = bodyOf(req);
  if (typeof body["body"] === "string" && body["body"].length > 65536)
    return validationFailed(req, [
      { resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" },
    ]);
  req.repo.editIssue(issue.number, {
    ...(typeof body["title"] === "string" ? { title: body["title"] } : {}),
    ...(typeof body["body"] === "string" || body["body"] === null ? { body: body["body"] } : {}),
  });
  if (body["state"] === "open" || body["state"] === "closed") req.repo.setIssueState(issue.number, body["state"]);
  if (Array.isArray(body["labels"])) issue.labels = labelNames(body["labels"]).map((n) => req.repo.ensureLabel(n).name);
  return { status: 200, json: issueJson(req.world, req.repo, issue) };
}

function labelNames(raw: unknown[]): string[] {
  return raw
    .map((l) => (typeof l === "string" ? l : isRecord(l) && typeof l["name"] === "string" ? l["name"] : ""))
    .filter((n) => n !== "");
}

/** `{labels: [...]}` (or, historically, a bare array): both are accepted by GitHub. */
function labelsFromBody(req: RouteRequest): string[] {
  if (Array.isArray(req.body)) return labelNames(req.body);
  const labels = bodyOf(req)["labels"];
  return Array.isArray(labels) ? labelNames(labels) : [];
}

function issueLabelsJson(req: RouteRequest, issue: IssueState): Reply {
  return { status: 200, json: issue.labels.map((name) => labelJson(req.world, req.repo, req.repo.ensureLabel(name))) };
}

function addLabels(req: RouteRequest, replace: boolean): Reply {
  const issue = issueOr404(req);
  if (isReply(issue)) return issue;
  // Adding a label the repo does not have creates it, as GitHub does.
  const names = labelsFromBody(req).map((n) => req.repo.ensureLabel(n).name);
  const kept = replace ? [] : issue.labels;
  issue.labels = [...kept, ...names.filter((n) => !kept.some((k) => k.toLowerCase() === n.toLowerCase()))];
  issue.updatedAt = req.world.now();
  return issueLabelsJson(req, issue);
}

function removeLabel(req: RouteRequest): Reply {
  const issue = issueOr404(req);
  if (isReply(issue)) return issue;
  const name = (req.params["name"] ?? "").toLowerCase();
  if (!issue.labels.some((l) => l.toLowerCase() === name)) return failure(req, 404, "Label does not exist");
  issue.labels = issue.labels.filter((l) => l.toLowerCase() !== name);
  issue.updatedAt = req.world.now();
  return issueLabelsJson(req, issue);
}

function commentOr404(req: RouteRequest): ReturnType<RouteRequest["repo"]["comments"]["get"]> {
  return req.repo.comments.get(intParam(req, "comment_id"));
}

/** A new or edited comment's body, or GitHub's 422 for one over 65,536 characters. */
function commentBody(req: RouteRequest): string | Reply {
  const body = optionalString(bodyOf(req)["body"]) ?? "";
  if (body.length <= 65536) return body;
  return validationFailed(req, [
    {
      resource: "IssueComment",
      code: "unprocessable",
      field: "data",
      message: "Body is too long (maximum is 65536 characters)",
    },
  ]);
}

function createReaction(req: RouteRequest): Reply {
  const comment = commentOr404(req);
  if (!comment) return notFound(req);
  const content = String(bodyOf(req)["content"]);
  const existing = comment.reactions.find((r) => r.content === content && r.user.login === req.actor.login);
  const reaction = existing ?? {
    id: req.world.nextId("reaction"),
    content,
    user: req.actor,
    createdAt: req.world.now(),
  };
  if (!existing) comment.reactions.push(reaction);
  return {
    status: existing ? 200 : 201,
    json: {
      id: reaction.id,
      node_id: `REA_${Buffer.from(`fake:reaction:${reaction.id}`).toString("base64url")}`,
      user: userJson(req.world, reaction.user),
      content: reaction.content,
      created_at: reaction.createdAt,
    },
  };
}

function createIssue(req: RouteRequest): Reply {
  const body = bodyOf(req);
  const text = optionalString(body["body"]) ?? null;
  if (text !== null && text.length > 65536)
    return validationFailed(req, [
      { resource: "Issue", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" },
    ]);
  const labels = Array.isArray(body["labels"]) ? labelNames(body["labels"]) : [];
  const issue = req.repo.openIssue({ title: String(body["title"]), body: text, user: req.actor.login, labels });
  return {
    status: 201,
    json: issueJson(req.world, req.repo, issue),
    headers: { location: `${req.world.apiUrl}/repos/${req.repo.fullName}/issues/${issue.number}` },
  };
}

export const issueRoutes: Record<string, Route> = {
  "GET /repos/{owner}/{repo}/issues": repoRoute(listIssues),
  "POST /repos/{owner}/{repo}/issues": repoRoute(createIssue),
  "GET /repos/{owner}/{repo}/issues/{issue_number}": repoRoute((req) => {
    const issue = issueOr404(req);
    return isReply(issue) ? issue : { status: 200, json: issueJson(req.world, req.repo, issue) };
  }),
  "PATCH /repos/{owner}/{repo}/issues/{issue_number}": repoRoute(updateIssue),
  "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": repoRoute((req) => {
    const issue = issueOr404(req);
    if (isReply(issue)) return issue;
    const since = req.url.searchParams.get("since");
    const comments = req.repo.commentsOn(issue.number).filter((c) => since === null || c.updatedAt >= since);
    return pagedArray(req, comments, (c) => commentJson(req.world, req.repo, c));
  }),
  "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": repoRoute((req) => {
    const issue = issueOr404(req);
    if (isReply(issue)) return issue;
    const body = commentBody(req);
    if (typeof body !== "string") return body;
    const comment = req.repo.addComment(issue.number, { body, user: req.actor });
    return {
      status: 201,
      json: commentJson(req.world, req.repo, comment),
      headers: { location: `${req.world.apiUrl}/repos/${req.repo.fullName}/issues/comments/${comment.id}` },
    };
  }),
  "GET /repos/{owner}/{repo}/issues/comments/{comment_id}": repoRoute((req) => {
    const comment = commentOr404(req);
    return comment ? { status: 200, json: commentJson(req.world, req.repo, comment) } : notFound(req);
  }),
  "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": repoRoute((req) => {
    const comment = commentOr404(req);
    if (!comment) return notFound(req);
    const body = commentBody(req);
    if (typeof body !== "string") return body;
    // Only the author (or an admin) may edit; the app can edit only its own comments.
    if (comment.user.login !== req.actor.login) return failure(req, 403, "Resource not accessible by integration");
    req.repo.editComment(comment.id, body);
    return { status: 200, json: commentJson(req.world, req.repo, comment) };
  }),
  "DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}": repoRoute((req) => {
    const comment = commentOr404(req);
    if (!comment) return notFound(req);
    req.repo.comments.delete(comment.id);
    return { status: 204 };
  }),
  "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions": repoRoute(createReaction),
  "GET /repos/{owner}/{repo}/issues/{issue_number}/labels": repoRoute((req) => {
    const issue = issueOr404(req);
    return isReply(issue) ? issue : issueLabelsJson(req, issue);
  }),
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels": repoRoute((req) => addLabels(req, false)),
  "PUT /repos/{owner}/{repo}/issues/{issue_number}/labels": repoRoute((req) => addLabels(req, true)),
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}": repoRoute(removeLabel),
  "GET /repos/{owner}/{repo}/labels": repoRoute((req) =>
    pagedArray(req, [...req.repo.labels.values()], (l) => labelJson(req.world, req.repo, l)),
  ),
  "POST /repos/{owner}/{repo}/labels": repoRoute((req) => {
    const body = bodyOf(req);
    const name = String(body["name"]);
    if (req.repo.labels.has(name.toLowerCase()))
      return validationFailed(req, [{ resource: "Label", code: "already_exists", field: "name" }]);
    const label = req.repo.ensureLabel(
      name,
      optionalString(body["color"])?.replace(/^#/, "") ?? "ededed",
      optionalString(body["description"]) ?? null,
    );
    return { status: 201, json: labelJson(req.world, req.repo, label) };
  }),
};
