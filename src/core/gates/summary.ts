/** The job summary the gate runner action writes: the same allow-listed table the bot posts, the overall status, the binding and how gates were contained — never raw output. */
import type { LocalResults } from "./metrics.js";
import { code } from "../render/markdown.js";
import { renderResultsTable, statusLabel } from "../tierb/render.js";
import type { TierBRegistry } from "../tierb/registry-view.js";
import { concludeResults } from "../tierb/results.js";

/** How the runner kept track of a gate's processes (decided in `src/runner/containment.ts`). */
export type ContainmentKind = "cgroup" | "proc" | "group";

function containmentText(kind: ContainmentKind): string {
  switch (kind) {
    case "cgroup":
      return "each gate ran in its own cgroup and every process it started was stopped before the results were written";
    case "proc":
      return "every process a gate started was found through /proc and stopped before the results were written";
    case "group":
      return "only each gate's process group could be tracked on this host (no /proc): these results are for local use";
  }
}

export function renderJobSummary(input: {
  results: LocalResults;
  registry: TierBRegistry;
  containment: ContainmentKind;
}): string {
  const { results, registry } = input;
  const gates = concludeResults(results, results.gate_ids, registry).perGate;
  const binding =
    results.head_sha !== undefined && results.dispatch_id !== undefined
      ? `Bound to head ${code(results.head_sha.slice(0, 7))} and dispatch ${code(results.dispatch_id)}.`
      : "Not bound to a Tier-B dispatch (no head SHA and dispatch id): for local use only.";
  return [
    `### merge-captain gates: ${code(results.bundle)} — ${statusLabel(results.overall)}`,
    "",
    binding,
    "",
    renderResultsTable(gates, registry),
    "",
    `Containment: ${containmentText(input.containment)}. Gate output is never part of this summary or of the results file.`,
    "",
  ].join("\n");
}
