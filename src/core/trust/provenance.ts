/**
 * Run provenance: a workflow run (or a deployment protection rule request for one) counts only
 * when it is the configured Tier-B workflow, on the default branch, started by workflow_dispatch
 * from this App, and names a dispatch the ledger holds for that PR and SHA. Anything else is
 * ignored — and the protection rule rejects it with the reason.
 */
import type { Dispatch, Ledger } from "../ledger/types.js";
import { matchRun, parseRunName, type ParsedRunName, type RunRef } from "../tierb/runs.js";

/** The parts of a run (webhook payload or REST) provenance reads. */
export interface RunOrigin extends RunRef {
  /** `.github/workflows/tier-b.yml` (webhook), or `owner/repo/.github/workflows/tier-b.yml@ref` (some REST answers). */
  path?: string | null;
  event?: string | null;
  /** Who started the run: for a dispatch with our installation token, our bot. A re-run keeps it. */
  actor?: { login?: string | null; type?: string | null } | null;
}

export interface ExpectedOrigin {
  /** `owner/name` of the repository the event came from. */
  repo: string;
  defaultBranch: string;
  /** The config's `tier_b.workflow`, a file name in `.github/workflows`. */
  workflow: string;
  /** Our App's bot login, `<slug>[bot]`. */
  botLogin: string;
}

export type ProvenanceCode =
  "workflow-file" | "branch" | "event" | "actor" | "run-name" | "unknown-dispatch" | "dispatch-mismatch";

export type Provenance =
  { ok: true; named: ParsedRunName; dispatch: Dispatch } | { ok: false; code: ProvenanceCode; named?: ParsedRunName };

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Is `path` this repository's `.github/workflows/<workflow>` (with at most our own repo and default branch around it)? */
export function isTierBWorkflowPath(path: string, expected: ExpectedOrigin): boolean {
  const file = `.github/workflows/${expected.workflow}`;
  if (path === file) return true;
  const m = /^([^/]+\/[^/]+)\/(\.github\/workflows\/[^@]+)@(.+)$/.exec(path);
  if (!m) return false;
  const ref = m[3]!.replace(/^refs\/heads\//, "");
  return same(m[1]!, expected.repo) && m[2] === file && ref === expected.defaultBranch;
}

type Origin = { ok: true; named: ParsedRunName } | { ok: false; code: ProvenanceCode; named?: ParsedRunName };

/** Branch, event, actor and name: what can be checked before the config says which workflow file is ours. */
export function dispatchedByUs(run: RunOrigin, expected: Pick<ExpectedOrigin, "defaultBranch" | "botLogin">): Origin {
  const named = parseRunName(run.display_title ?? run.name ?? "");
  const fail = (code: ProvenanceCode): Origin => (named ? { ok: false, code, named } : { ok: false, code });
  if (run.head_branch !== expected.defaultBranch) return fail("branch");
  if (run.event !== "workflow_dispatch") return fail("event");
  const actor = run.actor;
  if (!actor || actor.type !== "Bot" || !same(actor.login ?? "", expected.botLogin)) return fail("actor");
  if (!named) return { ok: false, code: "run-name" };
  return { ok: true, named };
}

/** Everything that does not need the ledger: which workflow, where, how, by whom, and the name it carries. */
export function runOrigin(run: RunOrigin, expected: ExpectedOrigin): Origin {
  if (!isTierBWorkflowPath(run.path ?? "", expected)) {
    const named = parseRunName(run.display_title ?? run.name ?? "");
    return named ? { ok: false, code: "workflow-file", named } : { ok: false, code: "workflow-file" };
  }
  return dispatchedByUs(run, expected);
}

/** The full check: the origin, then a dispatch in the ledger for exactly the PR and SHA the run names. */
export function checkProvenance(run: RunOrigin, expected: ExpectedOrigin, ledger: Ledger): Provenance {
  const origin = runOrigin(run, expected);
  if (!origin.ok) return origin;
  const { named } = origin;
  const dispatch = matchRun(ledger, run);
  if (!dispatch) return { ok: false, code: "unknown-dispatch", named };
  if (dispatch.id !== named.dispatchId || dispatch.pr !== named.pr || dispatch.sha !== named.sha)
    return { ok: false, code: "dispatch-mismatch", named };
  return { ok: true, named, dispatch };
}
