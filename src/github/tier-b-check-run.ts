/** The `Tier-B: <bundle>` check run on a dispatch's pinned SHA, written from the dispatch's state. */
import type { Registry } from "../core/gates/registry.js";
import type { Dispatch } from "../core/ledger/types.js";
import { checkRunOutput } from "../core/tierb/render.js";
import type { RepoClient } from "./client.js";
import { findCheckRun, upsertCheckRun } from "./checks.js";

/** Open the check run, or update the one the dispatch already has. Returns its id. */
export async function publishDispatchCheck(client: RepoClient, registry: Registry, d: Dispatch): Promise<number> {
  const out = checkRunOutput(d, registry);
  // The id comes from the ledger, so no lookup; a dispatch rebuilt from its run's name lost its id,
  // and its check run (by name, on the pinned SHA) is looked up rather than opened twice.
  const existing =
    d.checkRunId !== undefined
      ? { id: d.checkRunId, status: "", conclusion: null, text: null }
      : d.recovered === true
        ? await findCheckRun(client, d.sha, out.name)
        : undefined;
  return upsertCheckRun(client, existing, {
    name: out.name,
    headSha: d.sha,
    status: out.status,
    ...(out.conclusion ? { conclusion: out.conclusion } : {}),
    title: out.title,
    summary: out.summary,
    externalId: d.id,
    ...(d.runUrl ? { detailsUrl: d.runUrl } : {}),
    // The person who asked for the run waits for this check.
    priority: "command",
  });
}

/** Update the check runs of dispatches whose state, conclusion or staleness changed between two ledgers. */
export async function publishChangedDispatchChecks(
  client: RepoClient,
  registry: Registry,
  before: readonly Dispatch[],
  after: readonly Dispatch[],
): Promise<void> {
  for (const d of after) {
    const was = before.find((x) => x.id === d.id);
    if (d.checkRunId === undefined || !was) continue;
    if (was.state === d.state && was.conclusion === d.conclusion && was.stale === d.stale) continue;
    await publishDispatchCheck(client, registry, d);
  }
}
