/**
 * Rebuild a PR's dispatches after its ledger was lost, edited by hand or written before sealing,
 * from the Tier-B workflow's recent runs — only runs that pass the provenance checks (our
 * workflow, the default branch, workflow_dispatch, started by this App, named for this PR).
 */
import type { Dispatch } from "../ledger/types.js";
import { runOrigin, type ExpectedOrigin, type RunOrigin } from "../trust/provenance.js";
import { CONCLUSION, RUN_URL, stateOfRun } from "./runs.js";

/**
 * Every run that passes becomes a dispatch again, so in-flight runs are still seen as duplicates.
 * Finished runs come back without results (the handler may read their results file again); the
 * requester is unknown, so the protection rule will not approve them. Dispatches that were
 * recorded but never reached the API are lost, which is safe: nothing was started for them.
 */
export function recoverDispatches(
  runs: readonly RunOrigin[],
  pr: number,
  expected: ExpectedOrigin,
  now: Date,
): Dispatch[] {
  const dispatches: Dispatch[] = [];
  for (const run of runs) {
    const origin = runOrigin(run, expected);
    if (!origin.ok) continue;
    const parsed = origin.named;
    if (parsed.pr !== pr || dispatches.some((d) => d.id === parsed.dispatchId)) continue;
    const state = stateOfRun(run.status, run.conclusion) ?? "queued";
    const d: Dispatch = {
      id: parsed.dispatchId,
      pr,
      sha: parsed.sha,
      bundle: parsed.bundle,
      requester: "ghost",
      requestedAt: now.toISOString(),
      state,
      runId: run.id,
      recovered: true,
    };
    if (parsed.singleGate !== undefined) d.singleGate = parsed.singleGate;
    if (typeof run.html_url === "string" && RUN_URL.test(run.html_url)) d.runUrl = run.html_url;
    if (state === "completed" && typeof run.conclusion === "string" && CONCLUSION.test(run.conclusion))
      d.runConclusion = run.conclusion;
    dispatches.push(d);
  }
  // The API lists runs newest first; the ledger keeps oldest first.
  return dispatches.reverse();
}
