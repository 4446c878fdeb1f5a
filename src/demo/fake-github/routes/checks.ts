/** Check runs: create, update (annotations append), get, and list for a ref — with GitHub's limits enforced. */
import { checkRunJson } from "../shapes.js";
import type { AnnotationState, CheckRunState, CheckStatus } from "../state.js";
import {
  bodyOf,
  failure,
  intParam,
  invalid,
  isRecord,
  notFound,
  optionalString,
  pagedObject,
  repoRoute,
  type Reply,
  type Route,
  type RouteRequest,
} from "./reply.js";

const ANNOTATION_TITLE_MAX = 255;
const ANNOTATION_TEXT_MAX = 64 * 1024;

/** Limits GitHub documents in prose rather than in the OpenAPI schema. */
function annotationProblems(annotations: unknown[]): string[] {
  const problems: string[] = [];
  annotations.forEach((a, i) => {
    if (!isRecord(a)) return;
    const title = optionalString(a["title"]);
    if (title !== undefined && title.length > ANNOTATION_TITLE_MAX)
      problems.push(
        `For 'properties/output/annotations/${i}/title', is too long (maximum is ${ANNOTATION_TITLE_MAX}).`,
      );
    for (const field of ["message", "raw_details"]) {
      const text = optionalString(a[field]);
      if (text !== undefined && Buffer.byteLength(text) > ANNOTATION_TEXT_MAX)
        problems.push(`For 'properties/output/annotations/${i}/${field}', is too long (maximum is 64 KB).`);
    }
  });
  return problems;
}

/** Apply status/conclusion/output fields of a create or update body to a check run. */
function applyBody(req: RouteRequest, run: CheckRunState, body: Record<string, unknown>): Reply | undefined {
  const output = isRecord(body["output"]) ? body["output"] : undefined;
  const annotations = output && Array.isArray(output["annotations"]) ? output["annotations"] : [];
  const problems = annotationProblems(annotations);
  if (problems.length > 0) return invalid(req, ...problems);
  const conclusion = optionalString(body["conclusion"]);
  const status = optionalString(body["status"]) as CheckStatus | undefined;
  if (
    (status === "completed" || body["completed_at"] !== undefined) &&
    conclusion === undefined &&
    run.conclusion === null
  ) {
    return invalid(req, `"conclusion" wasn't supplied.`);
  }
  if (typeof body["name"] === "string") run.name = body["name"];
  if (typeof body["details_url"] === "string") run.detailsUrl = body["details_url"];
  if (typeof body["external_id"] === "string") run.externalId = body["external_id"];
  if (typeof body["started_at"] === "string") run.startedAt = body["started_at"];
  if (status !== undefined) run.status = status;
  // Providing a conclusion completes the run, whatever status says.
  if (conclusion !== undefined) {
    run.conclusion = conclusion;
    run.status = "completed";
  }
  if (run.status === "completed")
    run.completedAt = optionalString(body["completed_at"]) ?? run.completedAt ?? req.world.now();
  if (output) {
    if (typeof output["title"] === "string") run.output.title = output["title"];
    if (typeof output["summary"] === "string") run.output.summary = output["summary"];
    if (typeof output["text"] === "string") run.output.text = output["text"];
    run.output.annotations.push(...(annotations.filter(isRecord) as unknown as AnnotationState[]));
  }
  return undefined;
}

function createCheckRun(req: RouteRequest): Reply {
  const body = bodyOf(req);
  const headSha = String(body["head_sha"]);
  const commit = req.repo.resolveRef(headSha);
  if (!commit || commit.sha !== headSha.toLowerCase()) return invalid(req, `No commit found for SHA: ${headSha}`);
  const id = req.world.nextId("check");
  const run: CheckRunState = {
    id,
    nodeId: `CR_${Buffer.from(`fake:check:${id}`).toString("base64url")}`,
    name: String(body["name"]),
    headSha: commit.sha,
    status: "queued",
    conclusion: null,
    startedAt: req.world.now(),
    completedAt: null,
    detailsUrl: null,
    externalId: null,
    output: { title: null, summary: null, text: null, annotations: [] },
  };
  const rejected = applyBody(req, run, body);
  if (rejected) return rejected;
  req.repo.checkRuns.set(id, run);
  return { status: 201, json: checkRunJson(req.world, req.repo, run) };
}

function updateCheckRun(req: RouteRequest): Reply {
  const run = req.repo.checkRuns.get(intParam(req, "check_run_id"));
  if (!run) return notFound(req);
  // Validate against a copy so a rejected update changes nothing.
  const draft: CheckRunState = { ...run, output: { ...run.output, annotations: [...run.output.annotations] } };
  const rejected = applyBody(req, draft, bodyOf(req));
  if (rejected) return rejected;
  Object.assign(run, draft);
  return { status: 200, json: checkRunJson(req.world, req.repo, run) };
}

function listForRef(req: RouteRequest): Reply {
  const ref = req.params["ref"] ?? "";
  const commit = req.repo.resolveRef(ref);
  if (!commit) return failure(req, 422, `No commit found for SHA: ${ref}`);
  const name = req.url.searchParams.get("check_name");
  const status = req.url.searchParams.get("status");
  const filter = req.url.searchParams.get("filter") ?? "latest";
  let runs = req.repo
    .checkRunsFor(commit.sha)
    .filter((r) => (name === null || r.name === name) && (status === null || r.status === status));
  if (filter === "latest") {
    const newest = new Map<string, CheckRunState>();
    for (const r of runs) if ((newest.get(r.name)?.id ?? -1) < r.id) newest.set(r.name, r);
    runs = [...newest.values()];
  }
  runs.sort((a, b) => b.id - a.id);
  return pagedObject(req, "check_runs", runs, (r) => checkRunJson(req.world, req.repo, r));
}

export const checkRoutes: Record<string, Route> = {
  "POST /repos/{owner}/{repo}/check-runs": repoRoute(createCheckRun),
  "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}": repoRoute(updateCheckRun),
  "GET /repos/{owner}/{repo}/check-runs/{check_run_id}": repoRoute((req) => {
    const run = req.repo.checkRuns.get(intParam(req, "check_run_id"));
    return run ? { status: 200, json: checkRunJson(req.world, req.repo, run) } : notFound(req);
  }),
  "GET /repos/{owner}/{repo}/commits/{ref}/check-runs": repoRoute(listForRef),
};
