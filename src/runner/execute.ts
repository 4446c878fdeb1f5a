/** One whole gate run, shared by `merge-captain gates run` and the GitHub Action: read the registry, select the gates, run them contained, assemble, check and write the results file. */
import { createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { assembleResults, type LocalResults } from "../core/gates/metrics.js";
import { parseRegistry, resolveBundle, type Registry, type RegistryGate } from "../core/gates/registry.js";
import { problem, show, type Problem } from "../core/problem.js";
import { tierBResultsSchema } from "../core/schemas/tier-b-results.generated.js";
import { validateAgainst } from "../core/schemas/validate.js";
import type { ContainmentKind } from "./containment.js";
import type { RunRequest, Selection } from "./request.js";
import { runGates, type RunGatesOptions } from "./run-gates.js";

/** The results schema without the dispatch binding, for local runs (same shape otherwise). */
const localResultsSchema = {
  ...tierBResultsSchema,
  $id: "https://merge-captain.dev/schemas/tier-b-results.local.schema.json",
  required: tierBResultsSchema.required.filter((k) => k !== "head_sha" && k !== "dispatch_id"),
};

export interface ExecuteDeps {
  readFile: (path: string) => Promise<string>;
  /** The runner's environment; each gate gets only its scrubbed part. */
  env: NodeJS.ProcessEnv;
  /** The runner's own progress lines. */
  log: (line: string) => void;
  /** Raw gate output when there is no log file; it never enters the results. */
  output: (label: string, line: string) => void;
  /** Passed through to the gate runner (tests use it for a fixed containment or a short grace). */
  tune?: Pick<RunGatesOptions, "containment" | "graceMs" | "onStart"> | undefined;
}

export type Executed =
  /** The request could not be carried out (a file could not be read or written): exit 2. */
  | { kind: "io-error"; message: string }
  /** The registry (exit 1) or the selection, a gate or bundle it lacks (a usage error, exit 2), is wrong: nothing ran. */
  | { kind: "refused"; cause: "registry" | "selection"; errors: Problem[] }
  | {
      kind: "done";
      results: LocalResults;
      /** The registry the run used, for rendering the results. */
      registry: Registry;
      containment: ContainmentKind;
      /** Where the results went and the SHA-256 of exactly the bytes written. */
      written?: { path: string; sha256: string } | undefined;
    };

function select(
  registry: Registry,
  how: Selection,
): { ok: true; bundle: string; gates: RegistryGate[] } | { ok: false; errors: Problem[] } {
  if ("bundle" in how) {
    const r = resolveBundle(registry, how.bundle);
    // A bundle that lists a gate twice still runs it once.
    return r.ok ? { ok: true, bundle: how.bundle, gates: [...new Map(r.value.map((g) => [g.id, g])).values()] } : r;
  }
  if ("tier" in how) {
    const gates = [...registry.gates.values()].filter((g) => g.tier === how.tier);
    if (gates.length === 0)
      return {
        ok: false,
        errors: [
          problem(
            "gates.none",
            "",
            `the registry has no tier-${how.tier} gates`,
            'add gates with `tier = "' + how.tier + '"` or pick a bundle',
          ),
        ],
      };
    return { ok: true, bundle: `tier-${how.tier}`, gates };
  }
  const gates: RegistryGate[] = [];
  const errors: Problem[] = [];
  for (const id of new Set(how.gates)) {
    const g = registry.gates.get(id);
    if (g) gates.push(g);
    else
      errors.push(
        problem(
          "registry.unknown-gate",
          "",
          `unknown gate ${show(id)}`,
          'gate ids are the `[gates."…"]` tables of the registry',
        ),
      );
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, bundle: "single", gates };
}

const code = (err: unknown, fallback: string): string => (err as NodeJS.ErrnoException).code ?? fallback;

/**
 * Write the results atomically and return the digest of the bytes written. The temporary file
 * is created exclusively (`wx`) under a random name, so nothing planted beforehand — a symlink
 * from a gate, say — can redirect the write; the rename then replaces whatever is at `path`.
 */
export function writeResults(path: string, results: LocalResults): { path: string; sha256: string } {
  mkdirSync(dirname(path), { recursive: true });
  const bytes = Buffer.from(JSON.stringify(results, null, 2) + "\n", "utf8");
  const tmp = join(dirname(path), `.tier_b_results.${randomBytes(8).toString("hex")}.tmp`);
  const fd = openSync(tmp, "wx", 0o644);
  try {
    writeSync(fd, bytes);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return { path, sha256: createHash("sha256").update(bytes).digest("hex") };
}

/**
 * Run a checked request. Results are assembled and written only after the runner returned, i.e.
 * after every gate's processes were stopped and confirmed gone (or the run was marked an error).
 * Results bound to a dispatch require containment that can see escapes.
 */
export async function executeRun(req: RunRequest, deps: ExecuteDeps): Promise<Executed> {
  let text: string;
  try {
    text = await deps.readFile(req.registry);
  } catch (err) {
    return {
      kind: "io-error",
      message: `cannot read the gate registry ${show(req.registry, 200)} (${code(err, "read error")})`,
    };
  }
  const registry = parseRegistry(text);
  if (!registry.ok) return { kind: "refused", cause: "registry", errors: registry.errors };
  const selection = select(registry.value, req.select);
  if (!selection.ok) return { kind: "refused", cause: "selection", errors: selection.errors };

  let logFd: number | undefined;
  if (req.logFile !== undefined) {
    try {
      mkdirSync(dirname(req.logFile), { recursive: true });
      logFd = openSync(req.logFile, "a", 0o600);
    } catch (err) {
      return {
        kind: "io-error",
        message: `cannot open the log file ${show(req.logFile, 200)} (${code(err, "open error")})`,
      };
    }
    deps.log(`gate output goes to ${req.logFile}`);
  }
  const fd = logFd;
  const output =
    fd === undefined ? deps.output : (label: string, line: string) => void writeSync(fd, `[${label}] ${line}\n`);
  // A cancelled workflow signals the runner; the gates run detached, so pass the cancel on.
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const bound = req.headSha !== undefined;
  let run;
  try {
    run = await runGates(registry.value, selection.gates, {
      repoDir: req.repoDir,
      env: deps.env,
      log: deps.log,
      output,
      baseline: req.baseline,
      baselineRef: req.baselineRef,
      budgetPct: req.budgetPct,
      signal: abort.signal,
      requireContainment: bound,
      ...deps.tune,
    });
  } catch (err) {
    return { kind: "io-error", message: `the gate runner failed (${code(err, "I/O error")})` };
  } finally {
    if (logFd !== undefined) closeSync(logFd);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }

  const results = assembleResults({
    bundle: selection.bundle,
    gateIds: selection.gates.map((g) => g.id),
    results: run.results,
    headSha: req.headSha,
    dispatchId: req.dispatchId,
    contained: run.contained,
  });
  const problems = validateAgainst(bound ? tierBResultsSchema : localResultsSchema, results);
  if (problems.length > 0)
    return {
      kind: "io-error",
      message: `the results do not match the Tier-B results schema; nothing written (${problems.map((p) => p.message).join("; ")})`,
    };
  const done = { kind: "done" as const, results, registry: registry.value, containment: run.containment };
  if (req.out === undefined) return done;
  try {
    return { ...done, written: writeResults(req.out, results) };
  } catch (err) {
    return { kind: "io-error", message: `cannot write ${show(req.out, 200)} (${code(err, "write error")})` };
  }
}
