/**
 * `merge_queue.tier_b: rerun`: the Tier-B gates the group's contracts require must also pass on
 * the group's own commit. One run per group, dispatched like `/tier-b` (recorded first, pinned to
 * the group's commit, from the default branch) and kept in the ledger of the group's last PR.
 */
import type { Dispatch, Ledger } from "../ledger/types.js";
import type { Perf } from "../schemas/contract.generated.js";
import { isTierBGate, type TierBRegistry } from "../tierb/registry-view.js";
import { tierBCoverage } from "../tierb/verdict-rows.js";
import { parseQueueRef } from "./members.js";

/** A queue entry's branch as the workflow checks it out (no `refs/heads/`). */
const GROUP_BRANCH = /^gh-readonly-queue\/[A-Za-z0-9._/-]{1,200}\/pr-[1-9][0-9]{0,9}-[0-9a-f]{40}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

/** The Tier-B gates of the members' `gates.required`, de-duplicated, in first-seen order. */
export function groupTierBGates(required: readonly (readonly string[])[], registry: TierBRegistry): string[] {
  const out: string[] = [];
  for (const list of required) for (const id of list) if (isTierBGate(registry, id) && !out.includes(id)) out.push(id);
  return out;
}

/** The smallest bundle holding every gate (ties by name), or undefined. */
export function coveringBundle(registry: TierBRegistry, gates: readonly string[]): string | undefined {
  return [...registry.bundles.entries()]
    .filter(([name, members]) => name !== "single" && gates.every((g) => members.includes(g)))
    .sort(([a, x], [b, y]) => x.length - y.length || (a < b ? -1 : 1))[0]?.[0];
}

export type GroupRunPlan =
  | { kind: "dispatch"; dispatch: Dispatch; ledger: Ledger }
  | { kind: "existing"; dispatch: Dispatch }
  | { kind: "refuse"; reason: string };

export interface GroupRunInput {
  /** The ledger of the group's last PR. */
  ledger: Ledger;
  lastPr: number;
  groupSha: string;
  /** `refs/heads/gh-readonly-queue/…` as the event names it. */
  groupRef: string;
  gates: readonly string[];
  registry: TierBRegistry;
  /** The members' perf budgets: the strictest counts, against the base branch. */
  perf: readonly Perf[];
  baseBranch: string;
  /** Who queued the group (the event's sender); the protection rule re-checks their access. */
  requester: { login: string; type: string | undefined };
  newId: string;
  now: Date;
}

export function planGroupRun(input: GroupRunInput): GroupRunPlan {
  // Any run pinned to the group's commit is the group's (a PR head is never a queue commit), also one
  // rebuilt from the run names after the ledger was lost.
  const existing = input.ledger.dispatches.find((d) => d.sha === input.groupSha);
  if (existing) return { kind: "existing", dispatch: existing };
  const branch = input.groupRef.replace(/^refs\/heads\//, "");
  if (!GROUP_BRANCH.test(branch)) return { kind: "refuse", reason: `\`${branch}\` is not a merge queue branch` };
  if (input.requester.type !== "User" || !LOGIN.test(input.requester.login))
    return {
      kind: "refuse",
      reason: `GitHub sent the merge group as ${input.requester.type === "Bot" ? "a bot" : "an unknown sender"}; a Tier-B run on it needs a person with write access to have queued it`,
    };
  const bundle = coveringBundle(input.registry, input.gates);
  if (bundle === undefined)
    return {
      kind: "refuse",
      reason: `no bundle in the gate registry holds every Tier-B gate this group needs (${input.gates.map((g) => `\`${g}\``).join(", ")}): add one, or set \`merge_queue.tier_b: trust_pr_heads\``,
    };
  const budgets = input.perf.map((p) => p.budget_pct);
  const dispatch: Dispatch = {
    id: input.newId,
    pr: input.lastPr,
    sha: input.groupSha,
    bundle,
    requester: input.requester.login,
    requestedAt: input.now.toISOString(),
    state: "recorded",
    mergeGroup: { ref: branch },
  };
  if (budgets.length > 0) {
    dispatch.budgetPct = Math.max(...budgets);
    dispatch.baselineRef = input.baseBranch;
  }
  return {
    kind: "dispatch",
    dispatch,
    ledger: { ...input.ledger, dispatches: [...input.ledger.dispatches, dispatch] },
  };
}

export type GroupRunState =
  { state: "pass" } | { state: "pending"; summary: string } | { state: "fail"; summary: string } | { state: "none" };

/** Where the group's own Tier-B run stands, read from the last PR's ledger. */
export function groupRunState(
  ledger: Ledger,
  groupSha: string,
  gates: readonly string[],
  registry: TierBRegistry,
): GroupRunState {
  const runs = ledger.dispatches.filter((d) => d.sha === groupSha);
  const coverage = tierBCoverage(ledger, groupSha, gates, registry);
  if (coverage.status === "pass") return { state: "pass" };
  if (coverage.running.length > 0)
    return {
      state: "pending",
      summary: `Tier-B is running on the merge group's commit (${coverage.running.join(", ")})`,
    };
  if (runs.length === 0) return { state: "none" };
  return { state: "fail", summary: `Tier-B on the merge group's commit: ${coverage.summary}` };
}

/** How Tier-B enters the group's check. */
export type GroupTierB =
  | { mode: "trust_pr_heads" }
  | { mode: "rerun"; state: "not-needed" | "not-started" | "pass" }
  | { mode: "rerun"; state: "pending" | "fail"; summary: string };

/** The merge group a run on it belongs to, as `merge_group` named it; undefined for a run on a PR head. */
export function groupOfRun(d: Dispatch): { head_sha: string; head_ref: string; base_ref: string } | undefined {
  const ref = d.mergeGroup === undefined ? undefined : parseQueueRef(d.mergeGroup.ref);
  return ref && d.mergeGroup
    ? { head_sha: d.sha, head_ref: `refs/heads/${d.mergeGroup.ref}`, base_ref: `refs/heads/${ref.baseBranch}` }
    : undefined;
}
