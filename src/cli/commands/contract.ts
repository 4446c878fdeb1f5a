/** `merge-captain contract <file|->`: check an issue body or contract file offline, as the bot would. */
import { DEFAULT_CONFIG } from "../../core/config/defaults.js";
import { readContract, type ContractReport } from "../../core/contract/read.js";
import { SCHEMA_HEADER_KEY } from "../../core/contract/parse.js";
import { parseRegistry, type Registry } from "../../core/gates/registry.js";
import type { Problem, Result } from "../../core/problem.js";
import type { Contract } from "../../core/schemas/contract.generated.js";
import { HEADING_FLAGS, headingFlags, ioError, parseInputArgs, usageError, type CliCommand } from "../args.js";
import { inputName, ioProblem, jsonProblem, readInput, renderProblems, type JsonProblem } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain contract <file|-> [options]

Check an issue's agent contract: an issue body (the block under the contract heading), a
Markdown file with exactly one \`\`\`yaml block, or a bare YAML file. "-" reads stdin.

Options:
  --registry <gates.toml>  also check gate ids against this gate registry
  --heading <text>         the contract heading (default "${DEFAULT_CONFIG.contract.heading}")
  --header-key <key>       the contract's header key (default "${DEFAULT_CONFIG.contract.header_key}")
  --json                   print one JSON object: {"ok", "contract", "errors"}
  -h, --help               show this help

Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
`;

const cli: CliCommand = {
  name: "contract",
  usage,
  ioJson: (message) => ({ ok: false, contract: null, errors: [ioProblem(message)] }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseInputArgs(
    io,
    cli,
    args,
    { registry: { type: "string" }, ...HEADING_FLAGS, json: { type: "boolean", default: false } },
    {
      none: "name a file to check, or - for stdin",
      many: "check one file at a time",
    },
  );
  if (!parsed.ok) return parsed.exit;
  const { values, file } = parsed;
  const block = headingFlags(values, DEFAULT_CONFIG.contract);
  if (!block.ok) return usageError(io, cli, block.message);
  const { heading, headerKey } = block;

  const body = await readInput(io, file);
  if (!body.ok) return ioError(io, cli, body.message, values.json);
  let registry: Result<Registry> | undefined;
  if (values.registry !== undefined) {
    const toml = await readInput(io, values.registry);
    if (!toml.ok) return ioError(io, cli, toml.message, values.json);
    registry = parseRegistry(toml.text);
  }

  const report = readContract(body.text, { heading, headerKey, allIssues: true, source: "file" }, registry);
  const name = inputName(file);
  if (values.json) {
    io.stdout(JSON.stringify(toJson(report, headerKey)) + "\n");
  } else {
    io.stdout(toText(report, name, registry !== undefined));
  }
  return report.status === "valid" ? EXIT.ok : EXIT.fail;
}

function toJson(
  report: ContractReport,
  headerKey: string,
): { ok: boolean; contract: Record<string, unknown> | null; errors: JsonProblem[] } {
  switch (report.status) {
    case "valid":
      return { ok: true, contract: asWritten(report.contract, headerKey), errors: [] };
    case "invalid":
      return { ok: false, contract: null, errors: report.errors.map(jsonProblem) };
    case "absent":
      return { ok: false, contract: null, errors: [jsonProblem(noContract)] };
    default: {
      const never: never = report;
      throw new Error(`unhandled report ${JSON.stringify(never)}`);
    }
  }
}

/** Give the contract back under the header key the author wrote, so the JSON matches their file. */
function asWritten(contract: Contract, headerKey: string): Record<string, unknown> {
  if (headerKey === SCHEMA_HEADER_KEY) return { ...contract };
  const { nmoe, ...rest } = contract;
  return { [headerKey]: nmoe, ...rest };
}

const noContract: Problem = {
  code: "contract.missing",
  path: "",
  message: "no contract found",
  hint: "write the contract between a line ```yaml and a closing line ```",
};

function toText(report: ContractReport, name: string, registryChecked: boolean): string {
  switch (report.status) {
    case "valid": {
      const c = report.contract;
      const h = c.nmoe;
      const lines = [`✓ contract valid (${name}, block at line ${report.line})`];
      const facts = [h.kind, `risk ${h.risk}`, ...(h.complexity ? [`complexity ${h.complexity}`] : [])];
      lines.push(`  issue ${h.issue}${h.slug ? ` (${h.slug})` : ""}: ${facts.join(", ")}`);
      if (h.depends_on && h.depends_on.length > 0) lines.push(`  depends on: ${h.depends_on.join(", ")}`);
      lines.push(`  scope allow: ${list(c.scope.allow)}`);
      if (c.scope.deny && c.scope.deny.length > 0) lines.push(`  scope deny: ${list(c.scope.deny)}`);
      lines.push(`  gates: ${list(c.gates.required)}`);
      const perf = c.gates.perf;
      if (perf)
        lines.push(
          `  perf: ${perf.gate} compares ${perf.compare} on ${perf.metric}, budget ${perf.budget_pct}%${perf.baseline_ref ? ` against ${perf.baseline_ref}` : ""}`,
        );
      if (!registryChecked) lines.push("  (gate ids not checked; pass --registry <gates.toml> to check them)");
      return lines.join("\n") + "\n";
    }
    case "invalid": {
      const where = report.line === undefined ? name : `${name}, block at line ${report.line}`;
      const n = report.errors.length;
      return `✗ contract invalid (${where}): ${n} error${n === 1 ? "" : "s"}\n${renderProblems(report.errors)}`;
    }
    case "absent":
      return `✗ ${name}: ${noContract.message}\n${renderProblems([noContract])}`;
    default: {
      const never: never = report;
      throw new Error(`unhandled report ${JSON.stringify(never)}`);
    }
  }
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(", ");
}
