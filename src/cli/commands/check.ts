/** `merge-captain check`: the full preflight an agent runs before opening a PR — the same criteria table as the check run. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readAttestation } from "../../core/attestation/read.js";
import { DEFAULT_CONFIG } from "../../core/config/defaults.js";
import { attestationOptions, contractOptions } from "../../core/config/readers.js";
import { readContract } from "../../core/contract/read.js";
import { parseRegistry } from "../../core/gates/registry.js";
import { emptyLedger } from "../../core/ledger/types.js";
import { fail, problem, type Result } from "../../core/problem.js";
import type { Registry } from "../../core/gates/registry.js";
import { scan } from "../../core/sanitize/sanitize.js";
import { evaluateVerdict } from "../../core/verdict/evaluate.js";
import { ICON, headline } from "../../core/render/verdict.js";
import type { CriterionResult, PullFacts } from "../../core/verdict/types.js";
import { gitChangedFiles, parseFilesList } from "../git-diff.js";
import type { ChangedFile } from "../../core/scope/check.js";
import { ioError, parseCommandArgs, usageError, type CliCommand } from "../args.js";
import { ioProblem, readInput } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain check --issue <file> --pr <file> (--git <rev-range> | --files <file|->) [options]

The preflight an agent runs before opening a PR: the same criteria as the merge-captain check run,
offline. Rows only the bot can decide (Tier-B runs, dependencies, other PRs) show as waiting.

Options:
  --issue <file>       the issue body (or a file holding just the contract)
  --pr <file>          the PR body with the attestation
  --git <range>        changed files from \`git diff --name-status -M <range>\` (e.g. origin/main...HEAD)
  --files <file|->     changed files, one per line (a path or a name-status row)
  --head-sha <sha>     the commit the PR will have as head (default: git rev-parse HEAD with --git)
  --registry <toml>    the gate registry (default: configs/gates/gates.toml)
  --json               print {"ok", "outcome", "criteria": [{"id","title","status","summary","details","fix"}]}
                       (on an I/O error: outcome "error", no criteria, and "errors")
  -h, --help           show this help

Exit status: 0 when no criterion fails, 1 when one does, 2 usage or I/O error.
`;

/** Nothing could be evaluated, so no criteria; `errors` says which input failed, as in the other commands' JSON. */
const cli: CliCommand = {
  name: "check",
  usage,
  ioJson: (message) => ({ ok: false, outcome: "error", criteria: [], errors: [ioProblem(message)] }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    io,
    cli,
    args,
    {
      issue: { type: "string" },
      pr: { type: "string" },
      git: { type: "string" },
      files: { type: "string" },
      "head-sha": { type: "string" },
      registry: { type: "string", default: "configs/gates/gates.toml" },
      json: { type: "boolean", default: false },
    },
    { positionals: false },
  );
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  if (!values.issue || !values.pr || (values.git === undefined) === (values.files === undefined))
    return usageError(io, cli, "--issue, --pr and one of --git or --files are required");
  const issue = await readInput(io, values.issue);
  const pr = await readInput(io, values.pr);
  if (!issue.ok || !pr.ok)
    return ioError(io, cli, (issue.ok ? "" : issue.message) || (pr.ok ? "" : pr.message), values.json);
  const registryText = await readInput(io, values.registry);
  const registry: Result<Registry> = registryText.ok
    ? parseRegistry(registryText.text)
    : fail(
        problem(
          "registry.missing",
          "",
          `the gate registry ${values.registry} could not be read`,
          "pass --registry <gates.toml>",
        ),
      );

  let changed: Result<ChangedFile[]>;
  let headSha = values["head-sha"];
  if (values.git !== undefined) {
    changed = await gitChangedFiles(values.git, io.cwd);
    headSha ??= await gitHead(io.cwd);
  } else {
    const files = await readInput(io, values.files!);
    if (!files.ok) return ioError(io, cli, files.message, values.json);
    changed = parseFilesList(files.text);
  }
  if (!changed.ok) return ioError(io, cli, changed.errors.map((e) => e.message).join("; "), values.json);

  const config = DEFAULT_CONFIG;
  const contract = readContract(issue.text, { ...contractOptions(config), source: "file" }, registry);
  const facts: PullFacts = {
    pr: { number: 0, headSha: headSha ?? "", draft: false, title: "" },
    registry,
    registrySource: { kind: "file", path: values.registry },
    link: { ok: true, issue: 0, via: "the --issue file" },
    contract,
    attestation: readAttestation(pr.text, attestationOptions(config)),
    attestationHeaderKey: config.attestation.header_key,
    files: { ok: true, files: changed.value },
    ledger: emptyLedger(),
    dependencies: [],
    safety: {
      sources: [
        { what: "the PR body", findings: scan(pr.text) },
        { what: "the issue", findings: scan(issue.text) },
      ].filter((s) => s.findings.length > 0),
    },
    sameHead: [],
    hotspots: [],
  };
  const verdict = evaluateVerdict(facts);
  const dependsOn = contract.status === "valid" ? (contract.contract.nmoe.depends_on ?? []) : [];
  const results = verdict.results.map((r) => offline(r, dependsOn));
  const failed = results.some((r) => r.status === "fail");
  if (values.json) {
    io.stdout(
      JSON.stringify(
        {
          ok: !failed,
          outcome: failed ? "blocked" : "ready-to-open",
          criteria: results.map(({ annotations: _a, ...r }) => r),
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.stdout(
      `${failed ? ICON.fail : ICON.pass} ${failed ? headline("blocked", results) : "Ready to open the PR (the bot checks the rest)"}\n\n`,
    );
    for (const r of results) {
      io.stdout(`${ICON[r.status]} ${r.title}: ${r.summary}\n`);
      for (const d of r.details.slice(0, 20)) io.stdout(`    - ${d}\n`);
      if (r.fix && r.status !== "pass") io.stdout(`    → ${r.fix}\n`);
    }
  }
  return failed ? EXIT.fail : EXIT.ok;
}

/**
 * Offline the CLI has no Tier-B runs, no list of open issues and no other PRs: the rows that
 * depend on them wait for the bot instead of failing (no runs yet) or passing (on empty lists).
 */
function offline(r: CriterionResult, dependsOn: readonly string[]): CriterionResult {
  if ((r.id === "tier-b" || r.id === "perf") && r.status === "fail")
    return { ...r, status: "pending", fix: "runs on the PR after a maintainer's `/tier-b`" };
  if (r.id === "depends-on" && r.status === "pass" && dependsOn.length > 0)
    return {
      ...r,
      status: "pending",
      summary: `depends on ${dependsOn.map((id) => `\`${id}\``).join(", ")}: the bot checks that ${dependsOn.length === 1 ? "it is" : "they are"} done`,
      details: [],
    };
  if ((r.id === "same-head" || r.id === "hotspots") && r.status === "pass")
    return { ...r, status: "pending", summary: "the bot compares this PR with the other open PRs", details: [] };
  return r;
}

async function gitHead(cwd: string): Promise<string | undefined> {
  try {
    return (await promisify(execFile)("git", ["rev-parse", "HEAD"], { cwd })).stdout.trim();
  } catch {
    return undefined;
  }
}
