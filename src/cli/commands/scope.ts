/** `merge-captain scope`: check changed files against an issue's contract scope offline, as the bot would. */
import { DEFAULT_CONFIG } from "../../core/config/defaults.js";
import { readContract } from "../../core/contract/read.js";
import type { Problem, Result } from "../../core/problem.js";
import {
  checkScope,
  overBudgetProblem,
  type ChangedFile,
  type ScopeCheck,
  type ScopeViolation,
} from "../../core/scope/check.js";
import { compileScope } from "../../core/scope/match.js";
import { gitChangedFiles, parseFilesList } from "../git-diff.js";
import { HEADING_FLAGS, headingFlags, ioError, parseCommandArgs, usageError, type CliCommand } from "../args.js";
import { ioProblem, jsonProblem, readInput, renderProblems, type JsonProblem } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain scope --contract <issue-file> (--files <file|-> | --git <rev-range>) [options]

Check changed files against the contract's scope: deny wins over allow, renamed files are
checked on both paths, copies on the new path, deletions on the deleted path.

Options:
  --contract <file>     the issue body (or contract file) whose scope applies
  --files <file|->      one changed file per line: a bare path, or a \`git diff --name-status -M\`
                        row (M\\tpath, A\\tpath, D\\tpath, R087\\told\\tnew, C075\\told\\tnew)
  --git <range>         run \`git diff --name-status -M <range>\` here, e.g. origin/main...HEAD
  --heading <text>      the contract heading (default "${DEFAULT_CONFIG.contract.heading}")
  --header-key <key>    the contract's header key (default "${DEFAULT_CONFIG.contract.header_key}")
  --json                print one JSON object: {"ok", "checked", "violations", "errors"}
  -h, --help            show this help

Exit status: 0 every file in scope, 1 out of scope or invalid contract, 2 usage or I/O error.
`;

interface JsonViolation {
  path: string;
  reason: "denied" | "not-allowed";
  pattern?: string;
  status: ScopeViolation["status"];
  side?: "old" | "new";
}

interface ScopeJson {
  ok: boolean;
  checked: number;
  violations: JsonViolation[];
  errors: JsonProblem[];
}

const cli: CliCommand = {
  name: "scope",
  usage,
  ioJson: (message): ScopeJson => ({ ok: false, checked: 0, violations: [], errors: [ioProblem(message)] }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    io,
    cli,
    args,
    {
      contract: { type: "string" },
      files: { type: "string" },
      git: { type: "string" },
      ...HEADING_FLAGS,
      json: { type: "boolean", default: false },
    },
    { positionals: false },
  );
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  if (values.contract === undefined) return usageError(io, cli, "--contract <issue-file> is required");
  if ((values.files === undefined) === (values.git === undefined))
    return usageError(io, cli, "give either --files <file|-> or --git <rev-range>");
  const block = headingFlags(values, DEFAULT_CONFIG.contract);
  if (!block.ok) return usageError(io, cli, block.message);
  const { heading, headerKey } = block;
  const json = values.json;

  const issue = await readInput(io, values.contract);
  if (!issue.ok) return ioError(io, cli, issue.message, json);
  let files: Result<ChangedFile[]>;
  if (values.files !== undefined) {
    const list = await readInput(io, values.files);
    if (!list.ok) return ioError(io, cli, list.message, json);
    files = parseFilesList(list.text);
    if (!files.ok) return failWith(io, json, "the files list is not valid", files.errors);
  } else {
    files = await gitChangedFiles(values.git!, io.cwd);
    // git failing (bad range, not a repository) is an environment problem, not a scope verdict.
    if (!files.ok) return ioError(io, cli, files.errors.map((e) => e.message).join("; "), json);
  }

  const report = readContract(issue.text, { heading, headerKey, allIssues: true, source: "file" });
  switch (report.status) {
    case "absent":
      return failWith(io, json, "no contract found", [
        {
          code: "contract.missing",
          path: "",
          message: `no contract found in ${values.contract}`,
          hint: "pass the issue body that holds the ```yaml contract",
        },
      ]);
    case "invalid":
      return failWith(io, json, "the contract is invalid, so its scope cannot be checked", report.errors);
    case "valid":
      break;
    default: {
      const never: never = report;
      throw new Error(`unhandled report ${JSON.stringify(never)}`);
    }
  }
  const matcher = compileScope(report.contract.scope);
  if (!matcher.ok) return failWith(io, json, "the contract's scope patterns are invalid", matcher.errors);

  const result = checkScope(matcher.value, files.value);
  if (result.overBudget)
    return failWith(io, json, "the scope could not be verified", [overBudgetProblem(result.overBudget)]);
  const ok = result.violations.length === 0;
  if (json) io.stdout(JSON.stringify(toJson(result, [])) + "\n");
  else io.stdout(toText(result));
  return ok ? EXIT.ok : EXIT.fail;
}

function toJson(result: ScopeCheck, errors: Problem[]): ScopeJson {
  return {
    ok: errors.length === 0 && result.violations.length === 0,
    checked: result.checked,
    violations: result.violations.map((v) => {
      const out: JsonViolation = { path: v.path, reason: v.reason, status: v.status };
      if (v.pattern !== undefined) out.pattern = v.pattern;
      if (v.side !== undefined) out.side = v.side;
      return out;
    }),
    errors: errors.map(jsonProblem),
  };
}

function toText(result: ScopeCheck): string {
  const n = result.checked;
  const files = `${n} file${n === 1 ? "" : "s"}`;
  if (result.violations.length === 0) return `✓ scope: ${files} checked, all in scope\n`;
  const lines = [
    `✗ scope: ${result.violations.length} path${result.violations.length === 1 ? "" : "s"} out of scope (${files} checked)`,
  ];
  for (const v of result.violations) lines.push(`  ${v.path}: ${describeViolation(v)}`);
  return lines.join("\n") + "\n";
}

/** One violation as a person reads it: why, and for renames where the file went or came from. */
export function describeViolation(v: ScopeViolation): string {
  const why = v.reason === "denied" ? `denied by \`${v.pattern}\`` : "not allowed (no allow pattern matches)";
  const move =
    v.side === "old"
      ? ` (renamed to ${v.renamedTo})`
      : v.side === "new" && v.renamedFrom !== undefined
        ? ` (renamed from ${v.renamedFrom})`
        : "";
  return `${why}${move}`;
}

/** A verdict that could not be reached: exit 1 with the reasons, and an empty check in JSON. */
function failWith(io: CliIo, json: boolean, summary: string, errors: Problem[]): number {
  if (json) io.stdout(JSON.stringify(toJson({ checked: 0, violations: [] }, errors)) + "\n");
  else io.stdout(`✗ scope: ${summary}\n${renderProblems(errors)}`);
  return EXIT.fail;
}
