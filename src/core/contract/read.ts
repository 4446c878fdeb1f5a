/** One entry point for the contract: find it in a body, parse it, check it against the registry. */
import type { Problem, Result } from "../problem.js";
import type { Contract } from "../schemas/contract.generated.js";
import type { Registry } from "../gates/registry.js";
import { extractContract, noContractFound } from "./extract.js";
import { parseContract } from "./parse.js";
import { checkContractGates } from "./registry-check.js";

export type ContractReport =
  /** The body carries no contract (no heading, and the repo does not opt every issue in): stay silent. */
  | { status: "absent" }
  /** `line` is the 1-based line of the contract's opening fence in the body. */
  | { status: "valid"; contract: Contract; line: number }
  | { status: "invalid"; errors: Problem[]; line?: number };

export interface ContractOptions {
  heading: string;
  headerKey: string;
  allIssues: boolean;
  /** `issue` (default) for the bot; `file` for the CLI, where a lone yaml fence or bare YAML counts. */
  source?: "issue" | "file";
}

/**
 * Read the contract an issue body carries. Without `registry` gate ids are not checked; with a
 * failed registry Result the contract is invalid (the ids cannot be trusted).
 */
export function readContract(body: string | null, opts: ContractOptions, registry?: Result<Registry>): ContractReport {
  const found = extractContract(body, {
    heading: opts.heading,
    source: opts.source ?? "issue",
    allIssues: opts.allIssues,
  });
  switch (found.status) {
    case "absent":
      return found;
    case "invalid":
      return found;
    case "found": {
      const parsed = parseContract(found.yaml, opts.headerKey);
      // A whole file that reads as a string or a number was prose, not a contract.
      if (!parsed.ok && found.bare && parsed.errors.some((e) => e.code === "schema.type" && e.path === ""))
        return { status: "invalid", errors: [noContractFound(opts.heading)] };
      if (!parsed.ok)
        return {
          status: "invalid",
          errors: parsed.errors.map((e) => withBodyLine(e, found.firstLine)),
          line: found.line,
        };
      const gateErrors = registry === undefined ? [] : checkContractGates(parsed.value, registry);
      if (gateErrors.length > 0) return { status: "invalid", errors: gateErrors, line: found.line };
      return { status: "valid", contract: parsed.value, line: found.line };
    }
    default: {
      const never: never = found;
      throw new Error(`unhandled extraction ${JSON.stringify(never)}`);
    }
  }
}

/**
 * YAML errors count lines from the top of the block; say which line of the body that is too, so
 * both someone editing the issue's contract field and someone reading the whole file can find it.
 */
function withBodyLine(p: Problem, firstLine: number): Problem {
  if (!p.code.startsWith("yaml.")) return p;
  const toBody = (n: string): number => Number(n) + firstLine - 1;
  const message = p.message
    .replace(
      /\(line (\d+), column (\d+)\)$/,
      (_m, line: string, col: string) => `(line ${line} of the block, column ${col}; line ${toBody(line)} of the body)`,
    )
    .replace(
      / at line (\d+)\)$/,
      (_m, line: string) => ` at line ${line} of the block; line ${toBody(line)} of the body)`,
    );
  return { ...p, message };
}
