/** Decide whether a `/tier-b` command becomes a dispatch, a duplicate, or a refusal — and what `/tier-b cancel` cancels. */
import type { Command } from "../commands/parse.js";
import { isActive, NOT_STARTED_STATES, type Dispatch, type Ledger } from "../ledger/types.js";
import { requestedGateIds, requiredFiles, SINGLE_MODE, type TierBRegistry } from "./registry-view.js";

/** More in-flight runs than this on one PR is a mistake or abuse; it also bounds the ledger. */
export const MAX_ACTIVE_PER_PR = 10;
const DISPATCH_ID = /^[A-Za-z0-9-]{8,64}$/;
const SHA = /^[0-9a-f]{40}$/;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;

export type RefuseCode =
  | "pr-closed"
  | "pr-draft"
  | "contract-invalid"
  | "scope-not-ok"
  | "unknown-bundle"
  | "unknown-gate"
  | "not-tier-b"
  | "missing-files"
  | "too-many-active";

export interface PlanInput {
  ledger: Ledger;
  pr: { number: number; headSha: string; state: "open" | "closed"; draft: boolean };
  command: Extract<Command, { kind: "tier-b" }>;
  requester: string;
  /** The command comment's id, so a redelivered webhook is recognised whatever the dispatch's state. */
  commentId?: number;
  registry: TierBRegistry;
  config: { allowDraft: boolean; requireValidContract: boolean; requireScope: boolean };
  contractValid: boolean;
  /** False also when scope could not be verified (fail closed). */
  scopeOk: boolean;
  /** `requires_files` of the requested gates that do not exist at `pr.headSha` (see `filesToCheck`). */
  missingFiles: readonly string[];
  newId: string;
  now: Date;
}

export type Plan =
  | { kind: "dispatch"; dispatch: Dispatch; ledger: Ledger; gateIds: string[] }
  | { kind: "duplicate"; existing: Dispatch }
  | { kind: "refuse"; code: RefuseCode; reason: string };

/** The paths the handler must look up at the head SHA before planning (from the default-branch registry). */
export function filesToCheck(registry: TierBRegistry, command: Extract<Command, { kind: "tier-b" }>): string[] {
  return requiredFiles(registry, requestedGateIds(registry, command) ?? []);
}

/** Same target: PR, pinned SHA, bundle and single gate. Baseline and budget do not make a second run. */
export function sameTarget(
  d: Dispatch,
  pr: number,
  sha: string,
  bundle: string,
  singleGate: string | undefined,
): boolean {
  return d.pr === pr && d.sha === sha && d.bundle === bundle && d.singleGate === singleGate;
}

/**
 * Plan a dispatch. Pure: the caller records the returned ledger in the sticky comment BEFORE it
 * calls the dispatch API, under its per-PR lock; a second plan against that ledger is a duplicate.
 */
export function planDispatch(input: PlanInput): Plan {
  const { ledger, pr, command, registry, config } = input;
  // Caller-generated values that are not well-formed are bugs in the caller, not user errors.
  if (!DISPATCH_ID.test(input.newId)) throw new Error("planDispatch: newId must match ^[A-Za-z0-9-]{8,64}$");
  if (!SHA.test(pr.headSha)) throw new Error("planDispatch: headSha must be a 40-hex SHA");
  if (!LOGIN.test(input.requester)) throw new Error("planDispatch: requester must be a GitHub login");

  if (input.commentId !== undefined) {
    const again = ledger.dispatches.find((d) => d.commentId === input.commentId);
    if (again) return { kind: "duplicate", existing: again };
  }
  if (pr.state !== "open") return refuse("pr-closed", "the PR is closed; Tier-B runs only on open PRs");
  if (pr.draft && !config.allowDraft)
    return refuse("pr-draft", "the PR is a draft; mark it ready for review, then ask again");
  if (config.requireValidContract && !input.contractValid)
    return refuse(
      "contract-invalid",
      "the PR's contract is not valid, or not accepted by a maintainer; fix or `/accept` it first (see the merge-captain check)",
    );
  if (config.requireScope && !input.scopeOk)
    return refuse(
      "scope-not-ok",
      "the PR's changed files are not verified to be within the contract's scope (see the merge-captain check)",
    );

  const singleGate = command.bundle === SINGLE_MODE ? command.singleGate : undefined;
  const gateIds = requestedGateIds(registry, command);
  if (gateIds === undefined || gateIds.length === 0)
    return refuse("unknown-bundle", "that bundle is not in the gate registry on the default branch");
  for (const id of gateIds) {
    const gate = registry.gates.get(id);
    if (gate === undefined)
      return refuse("unknown-gate", `the gate registry on the default branch does not define ${id}`);
    if (gate.tier !== "b") return refuse("not-tier-b", `${id} is a Tier-A gate; Tier-B runs only Tier-B gates`);
  }
  if (input.missingFiles.length > 0) {
    return refuse(
      "missing-files",
      `files the gates require are missing at ${pr.headSha.slice(0, 7)}: ${input.missingFiles.slice(0, 10).join(", ")}`,
    );
  }

  const existing = ledger.dispatches.find(
    (d) => isActive(d) && sameTarget(d, pr.number, pr.headSha, command.bundle, singleGate),
  );
  if (existing) return { kind: "duplicate", existing };
  if (ledger.dispatches.filter((d) => d.pr === pr.number && isActive(d)).length >= MAX_ACTIVE_PER_PR) {
    return refuse(
      "too-many-active",
      `${MAX_ACTIVE_PER_PR} Tier-B runs are already queued or running on this PR; wait, or \`/tier-b cancel\``,
    );
  }

  const dispatch: Dispatch = {
    id: input.newId,
    pr: pr.number,
    sha: pr.headSha,
    bundle: command.bundle,
    requester: input.requester,
    requestedAt: input.now.toISOString(),
    state: "recorded",
  };
  if (singleGate !== undefined) dispatch.singleGate = singleGate;
  if (command.baselineRef !== undefined) dispatch.baselineRef = command.baselineRef;
  if (command.budgetPct !== undefined) dispatch.budgetPct = command.budgetPct;
  if (input.commentId !== undefined) dispatch.commentId = input.commentId;
  return { kind: "dispatch", dispatch, gateIds, ledger: { ...ledger, dispatches: [...ledger.dispatches, dispatch] } };
}

/**
 * The last check before the dispatch API call: the PR head must still be the pinned SHA. If it
 * moved (a push between the command and the dispatch), the recorded dispatch is ended, not sent.
 */
export function confirmPinned(
  ledger: Ledger,
  dispatchId: string,
  currentHeadSha: string,
  now: Date,
): { proceed: true } | { proceed: false; ledger: Ledger; reason: string } {
  const d = ledger.dispatches.find((x) => x.id === dispatchId);
  if (d === undefined) return { proceed: false, ledger, reason: "the dispatch is no longer in the ledger" };
  if (d.state !== "recorded") return { proceed: false, ledger, reason: "the dispatch was already sent" };
  if (d.sha === currentHeadSha) return { proceed: true };
  const ended: Dispatch = {
    ...d,
    state: "cancelled",
    endReason: "head-moved",
    stale: true,
    staleBy: currentHeadSha,
    updatedAt: now.toISOString(),
  };
  return {
    proceed: false,
    ledger: replaceDispatch(ledger, ended),
    reason: `the PR head moved from ${d.sha.slice(0, 7)} to ${currentHeadSha.slice(0, 7)} before the run was dispatched; nothing was run — ask again to test the new head`,
  };
}

/**
 * What `/tier-b cancel` does on a PR: runs that have not started are cancelled (those with a run
 * id through the API, the rest only in the ledger); running ones are reported, not stopped.
 */
export function cancelPlan(
  ledger: Ledger,
  pr: number,
  now: Date,
): { cancel: Dispatch[]; running: Dispatch[]; ledger: Ledger } {
  const cancel = ledger.dispatches.filter((d) => d.pr === pr && NOT_STARTED_STATES.includes(d.state));
  const running = ledger.dispatches.filter((d) => d.pr === pr && d.state === "in_progress");
  const ids = new Set(cancel.map((d) => d.id));
  const updated: Ledger = {
    ...ledger,
    dispatches: ledger.dispatches.map((d) =>
      ids.has(d.id) ? { ...d, state: "cancelled", endReason: "cancel-requested", updatedAt: now.toISOString() } : d,
    ),
  };
  return { cancel, running, ledger: updated };
}

export function replaceDispatch(ledger: Ledger, updated: Dispatch): Ledger {
  return { ...ledger, dispatches: ledger.dispatches.map((d) => (d.id === updated.id ? updated : d)) };
}

function refuse(code: RefuseCode, reason: string): Plan {
  return { kind: "refuse", code, reason };
}

/**
 * The workflow_dispatch inputs for a dispatch: all strings, as the API requires. Empty strings
 * mean "not given" so the workflow's own defaults apply. `merge_group_ref` is sent only for a run on
 * a merge group, so workflows copied before it existed keep accepting every PR dispatch.
 */
export function workflowInputs(
  d: Dispatch,
): Record<
  "pr_number" | "bundle" | "single_gate" | "baseline_ref" | "perf_budget_pct" | "head_sha" | "dispatch_id",
  string
> & { merge_group_ref?: string } {
  return {
    pr_number: String(d.pr),
    bundle: d.bundle,
    single_gate: d.singleGate ?? "",
    baseline_ref: d.baselineRef ?? "",
    perf_budget_pct: d.budgetPct !== undefined ? String(d.budgetPct) : "",
    head_sha: d.sha,
    dispatch_id: d.id,
    ...(d.mergeGroup ? { merge_group_ref: d.mergeGroup.ref } : {}),
  };
}
