/** Tie workflow runs to dispatches and move a dispatch through its states as run events arrive (late, twice, or out of order). */
import { type Dispatch, type DispatchState, type Ledger, type StoredResults } from "../ledger/types.js";
import { replaceDispatch } from "./plan.js";

/** The parts of a `workflow_run` (webhook or REST) that matter here. */
export interface RunRef {
  id: number;
  name?: string | null;
  display_title?: string | null;
  head_branch?: string | null;
  status?: string | null;
  conclusion?: string | null;
  html_url?: string | null;
  run_attempt?: number | null;
}

/**
 * The `run-name` the Tier-B workflow template must use, so a run names its dispatch and the bot
 * can rebuild a lost ledger: `Tier-B #<pr> <bundle> <single_gate> @<head_sha> [<dispatch_id>]`.
 */
export const RUN_NAME_TEMPLATE =
  "Tier-B #${{ inputs.pr_number }} ${{ inputs.bundle }} ${{ inputs.single_gate }} @${{ inputs.head_sha }} [${{ inputs.dispatch_id }}]";
const RUN_NAME =
  /^Tier-B #([1-9][0-9]{0,9}) ([A-Za-z0-9][A-Za-z0-9_.-]{0,63}) (?:([A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}) )? ?@([0-9a-f]{40}) \[([A-Za-z0-9-]{8,64})\]$/;

export interface ParsedRunName {
  pr: number;
  bundle: string;
  singleGate?: string;
  sha: string;
  dispatchId: string;
}

export function parseRunName(title: string): ParsedRunName | undefined {
  const m = RUN_NAME.exec(title);
  if (!m) return undefined;
  const parsed: ParsedRunName = { pr: Number(m[1]), bundle: m[2]!, sha: m[4]!, dispatchId: m[5]! };
  if (m[3] !== undefined) parsed.singleGate = m[3];
  return parsed;
}

/** Whether `text` contains `id` as a whole token (not inside a longer id). */
function containsToken(text: string, id: string): boolean {
  let at = text.indexOf(id);
  while (at >= 0) {
    const before = at === 0 ? "" : text[at - 1]!;
    const after = text[at + id.length] ?? "";
    if (!/[A-Za-z0-9-]/.test(before) && !/[A-Za-z0-9-]/.test(after)) return true;
    at = text.indexOf(id, at + 1);
  }
  return false;
}

/**
 * The dispatch a run belongs to: by run id once known, else by the dispatch id in its name. A
 * dispatch already tied to another run is not re-tied (a manual re-dispatch cannot take it over).
 */
export function matchRun(ledger: Ledger, run: RunRef): Dispatch | undefined {
  const byId = ledger.dispatches.find((d) => d.runId === run.id);
  if (byId) return byId;
  const titles = [run.display_title, run.name].filter((t): t is string => typeof t === "string" && t.length <= 1024);
  return ledger.dispatches.find((d) => d.runId === undefined && titles.some((t) => containsToken(t, d.id)));
}

export type RunEvent =
  | { kind: "dispatched"; runId?: number; runUrl?: string } // the dispatch API accepted it
  | { kind: "dispatch-failed" }
  | { kind: "check-run"; checkRunId: number }
  | { kind: "run"; run: RunRef } // workflow_run requested / in_progress / completed
  | { kind: "results"; results: StoredResults; conclusion: "success" | "failure" | "neutral" };

export interface RunEventOutcome {
  ledger: Ledger;
  dispatch: Dispatch | undefined;
  /** The run belongs to a dispatch we already cancelled (or made stale before it started): cancel it. */
  cancelRun: boolean;
}

/** How far along a state is; events never move a dispatch backwards. */
function rank(s: DispatchState): number {
  switch (s) {
    case "recorded":
      return 0;
    case "dispatched":
      return 1;
    case "queued":
      return 2;
    case "waiting":
      return 3;
    case "in_progress":
      return 4;
    case "completed":
    case "cancelled":
    case "failed":
      return 5;
  }
}

/** GitHub's workflow run status in our states; unknown statuses change nothing. */
export function stateOfRun(
  status: string | null | undefined,
  conclusion: string | null | undefined,
): DispatchState | undefined {
  switch (status) {
    case "requested":
    case "queued":
    case "pending":
      return "queued";
    case "waiting":
      return "waiting";
    case "in_progress":
      return "in_progress";
    case "completed":
      return conclusion === "cancelled" ? "cancelled" : "completed";
    default:
      return undefined;
  }
}

export const RUN_URL =
  /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/[A-Za-z0-9._/-]+\/actions\/runs\/[0-9]+(\/attempts\/[0-9]+)?$/;
export const CONCLUSION = /^[a-z][a-z_]{0,31}$/;

/** Apply one event to one dispatch. Duplicate and late events are harmless: terminal states stay. */
export function applyRunEvent(ledger: Ledger, dispatchId: string, event: RunEvent, now: Date): RunEventOutcome {
  const d = ledger.dispatches.find((x) => x.id === dispatchId);
  if (d === undefined) return { ledger, dispatch: undefined, cancelRun: false };
  const next: Dispatch = { ...d };
  let cancelRun = false;
  switch (event.kind) {
    case "dispatched":
      if (d.state === "recorded") next.state = "dispatched";
      if (event.runId !== undefined && next.runId === undefined) next.runId = event.runId;
      if (event.runUrl !== undefined && RUN_URL.test(event.runUrl)) next.runUrl = event.runUrl;
      break;
    case "dispatch-failed":
      if (d.state === "recorded") {
        next.state = "failed";
        next.endReason = "dispatch-failed";
      }
      break;
    case "check-run":
      next.checkRunId = event.checkRunId;
      break;
    case "run": {
      const run = event.run;
      if (next.runId === undefined) next.runId = run.id;
      if (next.runId !== run.id) return { ledger, dispatch: d, cancelRun: false };
      if (typeof run.html_url === "string" && RUN_URL.test(run.html_url)) next.runUrl = run.html_url;
      if (typeof run.run_attempt === "number" && Number.isSafeInteger(run.run_attempt) && run.run_attempt > 0)
        next.runAttempt = run.run_attempt;
      const target = stateOfRun(run.status, run.conclusion);
      if (run.status === "completed" && typeof run.conclusion === "string" && CONCLUSION.test(run.conclusion))
        next.runConclusion = run.conclusion;
      if (d.state === "cancelled" && run.status !== "completed") {
        // We cancelled it (or a push made it stale) before GitHub created the run.
        cancelRun = true;
      } else if (target !== undefined && rank(target) > rank(d.state)) {
        next.state = target;
        if (target === "cancelled") next.endReason = "run-cancelled";
      }
      break;
    }
    case "results":
      // Results only land on a run that finished or is finishing; a cancelled dispatch keeps its end.
      if (d.state === "cancelled" || d.state === "failed") return { ledger, dispatch: d, cancelRun: false };
      next.results = event.results;
      next.conclusion = event.conclusion;
      next.state = "completed";
      break;
  }
  next.updatedAt = now.toISOString();
  return { ledger: replaceDispatch(ledger, next), dispatch: next, cancelRun };
}
