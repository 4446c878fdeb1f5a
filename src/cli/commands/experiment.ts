/** `merge-captain experiment <file|->`: check an experiment issue's body offline, as the bot would. */
import { DEFAULT_CONFIG, type ResolvedConfig } from "../../core/config/defaults.js";
import { contractOptions } from "../../core/config/readers.js";
import { CONFIG_PATH, resolveConfig } from "../../core/config/resolve.js";
import { readContract } from "../../core/contract/read.js";
import { checkExperimentBody, experimentProblems, isComplete } from "../../core/experiment/check.js";
import { experimentKind } from "../../core/experiment/settings.js";
import { problem, type Problem, type Result } from "../../core/problem.js";
import { parseYaml } from "../../core/yaml/parse.js";
import { ioError, parseInputArgs, type CliCommand } from "../args.js";
import { inputName, ioProblem, jsonProblem, readInput, renderProblems } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain experiment <file|-> [options]

Check an experiment issue's body: its required sections, the link to its logbook, and which
claims carry no confidence label. An issue is an experiment issue when its contract has
\`kind: experiment\`, or when its title starts with the config's \`experiment.title_prefix\`.
"-" reads stdin.

Options:
  --config <file>   the repo config (${CONFIG_PATH}); default: the built-in defaults
  --title <text>    the issue's title (for experiment.title_prefix)
  --json            print one JSON object: {"ok", "experiment", "errors", "warnings"}
  -h, --help        show this help

Exit status: 0 complete (claims without a label are warnings), 1 incomplete or not an
experiment issue, 2 usage or I/O error.
`;

const cli: CliCommand = {
  name: "experiment",
  usage,
  ioJson: (message) => ({ ok: false, experiment: null, errors: [ioProblem(message)], warnings: [] }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseInputArgs(
    io,
    cli,
    args,
    { config: { type: "string" }, title: { type: "string", default: "" }, json: { type: "boolean", default: false } },
    {
      none: "name a file to check, or - for stdin",
      many: "check one file at a time",
    },
  );
  if (!parsed.ok) return parsed.exit;
  const { values, file } = parsed;
  const body = await readInput(io, file);
  if (!body.ok) return ioError(io, cli, body.message, values.json);
  let config: Result<ResolvedConfig> = { ok: true, value: DEFAULT_CONFIG, warnings: [] };
  if (values.config !== undefined) {
    const text = await readInput(io, values.config);
    if (!text.ok) return ioError(io, cli, text.message, values.json);
    const yaml = parseYaml(text.text, CONFIG_PATH);
    config = yaml.ok ? resolveConfig(yaml.value.value) : yaml;
  }
  if (!config.ok) return report(io, values.json, inputName(file), { errors: config.errors, warnings: [] });

  // As the bot reads an issue: a contract under the heading, or one lone yaml block.
  const contract = readContract(body.text, { ...contractOptions(config.value), allIssues: true });
  const kind = experimentKind(values.title, contract, config.value.experiment);
  const name = inputName(file);
  switch (kind.kind) {
    case "unknown":
      return report(io, values.json, name, {
        errors: contract.status === "invalid" ? contract.errors : [],
        warnings: [],
      });
    case "not-an-experiment":
      return report(io, values.json, name, {
        errors: [
          problem(
            "experiment.not-an-experiment",
            "",
            contract.status === "valid"
              ? `the contract's kind is "${contract.contract.nmoe.kind}", not "experiment"`
              : "this is not an experiment issue: it has no contract and its title does not carry the experiment prefix",
            config.value.experiment.title_prefix === ""
              ? "set `kind: experiment` in the contract"
              : `set \`kind: experiment\` in the contract, or pass --title "${config.value.experiment.title_prefix} …"`,
          ),
        ],
        warnings: [],
      });
    case "experiment": {
      const check = checkExperimentBody(body.text, kind.settings);
      const { errors, warnings } = experimentProblems(check, kind.settings);
      const summary = {
        source: kind.settings.source,
        complete: isComplete(check),
        sections: { required: kind.settings.sections, missing: check.missing, empty: check.empty },
        logbook: check.logbook.required
          ? { pattern: check.logbook.pattern, found: "found" in check.logbook ? (check.logbook.found ?? null) : null }
          : null,
        claims: { total: check.claims, unlabeled: check.unlabeledCount },
        cadence_hours: kind.settings.cadenceHours,
      };
      return report(io, values.json, name, { errors, warnings, summary });
    }
    default: {
      const never: never = kind;
      throw new Error(`unhandled kind ${JSON.stringify(never)}`);
    }
  }
}

function report(
  io: CliIo,
  json: boolean,
  name: string,
  r: { errors: Problem[]; warnings: Problem[]; summary?: Record<string, unknown> },
): number {
  const ok = r.errors.length === 0 && r.summary !== undefined;
  if (json) {
    io.stdout(
      JSON.stringify({
        ok,
        experiment: r.summary ?? null,
        errors: r.errors.map(jsonProblem),
        warnings: r.warnings.map(jsonProblem),
      }) + "\n",
    );
  } else {
    const n = r.errors.length;
    io.stdout(
      ok
        ? `✓ experiment issue complete (${name})\n`
        : `✗ experiment issue ${r.summary ? "incomplete" : "not checked"} (${name}): ${n} error${n === 1 ? "" : "s"}\n${renderProblems(r.errors)}`,
    );
    if (r.warnings.length > 0)
      io.stdout(`⚠ ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}\n${renderProblems(r.warnings)}`);
  }
  return ok ? EXIT.ok : EXIT.fail;
}
