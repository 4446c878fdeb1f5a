/** One entry point for the attestation: find it in a PR body and parse it. */
import type { Problem } from "../problem.js";
import type { Attestation } from "../schemas/attestation.generated.js";
import { extractAttestation } from "./extract.js";
import { parseAttestation } from "./parse.js";

export type AttestationReport =
  /** The body carries no attestation block at all. */
  | { status: "absent" }
  /** `line` is the 1-based line of the attestation's opening fence in the body. */
  | { status: "valid"; attestation: Attestation; line: number; warnings: Problem[] }
  | { status: "invalid"; errors: Problem[]; line?: number };

export interface AttestationOptions {
  /** The heading the attestation sits under (`PR Attestation`; `PR Attestation (YAML, required)` matches). */
  heading: string;
  /** The attestation's header key (`nmoe_pr` in the reference template). */
  headerKey: string;
}

export function readAttestation(body: string | null, opts: AttestationOptions): AttestationReport {
  const found = extractAttestation(body, opts.heading);
  switch (found.status) {
    case "absent":
    case "invalid":
      return found;
    case "found": {
      const parsed = parseAttestation(found.yaml, opts.headerKey);
      if (!parsed.ok) return { status: "invalid", errors: parsed.errors, line: found.line };
      return {
        status: "valid",
        attestation: parsed.value,
        line: found.line,
        warnings: [...found.warnings, ...parsed.warnings],
      };
    }
    default: {
      const never: never = found;
      throw new Error(`unhandled extraction ${JSON.stringify(never)}`);
    }
  }
}
