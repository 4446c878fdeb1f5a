/** GitHub Actions: workflow dispatch, workflow runs, artifacts (zip via redirect), and deployment protection rule reviews. */
import { artifactJson, workflowJson, workflowRunJson } from "../shapes.js";
import type { FakeGitHubState, WorkflowRunState } from "../state.js";
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

/** Artifact zips are served from here, like GitHub's pre-signed blob-storage URLs: no token needed. */
export const ARTIFACT_BLOB_PREFIX = "/_fake/artifact-blobs/";

function dispatch(req: RouteRequest): Reply {
  const workflow = req.repo.findWorkflow(req.params["workflow_id"] ?? "");
  if (!workflow) return notFound(req);
  const body = bodyOf(req);
  const ref = String(body["ref"]);
  // workflow_dispatch runs only on a branch or tag, never on a bare SHA.
  if (!req.repo.isBranchOrTag(ref)) return invalid(req, `No ref found for: ${ref}`);
  const rawInputs = isRecord(body["inputs"]) ? body["inputs"] : {};
  const notStrings = Object.entries(rawInputs).filter(([, v]) => typeof v !== "string");
  if (notStrings.length > 0)
    return invalid(
      req,
      ...notStrings.map(([k, v]) => `For 'properties/inputs/${k}', ${JSON.stringify(v)} is not a string.`),
    );
  const inputs = rawInputs as Record<string, string>;
  if (workflow.inputs) {
    const unexpected = Object.keys(inputs).filter((k) => !(k in (workflow.inputs ?? {})));
    if (unexpected.length > 0) return invalid(req, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`);
    const missing = Object.entries(workflow.inputs)
      .filter(([k, spec]) => spec.required === true && !(k in inputs))
      .map(([k]) => k);
    if (missing.length > 0) return invalid(req, `Required input '${missing[0] ?? ""}' not provided`);
  }
  const record = req.repo.recordDispatch(workflow, ref, inputs, req.actor);
  if (body["return_run_details"] !== true || !workflow.returnsRunDetails) return { status: 204 };
  const run = record.runId === undefined ? req.repo.startRunForDispatch(record.id) : req.repo.run(record.runId);
  const api = `${req.world.apiUrl}/repos/${req.repo.fullName}/actions/runs/${run.id}`;
  return {
    status: 200,
    json: {
      workflow_run_id: run.id,
      run_url: api,
      html_url: `${req.world.htmlUrl}/${req.repo.fullName}/actions/runs/${run.id}`,
    },
  };
}

function listRuns(req: RouteRequest, workflowId: number | undefined): Reply {
  const q = req.url.searchParams;
  const runs = [...req.repo.runs.values()]
    .filter(
      (r: WorkflowRunState) =>
        (workflowId === undefined || r.workflowId === workflowId) &&
        (q.get("branch") === null || r.headBranch === q.get("branch")) &&
        (q.get("event") === null || r.event === q.get("event")) &&
        (q.get("actor") === null || r.actor.login === q.get("actor")) &&
        (q.get("head_sha") === null || r.headSha === q.get("head_sha")) &&
        // `status` filters by status or by conclusion, as GitHub's does.
        (q.get("status") === null || r.status === q.get("status") || r.conclusion === q.get("status")),
    )
    .sort((a, b) => b.id - a.id);
  return pagedObject(req, "workflow_runs", runs, (r) => workflowRunJson(req.world, req.repo, r));
}

function runOr404(req: RouteRequest): WorkflowRunState | undefined {
  return req.repo.runs.get(intParam(req, "run_id"));
}

function reviewProtectionRule(req: RouteRequest): Reply {
  const run = runOr404(req);
  if (!run) return notFound(req);
  const body = bodyOf(req);
  const environment = String(body["environment_name"]);
  const state = body["state"] === "approved" ? "approved" : "rejected";
  if (!run.pendingProtection.has(environment))
    return invalid(req, `No pending deployment protection rule for environment '${environment}' on run ${run.id}`);
  run.pendingProtection.delete(environment);
  req.repo.protectionReviews.push({
    runId: run.id,
    environment,
    state,
    comment: optionalString(body["comment"]),
    at: req.world.now(),
    by: req.actor,
  });
  if (state === "rejected") {
    run.status = "completed";
    run.conclusion = "failure";
  } else if (run.pendingProtection.size === 0) {
    run.status = "queued";
  }
  run.updatedAt = req.world.now();
  return { status: 204 };
}

function downloadArtifact(req: RouteRequest): Reply {
  const artifact = req.repo.findArtifact(intParam(req, "artifact_id"));
  if (!artifact || req.params["archive_format"] !== "zip") return notFound(req);
  if (artifact.expired) return failure(req, 410, "Artifact has expired");
  return {
    status: 302,
    headers: { location: `${req.world.apiUrl}${ARTIFACT_BLOB_PREFIX}${artifact.id}.zip?sig=fake-presigned` },
  };
}

/** Serve a zip for `GET /_fake/artifact-blobs/<id>.zip`; undefined when no such artifact. */
export function artifactBlob(world: FakeGitHubState, pathname: string): Uint8Array | undefined {
  const id = Number(/^(\d+)\.zip$/.exec(pathname.slice(ARTIFACT_BLOB_PREFIX.length))?.[1]);
  for (const repo of world.repos.values()) {
    const found = repo.findArtifact(id);
    if (found) return found.zip;
  }
  return undefined;
}

export const actionRoutes: Record<string, Route> = {
  "GET /repos/{owner}/{repo}/actions/workflows": repoRoute((req) =>
    pagedObject(req, "workflows", [...req.repo.workflows.values()], (w) => workflowJson(req.world, req.repo, w)),
  ),
  "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}": repoRoute((req) => {
    const workflow = req.repo.findWorkflow(req.params["workflow_id"] ?? "");
    return workflow ? { status: 200, json: workflowJson(req.world, req.repo, workflow) } : notFound(req);
  }),
  "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches": repoRoute(dispatch),
  "GET /repos/{owner}/{repo}/actions/runs": repoRoute((req) => listRuns(req, undefined)),
  "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs": repoRoute((req) => {
    const workflow = req.repo.findWorkflow(req.params["workflow_id"] ?? "");
    return workflow ? listRuns(req, workflow.id) : notFound(req);
  }),
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}": repoRoute((req) => {
    const run = runOr404(req);
    return run ? { status: 200, json: workflowRunJson(req.world, req.repo, run) } : notFound(req);
  }),
  "POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel": repoRoute((req) => {
    const run = runOr404(req);
    if (!run) return notFound(req);
    if (run.status === "completed") return failure(req, 409, "Cannot cancel a workflow run that is completed.");
    run.status = "completed";
    run.conclusion = "cancelled";
    run.updatedAt = req.world.now();
    return { status: 202, json: {} };
  }),
  "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts": repoRoute((req) => {
    const run = runOr404(req);
    if (!run) return notFound(req);
    const name = req.url.searchParams.get("name");
    return pagedObject(
      req,
      "artifacts",
      run.artifacts.filter((a) => name === null || a.name === name),
      (a) => artifactJson(req.world, req.repo, a),
    );
  }),
  "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}": repoRoute((req) => {
    const artifact = req.repo.findArtifact(intParam(req, "artifact_id"));
    return artifact ? { status: 200, json: artifactJson(req.world, req.repo, artifact) } : notFound(req);
  }),
  "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}": repoRoute(downloadArtifact),
  "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule": repoRoute(reviewProtectionRule),
};
