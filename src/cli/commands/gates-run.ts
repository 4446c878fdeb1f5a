/** `merge-captain gates run`: run a bundle, one gate, or all Tier-A gates from a registry and write the results file. */
import { closeSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { assembleResults, type LocalResults } from "../../core/gates/metrics.js";
import { parseRegistry, resolveBundle, type Registry, type RegistryGate } from "../../core/gates/registry.js";
import { problem, show, type Problem } from "../../core/problem.js";
import { tierBResultsSchema } from "../../core/schemas/tier-b-results.generated.js";
import { validateAgainst } from "../../core/schemas/validate.js";
import { runGates, type Baseline } from "../../runner/run-gates.js";
import { parseFlags } from "../args.js";
import { EXIT, type CliIo } from "../io.js";

export const USAGE = `usage: merge-captain gates run --registry <gates.toml> (--bundle <name> | --gate <id> … | --tier a|b)
        [--out results.json] [--head-sha SHA --dispatch-id ID]
        [--baseline-worktree DIR | --baseline-value N] [--baseline-ref REF] [--budget PCT]
        [--cwd DIR] [--log-file FILE] [--json]

Runs each gate's cmd with /bin/sh in its own process group (killed at timeout_s), after checking
its \`requires\` env vars and \`requires_files\`. Gate output goes to stderr (or --log-file), never
into the results file. --head-sha and --dispatch-id bind the results to a Tier-B dispatch; without
them the file is for local (Tier-A) use only. Exit 0 when every gate passed, 1 otherwise, 2 on a
usage or I/O error (a --gate or --bundle the registry does not have included).`;

/** The results schema without the dispatch binding, for local runs (same shape otherwise). */
const localResultsSchema = {
  ...tierBResultsSchema,
  $id: "https://merge-captain.dev/schemas/tier-b-results.local.schema.json",
  required: tierBResultsSchema.required.filter((k) => k !== "head_sha" && k !== "dispatch_id"),
};

const SHA = /^[0-9a-f]{40}$/;
const DISPATCH_ID = /^[A-Za-z0-9-]{8,64}$/;

interface Selection {
  bundle: string;
  gates: RegistryGate[];
}

type Parsed =
  | {
      ok: true;
      value: {
        registry: string;
        select: { bundle: string } | { gates: string[] } | { tier: "a" | "b" };
        out?: string | undefined;
        headSha?: string | undefined;
        dispatchId?: string | undefined;
        baseline?: Baseline | undefined;
        baselineRef?: string | undefined;
        budgetPct?: number | undefined;
        repoDir: string;
        logFile?: string | undefined;
        json: boolean;
      };
    }
  | { ok: false; message: string };

/** Empty strings count as absent: the workflow passes its optional inputs through unconditionally. */
function given(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

function parse(args: string[], cwd: string): Parsed {
  const parsed = parseFlags(
    args,
    {
      registry: { type: "string" },
      bundle: { type: "string" },
      gate: { type: "string", multiple: true },
      tier: { type: "string" },
      out: { type: "string" },
      "head-sha": { type: "string" },
      "dispatch-id": { type: "string" },
      "baseline-worktree": { type: "string" },
      "baseline-value": { type: "string" },
      "baseline-ref": { type: "string" },
      budget: { type: "string" },
      cwd: { type: "string" },
      "log-file": { type: "string" },
      json: { type: "boolean", default: false },
    },
    { positionals: false },
  );
  // `--budget -10`: parseArgs takes "-10" for a flag; say how to write it.
  if (!parsed.ok)
    return {
      ok: false,
      message: /ambiguous/.test(parsed.message)
        ? `${parsed.message} Write a negative value with =, e.g. --budget=-10`
        : parsed.message,
    };
  const { values } = parsed;
  if (values.help) return { ok: false, message: "" };
  const registry = given(values.registry);
  if (registry === undefined) return { ok: false, message: "--registry is required" };

  const bundle = given(values.bundle);
  const gateIds = (values.gate ?? []).filter((g) => g !== "");
  const tier = given(values.tier);
  const chosen = [bundle, gateIds.length > 0 ? "gate" : undefined, tier].filter((x) => x !== undefined);
  if (chosen.length !== 1) return { ok: false, message: "give exactly one of --bundle, --gate or --tier" };
  if (tier !== undefined && tier !== "a" && tier !== "b")
    return { ok: false, message: `--tier must be a or b, not ${show(tier)}` };

  const headSha = given(values["head-sha"]);
  const dispatchId = given(values["dispatch-id"]);
  if ((headSha === undefined) !== (dispatchId === undefined))
    return { ok: false, message: "--head-sha and --dispatch-id go together (both bind the results to one dispatch)" };
  if (headSha !== undefined && !SHA.test(headSha))
    return { ok: false, message: "--head-sha must be a full 40-character lowercase hex SHA" };
  if (dispatchId !== undefined && !DISPATCH_ID.test(dispatchId))
    return { ok: false, message: "--dispatch-id must be 8–64 letters, digits or dashes" };

  const worktree = given(values["baseline-worktree"]);
  const baselineValue = given(values["baseline-value"]);
  if (worktree !== undefined && baselineValue !== undefined)
    return { ok: false, message: "give --baseline-worktree or --baseline-value, not both" };
  let baseline: Baseline | undefined;
  if (worktree !== undefined) baseline = { kind: "worktree", dir: resolve(cwd, worktree) };
  if (baselineValue !== undefined) {
    const n = Number(baselineValue);
    if (!Number.isFinite(n) || n <= 0) return { ok: false, message: "--baseline-value must be a positive number" };
    baseline = { kind: "value", value: n };
  }
  const budgetText = given(values.budget);
  let budgetPct: number | undefined;
  if (budgetText !== undefined) {
    budgetPct = Number(budgetText);
    if (!Number.isFinite(budgetPct) || budgetPct < -100 || budgetPct > 1000)
      return { ok: false, message: "--budget must be a number of percent between -100 and 1000 (e.g. -10)" };
  }
  const baselineRef = given(values["baseline-ref"]);
  if (baselineRef !== undefined && baselineRef.length > 128)
    return { ok: false, message: "--baseline-ref is longer than 128 characters" };

  const out = given(values.out);
  const logFile = given(values["log-file"]);
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
      repoDir: resolve(cwd, given(values.cwd) ?? "."),
      logFile: logFile === undefined ? undefined : resolve(cwd, logFile),
      json: values.json,
    },
  };
}

function select(
  registry: Registry,
  how: { bundle: string } | { gates: string[] } | { tier: "a" | "b" },
): { ok: true; value: Selection } | { ok: false; errors: Problem[] } {
  if ("bundle" in how) {
    const r = resolveBundle(registry, how.bundle);
    // A bundle that lists a gate twice still runs it once.
    return r.ok
      ? { ok: true, value: { bundle: how.bundle, gates: [...new Map(r.value.map((g) => [g.id, g])).values()] } }
      : r;
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
    return { ok: true, value: { bundle: `tier-${how.tier}`, gates } };
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
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: { bundle: "single", gates } };
}

function renderProblems(errors: readonly Problem[]): string {
  return errors.map((e) => `error: ${e.message}${e.hint ? `\n  hint: ${e.hint}` : ""}\n`).join("");
}

function renderTable(results: LocalResults): string {
  const rows = Object.entries(results.results).map(([id, r]) => {
    const extra = [
      r?.reason,
      r?.duration_s !== undefined ? `${r.duration_s} s` : undefined,
      r?.delta_pct !== undefined ? `Δ ${r.delta_pct} % (budget ${r.budget_pct} %)` : undefined,
    ]
      .filter(Boolean)
      .join(", ");
    return `${(r?.status ?? "missing").padEnd(8)} ${id}${extra ? `  (${extra})` : ""}`;
  });
  return [...rows, `overall: ${results.overall}`].join("\n") + "\n";
}

/** Write atomically: a half-written results file must never be uploaded as if it were whole. */
function writeResults(path: string, results: LocalResults): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(results, null, 2) + "\n");
  renameSync(tmp, path);
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parse(args, io.cwd);
  if (!parsed.ok) {
    io.stderr((parsed.message ? `error: ${parsed.message}\n\n` : "") + USAGE + "\n");
    return parsed.message ? EXIT.usage : EXIT.ok;
  }
  const opts = parsed.value;

  let text: string;
  try {
    text = await io.readFile(opts.registry);
  } catch (err) {
    io.stderr(
      `error: cannot read the gate registry ${show(opts.registry, 200)} (${(err as NodeJS.ErrnoException).code ?? "read error"})\n`,
    );
    return EXIT.usage;
  }
  const registry = parseRegistry(text);
  if (!registry.ok) {
    if (opts.json) io.stdout(JSON.stringify({ ok: false, errors: registry.errors }) + "\n");
    io.stderr(renderProblems(registry.errors));
    return EXIT.fail;
  }
  const selection = select(registry.value, opts.select);
  if (!selection.ok) {
    if (opts.json) io.stdout(JSON.stringify({ ok: false, errors: selection.errors }) + "\n");
    io.stderr(renderProblems(selection.errors));
    // A --gate or --bundle the registry does not have is a usage error, like a bad flag: nothing ran.
    return EXIT.usage;
  }

  let logFd: number | undefined;
  if (opts.logFile !== undefined) {
    try {
      mkdirSync(dirname(opts.logFile), { recursive: true });
      logFd = openSync(opts.logFile, "a", 0o600);
    } catch (err) {
      io.stderr(
        `error: cannot open the log file ${show(opts.logFile, 200)} (${(err as NodeJS.ErrnoException).code ?? "open error"})\n`,
      );
      return EXIT.usage;
    }
    io.stderr(`merge-captain: gate output goes to ${opts.logFile}\n`);
  }
  const fd = logFd;
  const output =
    fd === undefined
      ? (label: string, line: string) => io.stderr(`[${label}] ${line}\n`)
      : (label: string, line: string) => void writeSync(fd, `[${label}] ${line}\n`);
  // A cancelled workflow signals the runner; the gate groups are detached, so pass the cancel on.
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let gateResults;
  try {
    gateResults = await runGates(registry.value, selection.value.gates, {
      repoDir: opts.repoDir,
      env: io.env,
      log: (line) => io.stderr(`merge-captain: ${line}\n`),
      output,
      baseline: opts.baseline,
      baselineRef: opts.baselineRef,
      budgetPct: opts.budgetPct,
      signal: abort.signal,
    });
  } catch (err) {
    io.stderr(`error: the gate runner failed (${(err as NodeJS.ErrnoException).code ?? "I/O error"})\n`);
    return EXIT.usage;
  } finally {
    if (logFd !== undefined) closeSync(logFd);
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }

  const results = assembleResults({
    bundle: selection.value.bundle,
    gateIds: selection.value.gates.map((g) => g.id),
    results: gateResults,
    headSha: opts.headSha,
    dispatchId: opts.dispatchId,
  });
  const bound = opts.headSha !== undefined;
  const problems = validateAgainst(bound ? tierBResultsSchema : localResultsSchema, results);
  if (problems.length > 0) {
    io.stderr(
      `error: the results do not match the Tier-B results schema; nothing written\n${renderProblems(problems)}`,
    );
    return EXIT.usage;
  }
  if (opts.out !== undefined) {
    try {
      writeResults(opts.out, results);
    } catch (err) {
      io.stderr(
        `error: cannot write ${show(opts.out, 200)} (${(err as NodeJS.ErrnoException).code ?? "write error"})\n`,
      );
      return EXIT.usage;
    }
    if (!bound)
      io.stderr(
        "merge-captain: results written without --head-sha/--dispatch-id: for local use, not accepted as Tier-B results\n",
      );
  }
  io.stdout(opts.json ? JSON.stringify(results) + "\n" : renderTable(results));
  return results.overall === "pass" ? EXIT.ok : EXIT.fail;
}
