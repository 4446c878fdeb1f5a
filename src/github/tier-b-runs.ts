/**
 * Tier-B runs as GitHub holds them: what provenance expects of them in this repository, the
 * results file a finished run uploaded, and rebuilding a PR's dispatches from them when its
 * ledger cannot be believed.
 */
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import type { Dispatch } from "../core/ledger/types.js";
import { recoverDispatches } from "../core/tierb/recover.js";
import { requestedGateIds } from "../core/tierb/registry-view.js";
import { concludeRun, type Conclusion } from "../core/tierb/results.js";
import { applyRunEvent } from "../core/tierb/runs.js";
import type { ExpectedOrigin } from "../core/trust/provenance.js";
import { listDispatchRuns, readArtifactFile } from "./actions.js";
import type { RepoClient } from "./client.js";
import type { PrState } from "./pr-state.js";

export const RESULTS_FILE = "tier_b_results.json";

/** At most this many finished runs on the head get their results file read again during a rebuild. */
const MAX_RESULTS_REREAD = 3;

export function expectedOrigin(client: RepoClient, config: ResolvedConfig): ExpectedOrigin {
  return {
    repo: `${client.owner}/${client.repo}`,
    defaultBranch: client.defaultBranch,
    workflow: config.tier_b.workflow,
    botLogin: client.botLogin,
  };
}

/** Download the run's results artifact and conclude it against its dispatch (bound to its SHA and id). */
export async function concludeFromArtifact(
  client: RepoClient,
  config: ResolvedConfig,
  registry: Registry,
  dispatch: Dispatch,
  runId: number,
  runConclusion: string,
): Promise<Conclusion> {
  const requested = requestedGateIds(registry, dispatch) ?? [];
  const file = await readArtifactFile(client, runId, config.tier_b.artifact, RESULTS_FILE);
  return concludeRun(
    file,
    { headSha: dispatch.sha, dispatchId: dispatch.id, requestedGateIds: requested, registry },
    runConclusion,
  );
}

/**
 * Add to the PR's ledger the dispatches its runs show and it lacks, reading the results of the
 * newest finished ones on `headSha` again. When the ledger was hand-edited or predates sealing,
 * it also records that it was rebuilt (the sticky comment says so). The caller writes it back.
 */
export async function rebuildDispatches(
  client: RepoClient,
  config: ResolvedConfig,
  registry: Registry | undefined,
  state: PrState,
  headSha: string,
  now: Date,
): Promise<Dispatch[]> {
  const runs = await listDispatchRuns(client, config.tier_b.workflow);
  const known = new Set(state.ledger.dispatches.map((d) => d.id));
  const found = recoverDispatches(runs, state.number, expectedOrigin(client, config), now).filter(
    (d) => !known.has(d.id),
  );
  let ledger = { ...state.ledger, dispatches: [...found, ...state.ledger.dispatches] };
  if (registry) {
    const finished = found
      .filter((d) => d.state === "completed" && d.sha === headSha && d.runId !== undefined)
      .slice(-MAX_RESULTS_REREAD);
    for (const d of finished) {
      const c = await concludeFromArtifact(client, config, registry, d, d.runId!, d.runConclusion ?? "failure");
      ledger = applyRunEvent(
        ledger,
        d.id,
        { kind: "results", results: c.results, conclusion: c.conclusion },
        now,
      ).ledger;
    }
  }
  if (state.integrity === "tampered" || state.integrity === "legacy")
    ledger = {
      ...ledger,
      rebuilt: { at: now.toISOString(), reason: state.integrity === "tampered" ? "tampered" : "migrated" },
    };
  state.ledger = ledger;
  state.trusted = true;
  return found;
}
