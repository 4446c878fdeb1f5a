/** `merge-captain gates run`: run a bundle, one gate, or all Tier-A gates from a registry and write the results file. */
import type { LocalResults } from "../../core/gates/metrics.js";
import type { Problem } from "../../core/problem.js";
import { executeRun } from "../../runner/execute.js";
import { checkRequest, type FieldNames } from "../../runner/request.js";
import { parseFlags } from "../args.js";
import { EXIT, type CliIo } from "../io.js";

export const USAGE = `usage: merge-captain gates run --registry <gates.toml> (--bundle <name> | --gate <id> … | --tier a|b)
        [--out results.json] [--head-sha SHA --dispatch-id ID]
        [--baseline-worktree DIR | --baseline-value N] [--baseline-ref REF] [--budget PCT]
        [--cwd DIR] [--log-file FILE | --log-dir DIR] [--json]

Runs each gate's cmd with /bin/sh, contained (its own cgroup where the runner may create one,
else tracked through /proc: processes that call setsid or double-fork are found and stopped
too), with only its \`requires\` env vars and a minimal base, after checking them and its
\`requires_files\`; a timeout_s stops it. Gate output goes to stderr (or --log-file), never into
the results file. --head-sha and --dispatch-id bind the results to a Tier-B dispatch; without
them the file is for local (Tier-A) use only. Exit 0 when every gate passed, 1 otherwise, 2 on a
usage or I/O error (a --gate or --bundle the registry does not have included).`;

/** The flags, named as the request check names them in its messages. */
export const FLAGS: FieldNames = {
  registry: "--registry",
  bundle: "--bundle",
  gates: "--gate",
  tier: "--tier",
  out: "--out",
  headSha: "--head-sha",
  dispatchId: "--dispatch-id",
  baselineWorktree: "--baseline-worktree",
  baselineValue: "--baseline-value",
  baselineRef: "--baseline-ref",
  budget: "--budget",
  cwd: "--cwd",
  logFile: "--log-file",
  logDir: "--log-dir",
};

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

export async function run(args: string[], io: CliIo): Promise<number> {
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
      "log-dir": { type: "string" },
      json: { type: "boolean", default: false },
    },
    { positionals: false },
  );
  if (!parsed.ok) {
    // `--budget -10`: parseArgs takes "-10" for a flag; say how to write it.
    const message = /ambiguous/.test(parsed.message)
      ? `${parsed.message} Write a negative value with =, e.g. --budget=-10`
      : parsed.message;
    io.stderr(`error: ${message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { values } = parsed;
  if (values.help) {
    io.stderr(USAGE + "\n");
    return EXIT.ok;
  }
  const checked = checkRequest(
    {
      registry: values.registry,
      bundle: values.bundle,
      gates: values.gate,
      tier: values.tier,
      out: values.out,
      headSha: values["head-sha"],
      dispatchId: values["dispatch-id"],
      baselineWorktree: values["baseline-worktree"],
      baselineValue: values["baseline-value"],
      baselineRef: values["baseline-ref"],
      budget: values.budget,
      cwd: values.cwd,
      logFile: values["log-file"],
      logDir: values["log-dir"],
    },
    io.cwd,
    FLAGS,
  );
  if (!checked.ok) {
    io.stderr(`error: ${checked.message}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const req = checked.value;
  const done = await executeRun(req, {
    readFile: io.readFile,
    env: io.env,
    log: (line) => io.stderr(`merge-captain: ${line}\n`),
    output: (label, line) => io.stderr(`[${label}] ${line}\n`),
  });
  switch (done.kind) {
    case "io-error":
      io.stderr(`error: ${done.message}\n`);
      return EXIT.usage;
    case "refused":
      if (values.json) io.stdout(JSON.stringify({ ok: false, errors: done.errors }) + "\n");
      io.stderr(renderProblems(done.errors));
      // A --gate or --bundle the registry does not have is a usage error, like a bad flag: nothing ran.
      return done.cause === "selection" ? EXIT.usage : EXIT.fail;
    case "done":
      if (done.written !== undefined && req.headSha === undefined)
        io.stderr(
          "merge-captain: results written without --head-sha/--dispatch-id: for local use, not accepted as Tier-B results\n",
        );
      io.stdout(values.json ? JSON.stringify(done.results) + "\n" : renderTable(done.results));
      return done.results.overall === "pass" ? EXIT.ok : EXIT.fail;
  }
}
