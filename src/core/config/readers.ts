/** The reader options a repo config implies: where the contract and the attestation are, and their header keys. */
import type { AttestationOptions } from "../attestation/read.js";
import type { ContractOptions } from "../contract/read.js";
import type { ResolvedConfig } from "./defaults.js";

export function contractOptions(config: ResolvedConfig): ContractOptions {
  return {
    heading: config.contract.heading,
    headerKey: config.contract.header_key,
    allIssues: config.contract.all_issues,
  };
}

export function attestationOptions(config: ResolvedConfig): AttestationOptions {
  return { heading: config.attestation.heading, headerKey: config.attestation.header_key };
}
