/** The gate runner as a GitHub Action: action inputs in, a contained run, then the results file, outputs, the job summary and annotations out. */
import { readFile } from "node:fs/promises";
import { truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderJobSummary } from "../core/gates/summary.js";
import { sanitizeOrWithhold } from "../core/sanitize/sanitize.js";
import { executeRun, type ExecuteDeps } from "../runner/execute.js";
import { checkRequest, type FieldNames } from "../runner/request.js";
import { annotation, commandsOff, formatOutputs, getInput } from "./workflow-commands.js";

/** The action's inputs (action.yml), named as a workflow's `with:` names them. */
export const INPUT_NAMES: FieldNames = {
  registry: "registry",
  bundle: "bundle",
  gates: "gate",
  tier: "tier",
  out: "out",
  headSha: "head-sha",
  dispatchId: "dispatch-id",
  baselineWorktree: "baseline-worktree",
  baselineValue: "baseline-value",
  baselineRef: "baseline-ref",
  budget: "budget",
  cwd: "working-directory",
  logFile: "log-file",
  logDir: "log-dir",
};

export interface ActionIo {
  /** The step's environment: `INPUT_*`, `GITHUB_*`, `RUNNER_*`; gates see only their scrubbed part. */
  env: NodeJS.ProcessEnv;
  /** The job log; the runner reads workflow commands from it. */
  stdout: (text: string) => void;
  tune?: ExecuteDeps["tune"];
}

/**
 * Write what the runner reads when the step ends. A gate ran as the runner's user and could have
 * appended to this step's command files (an env var for later steps, an output); they are
 * rewritten from scratch here, after every gate process is gone, so only this action's values count.
 */
function finish(env: NodeJS.ProcessEnv, outputs: Record<string, string>, summary: string | undefined): void {
  for (const name of ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"]) {
    const path = env[name];
    if (path !== undefined && path !== "") truncateSync(path);
  }
  if (env.GITHUB_OUTPUT) writeFileSync(env.GITHUB_OUTPUT, formatOutputs(outputs));
  if (env.GITHUB_STEP_SUMMARY && summary !== undefined) writeFileSync(env.GITHUB_STEP_SUMMARY, summary);
}

/** Run the action; the exit code is 0 only when every requested gate passed. */
export async function runAction(io: ActionIo): Promise<number> {
  const { env, stdout } = io;
  const input = (name: keyof FieldNames): string => getInput(env, INPUT_NAMES[name]);
  const runnerTemp = env.RUNNER_TEMP;
  const checked = checkRequest(
    {
      registry: input("registry"),
      bundle: input("bundle"),
      gates: [input("gates")],
      tier: input("tier"),
      out: input("out") || (runnerTemp ? join(runnerTemp, "tier-b", "tier_b_results.json") : undefined),
      headSha: input("headSha"),
      dispatchId: input("dispatchId"),
      baselineWorktree: input("baselineWorktree"),
      baselineValue: input("baselineValue"),
      baselineRef: input("baselineRef"),
      budget: input("budget"),
      cwd: input("cwd"),
      logDir: input("logDir"),
    },
    env.GITHUB_WORKSPACE || process.cwd(),
    INPUT_NAMES,
  );
  if (!checked.ok) {
    stdout(annotation("error", `merge-captain: input ${checked.message}`));
    finish(env, { status: "error" }, undefined);
    return 1;
  }
  const req = checked.value;

  // Gate output (when it is not going to log-dir) is PR code's output: no workflow commands in it.
  const commands = commandsOff();
  stdout(commands.off);
  let done;
  try {
    done = await executeRun(req, {
      readFile: (path) => readFile(path, "utf8"),
      env,
      log: (line) => stdout(`merge-captain: ${line}\n`),
      output: (label, line) => stdout(`[${label}] ${line}\n`),
      tune: io.tune,
    });
  } finally {
    stdout(commands.on);
  }

  switch (done.kind) {
    case "io-error":
      stdout(annotation("error", `merge-captain: ${done.message}`));
      finish(env, { status: "error" }, undefined);
      return 1;
    case "refused":
      for (const e of done.errors)
        stdout(annotation("error", `merge-captain: ${e.message}${e.hint ? ` (${e.hint})` : ""}`));
      finish(env, { status: "error" }, undefined);
      return 1;
    case "done": {
      const { results, written } = done;
      const summary = sanitizeOrWithhold(
        renderJobSummary({ results, registry: done.registry, containment: done.containment }),
      );
      finish(
        env,
        {
          status: results.overall,
          results: written?.path ?? "",
          "results-sha256": written?.sha256 ?? "",
          "results-json": JSON.stringify(results),
        },
        summary,
      );
      if (results.overall === "pass") return 0;
      stdout(
        annotation("error", `merge-captain: the gates did not pass (overall: ${results.overall}); see the job summary`),
      );
      return 1;
    }
  }
}
