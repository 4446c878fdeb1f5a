/** Check a Tier-B results file against its schema and its dispatch, reduce it to allow-listed fields, and conclude it. */
import {
  MAX_GATES_PER_RESULT,
  MAX_METRICS_PER_GATE,
  type StoredGateResult,
  type StoredResults,
} from "../ledger/types.js";
import { fail, ok, pointer, problem, type Problem, type Result } from "../problem.js";
import { tierBResultsSchema, type GateResult, type TierBResults } from "../schemas/tier-b-results.generated.js";
import { validateAgainst } from "../schemas/validate.js";
import { judgeMetricGate } from "./metric-gates.js";
import { declaredMetrics, type TierBRegistry } from "./registry-view.js";

export interface ExpectedResults {
  headSha: string;
  dispatchId: string;
  requestedGateIds: readonly string[];
  registry: TierBRegistry;
}

/**
 * Validate `tier_b_results.json`. A file for another head or another dispatch is refused whole
 * (it proves nothing about this one). Gates the registry does not define are DROPPED with a
 * warning rather than refusing the file: the registry on the default branch may have moved on,
 * and an unknown gate can never satisfy a requested one anyway.
 */
export function validateResults(json: unknown, expected: ExpectedResults): Result<TierBResults> {
  const errors = validateAgainst(tierBResultsSchema, json);
  if (errors.length > 0) return fail(...errors.map((e) => ({ ...e, code: `results.${e.code}` })));
  const file = json as TierBResults;
  if (file.head_sha !== expected.headSha) {
    return fail(
      problem(
        "results.head-mismatch",
        "/head_sha",
        `the results are for ${file.head_sha.slice(0, 7)}, but the run was dispatched for ${expected.headSha.slice(0, 7)}`,
        "the run must check out and verify the pinned head; results were not used",
      ),
    );
  }
  if (file.dispatch_id !== expected.dispatchId) {
    return fail(
      problem(
        "results.dispatch-mismatch",
        "/dispatch_id",
        "the results name another dispatch than the run they came from",
        "results were not used",
      ),
    );
  }
  const warnings: Problem[] = [];
  const results: TierBResults["results"] = {};
  for (const [id, r] of Object.entries(file.results)) {
    if (r === undefined) continue;
    if (!expected.registry.gates.has(id)) {
      warnings.push(
        problem(
          "results.unknown-gate",
          pointer("results", id),
          "a result for a gate that is not in the gate registry was dropped",
        ),
      );
      continue;
    }
    results[id] = r;
  }
  const gateIds = file.gate_ids.filter((id) => expected.registry.gates.has(id));
  return ok({ ...file, gate_ids: gateIds, results }, warnings);
}

/** Known reason prefixes of the gate runner and nmoe's workflow, mapped to codes. */
const REASON_CODES: ReadonlyArray<[RegExp, string]> = [
  [/^missing required env vars?\b/i, "missing-env"],
  [/^missing required files?\b/i, "missing-file"],
  [/^timed? ?out\b|^timeout\b/i, "timeout"],
  [/^external\b/i, "external"],
  [/^not implemented\b/i, "not-implemented"],
  [/^no baseline\b/i, "no-baseline"],
];
/**
 * A leading lower-case word, followed by a separator. Digits are refused on purpose: host and
 * node names (`gpu-node-17`) look like codes otherwise.
 */
const LEADING_CODE = /^([a-z][a-z-]{0,31})(?=$|[\s:;,]|\.(?:\s|$))/;
const ENV_NAME = /\b[A-Z_][A-Z0-9_]{0,63}\b/g;

/**
 * A reason reduced to a code and, for missing env vars, the names the registry declares for the
 * gate. The free text never leaves this function.
 */
export function reasonCode(
  reason: string,
  gateId: string,
  registry: TierBRegistry,
): { code: string; envNames?: string[] } {
  const text = reason.trim();
  for (const [re, code] of REASON_CODES) {
    if (!re.test(text)) continue;
    if (code === "missing-env") {
      const declared = new Set(registry.gates.get(gateId)?.requires ?? []);
      const names = [...new Set(text.match(ENV_NAME) ?? [])].filter((n) => declared.has(n)).slice(0, 10);
      return names.length > 0 ? { code, envNames: names } : { code };
    }
    return { code };
  }
  const m = LEADING_CODE.exec(text);
  return { code: m ? m[1]! : "see-run" };
}

/**
 * Metric names shown: those the registry declares for the gate, the perf fields, and names shaped
 * like metrics (`node_tps_p50`: a word then short parts). A long random-looking key is not shown.
 */
const METRIC_SHAPE = /^[a-z]{1,16}(?:_[a-z0-9]{1,8}){0,3}$/;
const PERF_FIELDS = ["baseline", "result", "delta_pct", "budget_pct"] as const;
const BASELINE_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;

function storedGate(id: string, r: GateResult | undefined, registry: TierBRegistry): StoredGateResult {
  if (r === undefined) return { id, status: "missing" };
  const out: StoredGateResult = { id, status: r.status };
  if (typeof r.rc === "number" && Number.isInteger(r.rc)) out.rc = r.rc;
  if (typeof r.duration_s === "number" && Number.isFinite(r.duration_s) && r.duration_s >= 0)
    out.durationS = r.duration_s;
  if (typeof r.reason === "string" && r.reason.trim() !== "") {
    const { code, envNames } = reasonCode(r.reason, id, registry);
    out.reasonCode = code;
    if (envNames !== undefined) out.envNames = envNames;
  }
  const declared = declaredMetrics(registry, id);
  const metrics: Record<string, number> = {};
  const candidates = [
    ...PERF_FIELDS,
    ...Object.keys(r)
      .filter((k) => !(PERF_FIELDS as readonly string[]).includes(k))
      .sort(),
  ];
  for (const key of candidates) {
    if (Object.keys(metrics).length >= MAX_METRICS_PER_GATE) break;
    if (key === "rc" || key === "duration_s") continue;
    const v = r[key];
    if (typeof v !== "number" || !Number.isFinite(v)) continue;
    if (!/^[a-z][a-z0-9_]{0,63}$/.test(key)) continue;
    if (!(PERF_FIELDS as readonly string[]).includes(key) && !declared.has(key) && !METRIC_SHAPE.test(key)) continue;
    metrics[key] = Object.is(v, -0) ? 0 : v;
  }
  if (Object.keys(metrics).length > 0) out.metrics = metrics;
  if (typeof r.compare_gate === "string" && registry.gates.has(r.compare_gate)) out.compareGate = r.compare_gate;
  if (typeof r.metric === "string" && /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(r.metric)) out.metricName = r.metric;
  if (typeof r.baseline_ref === "string" && BASELINE_REF.test(r.baseline_ref) && !r.baseline_ref.includes(".."))
    out.baselineRef = r.baseline_ref;
  return out;
}

export interface Conclusion {
  conclusion: "success" | "failure";
  /** Requested gates first (in request order, `missing` when absent), then other registry gates the file reported. */
  perGate: StoredGateResult[];
  /** Our own words: why the conclusion is what it is. */
  summary: string;
  results: StoredResults;
}

export const NO_RESULTS_TEXT = "the run ended before any gate — see the run";

/**
 * Success only if the file exists, every requested gate is `pass`, and (when known) the workflow
 * run itself succeeded. `pending`, `skipped`, `error`, `fail` and missing gates are never a pass.
 * The file's own `overall` is ignored: it is a claim, the per-gate statuses are the evidence.
 */
export function concludeResults(
  results: Pick<TierBResults, "results"> | undefined,
  requested: readonly string[],
  registry: TierBRegistry,
  opts: { runConclusion?: string } = {},
): Conclusion {
  if (results === undefined) {
    return {
      conclusion: "failure",
      perGate: requested.map((id) => ({ id, status: "missing" })),
      summary: NO_RESULTS_TEXT,
      results: { outcome: "missing" },
    };
  }
  const stored = (id: string): StoredGateResult =>
    judgeMetricGate(storedGate(id, results.results[id], registry), results.results, registry);
  const perGate = requested.map(stored);
  for (const id of Object.keys(results.results)) {
    if (!requested.includes(id) && registry.gates.has(id)) perGate.push(stored(id));
  }
  const kept = perGate.slice(0, MAX_GATES_PER_RESULT);
  const notPassed = perGate.filter((g) => requested.includes(g.id) && g.status !== "pass");
  const runFailed = opts.runConclusion !== undefined && opts.runConclusion !== "success";
  const conclusion = notPassed.length === 0 && requested.length > 0 && !runFailed ? "success" : "failure";
  let summary: string;
  if (requested.length === 0) summary = "no gates were requested";
  else if (notPassed.length > 0)
    summary = `${notPassed.length} of ${requested.length} requested gate${requested.length === 1 ? "" : "s"} did not pass`;
  else if (runFailed) summary = "every requested gate passed, but the workflow run did not succeed — see the run";
  else summary = `all ${requested.length} requested gate${requested.length === 1 ? "" : "s"} passed`;
  return { conclusion, perGate: kept, summary, results: { outcome: "valid", gates: kept } };
}

/** A results file that failed validation or binding: the dispatch fails, and only the first problem's code is kept. */
export function refusedResults(errors: readonly Problem[]): Conclusion {
  const code = errors[0]?.code ?? "results.invalid";
  return {
    conclusion: "failure",
    perGate: [],
    summary:
      code === "results.head-mismatch"
        ? "the results were for another commit and were not used"
        : code === "results.dispatch-mismatch"
          ? "the results were for another dispatch and were not used"
          : "the results file was not valid and was not used",
    results: { outcome: "refused", code: /^[a-z][a-z0-9.-]{0,63}$/.test(code) ? code : "results.invalid" },
  };
}

/** What came back from a completed run: the text of `tier_b_results.json`, or why there is none. */
export type RunResultsFile =
  | { ok: true; text: string }
  | {
      ok: false;
      reason:
        | "no-artifact"
        | "no-file"
        | "too-large"
        | "lying-size"
        | "too-many-entries"
        | "duplicate-file"
        | "expired"
        | "bad-zip";
    };

/** What the bot reads of a results artifact at most: a results file is small JSON, alone in its zip. */
export const RESULTS_LIMITS = {
  artifactBytes: 10 * 1024 * 1024,
  fileBytes: 1024 * 1024,
  entries: 1000,
} as const;

const MIB = 1024 * 1024;

type ArtifactReason = Exclude<RunResultsFile, { ok: true }>["reason"];
const ARTIFACT_REASONS: readonly ArtifactReason[] = [
  "no-artifact",
  "no-file",
  "too-large",
  "lying-size",
  "too-many-entries",
  "duplicate-file",
  "expired",
  "bad-zip",
];

/** The sentence for a stored refusal code (`results.lying-size`) when it is about the artifact itself. */
export function artifactRefusalText(code: string): string | undefined {
  const reason = ARTIFACT_REASONS.find((r) => code === `results.${r}`);
  return reason === undefined ? undefined : artifactProblemText(reason);
}

/** Why a results artifact was not read, in the words the check run and the comment show. */
export function artifactProblemText(reason: ArtifactReason): string {
  switch (reason) {
    case "no-artifact":
      return "the run uploaded none";
    case "no-file":
      return "it holds no tier_b_results.json";
    case "too-large":
      return `it or its tier_b_results.json is larger than the bot reads (${RESULTS_LIMITS.artifactBytes / MIB} MiB zipped, ${RESULTS_LIMITS.fileBytes / MIB} MiB unpacked), whatever its headers claim`;
    case "lying-size":
      return "its tier_b_results.json inflates to more than its zip header claims";
    case "too-many-entries":
      return `it holds more than ${RESULTS_LIMITS.entries} files`;
    case "duplicate-file":
      return "it holds tier_b_results.json more than once";
    case "expired":
      return "it has expired";
    case "bad-zip":
      return "it is not a zip the bot can read";
  }
}

/**
 * Conclude a completed run from its results file. No artifact or no file in it: the run ended
 * before any gate. A file that is too large, unreadable, not JSON, invalid, or bound to another
 * head or dispatch: refused, never read for a pass.
 */
export function concludeRun(file: RunResultsFile, expected: ExpectedResults, runConclusion: string): Conclusion {
  if (!file.ok) {
    if (file.reason === "no-artifact" || file.reason === "no-file")
      return concludeResults(undefined, expected.requestedGateIds, expected.registry, { runConclusion });
    return refusedResults([
      problem(
        `results.${file.reason}`,
        "",
        `the results artifact could not be used: ${artifactProblemText(file.reason)}`,
      ),
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch {
    return refusedResults([problem("results.json", "", "tier_b_results.json is not valid JSON")]);
  }
  const valid = validateResults(json, expected);
  return valid.ok
    ? concludeResults(valid.value, expected.requestedGateIds, expected.registry, { runConclusion })
    : refusedResults(valid.errors);
}
