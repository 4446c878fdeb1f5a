/** GitHub Actions: dispatch the Tier-B workflow, cancel a run, fetch its results artifact, answer a deployment protection rule. */
import { RESULTS_LIMITS, type RunResultsFile } from "../core/tierb/results.js";
import { readZipFile } from "./artifact-zip.js";
import { LIMITS, outgoing, outgoingField, type RepoClient } from "./client.js";
import { httpStatus, isNotFound } from "./errors.js";
import { atPriority } from "./priority.js";

/** Inputs are strings on the wire; workflow_dispatch takes at most 25 of them. */
export type DispatchInputs = Record<string, string>;

/**
 * Dispatch `workflow` on the default branch (workflow_dispatch accepts only a branch or tag).
 * Asks GitHub to return the run id; older servers answer 204 without it, and the run is then
 * matched by the dispatch id in its run-name when its `workflow_run` event arrives.
 */
export async function dispatchWorkflow(
  client: RepoClient,
  workflow: string,
  inputs: DispatchInputs,
): Promise<{ runId?: number; runUrl?: string }> {
  const res = await client.octokit.rest.actions.createWorkflowDispatch({
    owner: client.owner,
    repo: client.repo,
    workflow_id: workflow,
    ref: client.defaultBranch,
    // The run-name shows these in the public Actions UI: they pass the sanitizer like all text.
    inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, outgoing(client, v)])),
    return_run_details: true,
    // Never retried at the transport level: a POST whose response was lost may have started a
    // run, and a blind retry would start a second one. The caller decides (see the ledger).
    // The maintainer who typed the command waits for it: first in the write queue.
    ...atPriority("command", { retries: 0 }),
  });
  const data = res.data as unknown as { workflow_run_id?: number; html_url?: string } | undefined;
  if ((res.status as number) === 200 && data && typeof data.workflow_run_id === "number") {
    return data.html_url ? { runId: data.workflow_run_id, runUrl: data.html_url } : { runId: data.workflow_run_id };
  }
  return {};
}

/** One workflow run (its name carries the dispatch id). */
export async function getRun(client: RepoClient, runId: number) {
  return (await client.octokit.rest.actions.getWorkflowRun({ owner: client.owner, repo: client.repo, run_id: runId }))
    .data;
}

/** The newest runs of `workflow` started by workflow_dispatch (one call, at most 100). */
export async function listDispatchRuns(client: RepoClient, workflow: string) {
  const res = await client.octokit.rest.actions.listWorkflowRuns({
    owner: client.owner,
    repo: client.repo,
    workflow_id: workflow,
    event: "workflow_dispatch",
    per_page: 100,
  });
  return res.data.workflow_runs;
}

/** Cancel a run that has not started; a run that already finished (409) or vanished (404) is fine. */
export async function cancelRun(client: RepoClient, runId: number): Promise<void> {
  try {
    await client.octokit.rest.actions.cancelWorkflowRun({
      owner: client.owner,
      repo: client.repo,
      run_id: runId,
      ...atPriority("command"),
    });
  } catch (err) {
    const status = httpStatus(err);
    if (status !== 404 && status !== 409) throw err;
  }
}

/** Bounds for what we download (decided in core, where the refusal is worded). */
export const MAX_ARTIFACT_BYTES = RESULTS_LIMITS.artifactBytes;
export const MAX_RESULTS_BYTES = RESULTS_LIMITS.fileBytes;
export const MAX_ARTIFACT_ENTRIES = RESULTS_LIMITS.entries;

export type ArtifactFile = RunResultsFile;

/** Find artifact `name` of run `runId`, download its zip, and return `file` from it. */
export async function readArtifactFile(
  client: RepoClient,
  runId: number,
  name: string,
  file: string,
): Promise<ArtifactFile> {
  const list = await client.octokit.rest.actions.listWorkflowRunArtifacts({
    owner: client.owner,
    repo: client.repo,
    run_id: runId,
    name,
    per_page: 100,
  });
  const artifact = list.data.artifacts.find((a) => a.name === name);
  if (!artifact) return { ok: false, reason: "no-artifact" };
  if (artifact.expired) return { ok: false, reason: "expired" };
  if (artifact.size_in_bytes > MAX_ARTIFACT_BYTES) return { ok: false, reason: "too-large" };
  let zip: Uint8Array;
  try {
    const res = await client.octokit.rest.actions.downloadArtifact({
      owner: client.owner,
      repo: client.repo,
      artifact_id: artifact.id,
      archive_format: "zip",
    });
    zip = new Uint8Array(res.data as ArrayBuffer);
  } catch (err) {
    if (isNotFound(err)) return { ok: false, reason: "expired" };
    throw err;
  }
  if (zip.byteLength > MAX_ARTIFACT_BYTES) return { ok: false, reason: "too-large" };
  const read = await readZipFile(zip, file, { maxFileBytes: MAX_RESULTS_BYTES, maxEntries: MAX_ARTIFACT_ENTRIES });
  if (!read.ok) return read;
  return { ok: true, text: new TextDecoder("utf-8", { fatal: false }).decode(read.bytes) };
}

/** Approve or reject a deployment waiting on our custom protection rule. */
export async function reviewProtectionRule(
  client: RepoClient,
  runId: number,
  environment: string,
  approve: boolean,
  comment: string,
): Promise<void> {
  await client.octokit.rest.actions.reviewCustomGatesForRun({
    owner: client.owner,
    repo: client.repo,
    run_id: runId,
    environment_name: environment,
    state: approve ? "approved" : "rejected",
    comment: outgoingField(client, comment, LIMITS.commentBody),
    // A run is waiting on this answer.
    ...atPriority("command"),
  });
}
