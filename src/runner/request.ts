/** What a gate run is asked to do — which gates, where, which dispatch the results bind to — checked the same way whether it came as CLI flags or as action inputs. */
import { isAbsolute, join, resolve } from "node:path";
import { show } from "../core/problem.js";
import { SINGLE_MODE } from "../core/tierb/registry-view.js";
import type { Baseline } from "./run-gates.js";

/** The request as given: strings, where an empty string counts as absent (a workflow passes its optional inputs through unconditionally). */
export interface RawRequest {
  registry?: string | undefined;
  bundle?: string | undefined;
  gates?: readonly string[] | undefined;
  tier?: string | undefined;
  out?: string | undefined;
  headSha?: string | undefined;
  dispatchId?: string | undefined;
  baselineWorktree?: string | undefined;
  baselineValue?: string | undefined;
  baselineRef?: string | undefined;
  budget?: string | undefined;
  cwd?: string | undefined;
  logFile?: string | undefined;
  /** A directory for the log; the file is named after the dispatch (`tier-b-<dispatch-id>.log`). */
  logDir?: string | undefined;
}

/** How the caller names each field in its messages: `--head-sha` for the CLI, `head-sha` for the action. */
export type FieldNames = Record<keyof RawRequest, string>;

export type Selection = { bundle: string } | { gates: string[] } | { tier: "a" | "b" };

export interface RunRequest {
  registry: string;
  select: Selection;
  out?: string | undefined;
  headSha?: string | undefined;
  dispatchId?: string | undefined;
  baseline?: Baseline | undefined;
  baselineRef?: string | undefined;
  budgetPct?: number | undefined;
  repoDir: string;
  logFile?: string | undefined;
}

const SHA = /^[0-9a-f]{40}$/;
const DISPATCH_ID = /^[A-Za-z0-9-]{8,64}$/;

function given(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

/** Check a request; relative paths are resolved against `cwd`. */
export function checkRequest(
  raw: RawRequest,
  cwd: string,
  names: FieldNames,
): { ok: true; value: RunRequest } | { ok: false; message: string } {
  const bad = (message: string): { ok: false; message: string } => ({ ok: false, message });
  const registry = given(raw.registry);
  if (registry === undefined) return bad(`${names.registry} is required`);

  let bundle = given(raw.bundle);
  const gateIds = (raw.gates ?? []).map((g) => g.trim()).filter((g) => g !== "");
  // `single` is how a Tier-B dispatch says "one gate": the gate comes separately.
  if (bundle === SINGLE_MODE) {
    if (gateIds.length === 0) return bad(`${names.bundle} \`${SINGLE_MODE}\` needs ${names.gates}`);
    bundle = undefined;
  }
  const tier = given(raw.tier);
  const chosen = [bundle, gateIds.length > 0 ? "gate" : undefined, tier].filter((x) => x !== undefined);
  if (chosen.length !== 1) return bad(`give exactly one of ${names.bundle}, ${names.gates} or ${names.tier}`);
  if (tier !== undefined && tier !== "a" && tier !== "b") return bad(`${names.tier} must be a or b, not ${show(tier)}`);

  const headSha = given(raw.headSha);
  const dispatchId = given(raw.dispatchId);
  if ((headSha === undefined) !== (dispatchId === undefined))
    return bad(`${names.headSha} and ${names.dispatchId} go together (both bind the results to one dispatch)`);
  if (headSha !== undefined && !SHA.test(headSha))
    return bad(`${names.headSha} must be a full 40-character lowercase hex SHA`);
  if (dispatchId !== undefined && !DISPATCH_ID.test(dispatchId))
    return bad(`${names.dispatchId} must be 8–64 letters, digits or dashes`);

  const worktree = given(raw.baselineWorktree);
  const baselineValue = given(raw.baselineValue);
  if (worktree !== undefined && baselineValue !== undefined)
    return bad(`give ${names.baselineWorktree} or ${names.baselineValue}, not both`);
  let baseline: Baseline | undefined;
  if (worktree !== undefined) baseline = { kind: "worktree", dir: resolve(cwd, worktree) };
  if (baselineValue !== undefined) {
    const n = Number(baselineValue);
    if (!Number.isFinite(n) || n <= 0) return bad(`${names.baselineValue} must be a positive number`);
    baseline = { kind: "value", value: n };
  }
  const budgetText = given(raw.budget);
  let budgetPct: number | undefined;
  if (budgetText !== undefined) {
    budgetPct = Number(budgetText);
    if (!Number.isFinite(budgetPct) || budgetPct < -100 || budgetPct > 1000)
      return bad(`${names.budget} must be a number of percent between -100 and 1000 (e.g. -10)`);
  }
  const baselineRef = given(raw.baselineRef);
  if (baselineRef !== undefined && baselineRef.length > 128)
    return bad(`${names.baselineRef} is longer than 128 characters`);

  const logFile = given(raw.logFile);
  const logDir = given(raw.logDir);
  if (logFile !== undefined && logDir !== undefined) return bad(`give ${names.logFile} or ${names.logDir}, not both`);
  if (logDir !== undefined && !isAbsolute(logDir))
    return bad(`${names.logDir} must be an absolute directory on the runner (outside the checkout)`);
  const log =
    logFile !== undefined
      ? resolve(cwd, logFile)
      : logDir !== undefined
        ? join(logDir, `tier-b-${dispatchId ?? "local"}.log`)
        : undefined;

  const out = given(raw.out);
  return {
    ok: true,
    value: {
      registry: resolve(cwd, registry),
      select: bundle !== undefined ? { bundle } : tier !== undefined ? { tier } : { gates: gateIds },
      out: out === undefined ? undefined : resolve(cwd, out),
      headSha,
      dispatchId,
      baseline,
      baselineRef,
      budgetPct,
      repoDir: resolve(cwd, given(raw.cwd) ?? "."),
      logFile: log,
    },
  };
}
