/** `merge-captain check`: the full preflight an agent runs before opening a PR — the same criteria table as the check run. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readAttestation } from "../../core/attestation/read.js";
import { DEFAULT_CONFIG } from "../../core/config/defaults.js";
import { attestationOptions, contractOptions } from "../../core/config/readers.js";
import { readContract } from "../../core/contract/read.js";
import { parseRegistry } from "../../core/gates/registry.js";
import { emptyLedger } from "../../core/ledger/types.js";
import { floorOf } from "../../core/trust/floor.js";
import { fail, problem, type Result } from "../../core/problem.js";
import type { Registry } from "../../core/gates/registry.js";
import { pullSafetyReport } from "../../core/render/safety.js";
import { scan } from "../../core/sanitize/sanitize.js";
import { evaluateVerdict } from "../../core/verdict/evaluate.js";
import { preflightOutcome, preflightRows, preflightText } from "../../core/render/preflight.js";
import type { PullFacts } from "../../core/verdict/types.js";
import { gitChangedFiles, parseFilesList } from "../git-diff.js";
import type { ChangedFile } from "../../core/scope/check.js";
import { ioError, parseCommandArgs, usageError, type CliCommand } from "../args.js";
import { ioProblem, readInput } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain check --issue <file> --pr <file> (--git <rev-range> | --files <file|->) [options]

The preflight an agent runs before opening a PR: the same criteria as the merge-captain check run,
offline. Rows only the bot can decide (Tier-B runs, dependencies, other PRs) show as waiting (⏳).

Options:
  --issue <file>       the issue body (or a file holding just the contract)
  --pr <file>          the PR body with the attestation
  --git <range>        changed files from \`git diff --name-status -M <range>\` (e.g. origin/main...HEAD)
  --files <file|->     changed files, one per line (a path or a name-status row)
  --head-sha <sha>     the commit the PR will have as head, 7 to 40 hex characters (default: git
                       rev-parse HEAD in the working directory; a short SHA is expanded by git there)
  --branch <name>      the PR's head branch, for the contract's \`branch\` rule (default: the current branch with --git)
  --registry <toml>    the gate registry (default: configs/gates/gates.toml in the working directory)
  --json               print {"ok", "outcome", "criteria": [{"id","title","status","summary","details","fix"}]}
                       outcome: "ready-to-open", "blocked" (a row failed) or "not-verified" (a row
                       could not be checked); on an I/O error "error", no criteria, and "errors"
  -h, --help           show this help

Exit status: 0 ready to open, 1 a criterion failed or could not be checked, 2 usage or I/O error.
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
      branch: { type: "string" },
      registry: { type: "string", default: "configs/gates/gates.toml" },
      json: { type: "boolean", default: false },
    },
    { positionals: false },
  );
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  if (!values.issue || !values.pr || (values.git === undefined) === (values.files === undefined))
    return usageError(io, cli, "--issue, --pr and one of --git or --files are required");
  if (values["head-sha"] !== undefined && !SHA.test(values["head-sha"]))
    return usageError(
      io,
      cli,
      `--head-sha ${JSON.stringify(values["head-sha"].slice(0, 60))} is not a commit SHA (7 to 40 hex characters)`,
    );
  const issue = await readInput(io, values.issue);
  const pr = await readInput(io, values.pr);
  if (!issue.ok || !pr.ok)
    return ioError(io, cli, (issue.ok ? "" : issue.message) || (pr.ok ? "" : pr.message), values.json);
  const registryText = await readInput(io, values.registry);
  // Not an I/O error: every row that needs the registry says it could not be checked, and why.
  const registry: Result<Registry> = registryText.ok
    ? parseRegistry(registryText.text)
    : fail(problem("registry.missing", "", registryText.message));

  let changed: Result<ChangedFile[]>;
  // A short SHA is expanded where git knows it; elsewhere it is compared as a prefix.
  const headSha = (await gitCommit(io.cwd, values["head-sha"] ?? "HEAD")) ?? values["head-sha"];
  let branch = values.branch;
  if (values.git !== undefined) {
    changed = await gitChangedFiles(values.git, io.cwd);
    branch ??= await gitBranch(io.cwd);
  } else {
    const files = await readInput(io, values.files!);
    if (!files.ok) return ioError(io, cli, files.message, values.json);
    changed = parseFilesList(files.text);
  }
  if (!changed.ok) return ioError(io, cli, changed.errors.map((e) => e.message).join("; "), values.json);

  const config = DEFAULT_CONFIG;
  const contract = readContract(issue.text, { ...contractOptions(config), source: "file" }, registry);
  const facts: PullFacts = {
    pr: {
      number: 0,
      headSha: headSha ?? "",
      draft: false,
      title: "",
      ...(branch !== undefined ? { headRef: branch } : {}),
    },
    registry,
    registrySource: { kind: "file", path: values.registry },
    link: { ok: true, issue: 0, via: "the --issue file" },
    contract,
    // Offline, who wrote or accepted the contract is unknown: the bot decides that on the PR.
    standing: contract.status === "valid" ? { status: "unknown" } : undefined,
    floor: floorOf(config),
    attestation: readAttestation(pr.text, attestationOptions(config)),
    attestationHeaderKey: config.attestation.header_key,
    files: { ok: true, files: changed.value },
    ledger: emptyLedger(),
    dependencies: [],
    safety: pullSafetyReport({ body: scan(pr.text), comments: {}, issue: { number: 0, findings: scan(issue.text) } }),
    sameHead: [],
    hotspots: [],
    // Only the bot sees Tier-B runs, the repository's issues and the other PRs: those rows wait for it.
    unavailable: ["tier_b", "dependency", "other_pulls"],
  };
  const verdict = evaluateVerdict(facts);
  const outcome = preflightOutcome(verdict);
  if (values.json)
    io.stdout(
      JSON.stringify({ ok: outcome === "ready-to-open", outcome, criteria: preflightRows(verdict) }, null, 2) + "\n",
    );
  else io.stdout(preflightText(verdict));
  return outcome === "ready-to-open" ? EXIT.ok : EXIT.fail;
}

const SHA = /^[0-9a-fA-F]{7,40}$/;

/** The checked-out branch; undefined on a detached HEAD (the branch row then says it is unknown). */
async function gitBranch(cwd: string): Promise<string | undefined> {
  try {
    const name = (await promisify(execFile)("git", ["rev-parse", "--abbrev-ref", "HEAD"], { cwd })).stdout.trim();
    return name === "" || name === "HEAD" ? undefined : name;
  } catch {
    return undefined;
  }
}

/** The full SHA of a commit git knows in `cwd` (HEAD, or an abbreviated SHA); undefined outside git or for an unknown one. */
async function gitCommit(cwd: string, rev: string): Promise<string | undefined> {
  try {
    const out = await promisify(execFile)("git", ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { cwd });
    return out.stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
