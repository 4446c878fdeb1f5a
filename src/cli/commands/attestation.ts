/** `merge-captain attestation <pr-body|->`: check a PR body's attestation offline, and its claims when given the facts. */
import { checkClaims, type ClaimCheck } from "../../core/attestation/claims.js";
import { SCHEMA_HEADER_KEY } from "../../core/attestation/parse.js";
import { readAttestation } from "../../core/attestation/read.js";
import { DEFAULT_CONFIG } from "../../core/config/defaults.js";
import { readContract } from "../../core/contract/read.js";
import { parseRegistry, type Registry } from "../../core/gates/registry.js";
import type { Problem } from "../../core/problem.js";
import type { Attestation } from "../../core/schemas/attestation.generated.js";
import type { Contract } from "../../core/schemas/contract.generated.js";
import { HEADING_FLAGS, headingFlags, ioError, parseInputArgs, usageError, type CliCommand } from "../args.js";
import { inputName, ioProblem, jsonProblem, readInput, renderProblems, type JsonProblem } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain attestation <pr-body-file|-> [options]

Check a PR body's attestation (the \`\`\`yaml block under the attestation heading, or at the
top of the body). With --contract, --head-sha and --registry its claims are checked too, as the
bot checks them: pr_sha is the head, the issue id is the contract's, baseline_sha is there when
needed, every Tier-A gate the contract requires is attested. "-" reads stdin.

Options:
  --contract <issue-file>  the linked issue's body (its contract)
  --head-sha <sha>         the PR's head commit, e.g. $(git rev-parse HEAD)
  --registry <gates.toml>  the gate registry, for gate tiers and ids
  --heading <text>         the attestation heading (default "${DEFAULT_CONFIG.attestation.heading}")
  --header-key <key>       the attestation's header key (default "${DEFAULT_CONFIG.attestation.header_key}")
  --json                   print one JSON object: {"ok", "attestation", "aboutHead", "tierA", "errors", "warnings"}
  -h, --help               show this help

Exit status: 0 valid, 1 invalid or a claim does not hold, 2 usage or I/O error.
`;

const SHA = /^[0-9a-fA-F]{7,40}$/;

interface AttestationJson {
  ok: boolean;
  attestation: Record<string, unknown> | null;
  aboutHead: boolean;
  tierA: ClaimCheck["tierA"] | null;
  errors: JsonProblem[];
  warnings: JsonProblem[];
}

const cli: CliCommand = {
  name: "attestation",
  usage,
  ioJson: (message): AttestationJson => ({
    ok: false,
    attestation: null,
    aboutHead: false,
    tierA: null,
    errors: [ioProblem(message)],
    warnings: [],
  }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseInputArgs(
    io,
    cli,
    args,
    {
      contract: { type: "string" },
      "head-sha": { type: "string" },
      registry: { type: "string" },
      ...HEADING_FLAGS,
      json: { type: "boolean", default: false },
    },
    {
      none: "name a PR body file, or - for stdin",
      many: "check one PR body at a time",
    },
  );
  if (!parsed.ok) return parsed.exit;
  const { values, file } = parsed;
  const block = headingFlags(values, DEFAULT_CONFIG.attestation);
  if (!block.ok) return usageError(io, cli, block.message);
  const { heading, headerKey } = block;
  const headSha = values["head-sha"];
  if (headSha !== undefined && !SHA.test(headSha))
    return usageError(io, cli, `--head-sha ${JSON.stringify(headSha)} is not a commit SHA (7 to 40 hex characters)`);
  const json = values.json;
  const name = inputName(file);

  const body = await readInput(io, file);
  if (!body.ok) return ioError(io, cli, body.message, json);
  const inputErrors: Problem[] = [];

  let registry: Registry | undefined;
  if (values.registry !== undefined) {
    const toml = await readInput(io, values.registry);
    if (!toml.ok) return ioError(io, cli, toml.message, json);
    const r = parseRegistry(toml.text);
    // A registry that does not parse cannot vouch for any gate: the check fails closed.
    if (r.ok) registry = r.value;
    else inputErrors.push(...r.errors.map((e) => inFile(e, "the gate registry")));
  }
  let contract: Contract | undefined;
  if (values.contract !== undefined) {
    const issue = await readInput(io, values.contract);
    if (!issue.ok) return ioError(io, cli, issue.message, json);
    const report = readContract(issue.text, {
      heading: DEFAULT_CONFIG.contract.heading,
      headerKey: DEFAULT_CONFIG.contract.header_key,
      allIssues: true,
      source: "file",
    });
    switch (report.status) {
      case "valid":
        contract = report.contract;
        break;
      case "invalid":
        inputErrors.push(...report.errors.map((e) => inFile(e, "the contract")));
        break;
      case "absent":
        inputErrors.push({
          code: "contract.missing",
          path: "",
          message: `no contract found in ${values.contract}`,
          hint: "pass the issue body that holds the ```yaml contract",
        });
        break;
      default: {
        const never: never = report;
        throw new Error(`unhandled report ${JSON.stringify(never)}`);
      }
    }
  }

  const report = readAttestation(body.text, { heading, headerKey });
  let out: AttestationJson;
  switch (report.status) {
    case "absent":
      out = result(null, null, [noAttestation(heading), ...inputErrors], []);
      break;
    case "invalid":
      out = result(null, null, [...report.errors, ...inputErrors], []);
      break;
    case "valid": {
      const claims = checkClaims(report.attestation, { headSha, contract, registry, headerKey });
      out = result(
        asWritten(report.attestation, headerKey),
        claims,
        [...claims.errors, ...inputErrors],
        [...report.warnings, ...claims.warnings],
      );
      break;
    }
    default: {
      const never: never = report;
      throw new Error(`unhandled report ${JSON.stringify(never)}`);
    }
  }
  if (json) io.stdout(JSON.stringify(out) + "\n");
  else io.stdout(toText(out, name, report.status === "valid" ? report.line : undefined, report.status));
  return out.ok ? EXIT.ok : EXIT.fail;
}

function result(
  attestation: Record<string, unknown> | null,
  claims: ClaimCheck | null,
  errors: Problem[],
  warnings: Problem[],
): AttestationJson {
  return {
    ok: attestation !== null && errors.length === 0,
    attestation,
    aboutHead: claims?.aboutHead ?? false,
    tierA: claims?.tierA ?? null,
    errors: errors.map(jsonProblem),
    warnings: warnings.map(jsonProblem),
  };
}

function toText(
  out: AttestationJson,
  name: string,
  line: number | undefined,
  status: "absent" | "invalid" | "valid",
): string {
  const lines: string[] = [];
  if (out.ok) lines.push(`✓ attestation valid (${name}${line === undefined ? "" : `, block at line ${line}`})`);
  else if (status === "valid")
    lines.push(`✗ attestation claims do not hold (${name}): ${count(out.errors.length, "error")}`);
  else
    lines.push(
      `✗ attestation ${status === "absent" ? "missing" : "invalid"} (${name}): ${count(out.errors.length, "error")}`,
    );
  if (out.tierA?.checked)
    lines.push(
      `  Tier-A: ${out.tierA.required.length === 0 ? "none required" : out.tierA.required.map((g) => (out.tierA!.missing.includes(g) ? `✗ ${g}` : `✓ ${g}`)).join(", ")}`,
    );
  const text = lines.join("\n") + "\n" + renderProblems(out.errors);
  if (out.warnings.length === 0) return text;
  return `${text}  ${count(out.warnings.length, "warning")}:\n${renderProblems(out.warnings)}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** Say which input file a problem is about, since this command reads up to three. */
function inFile(p: Problem, what: string): Problem {
  return { ...p, message: `${what}: ${p.message}` };
}

function noAttestation(heading: string): Problem {
  return {
    code: "attestation.missing",
    path: "",
    message: "no attestation found",
    hint: `put the attestation in a \`\`\`yaml block under a \`## ${heading}\` heading`,
  };
}

/** Give the attestation back under the header key the author wrote, so the JSON matches their body. */
function asWritten(a: Attestation, headerKey: string): Record<string, unknown> {
  if (headerKey === SCHEMA_HEADER_KEY) return { ...a };
  const { nmoe_pr, ...rest } = a;
  return { [headerKey]: nmoe_pr, ...rest };
}
