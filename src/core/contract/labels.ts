/** Which `contract: …` and public-safety labels an issue should carry, from what the bot found in it. */
import type { ResolvedConfig } from "../config/defaults.js";
import type { ContractReport } from "./read.js";

export interface IssueLabelInput {
  report: ContractReport;
  /** The repo's setup (config or registry) is broken: the contract's verdict is unknown. */
  setupBroken: boolean;
  /** For a valid contract: does it count (written or accepted by someone with write access)? */
  accepted: boolean;
  findings: boolean;
  labels: ResolvedConfig["labels"];
}

export interface LabelPlan {
  want: string[];
  unwanted: string[];
}

/**
 * One contract label at a time: valid (and accepted), needs acceptance, or invalid; none without a
 * contract. With a broken setup the contract labels are left as they are (the bot does not guess);
 * the public-safety label always follows the findings.
 */
export function issueLabels(i: IssueLabelInput): LabelPlan {
  const l = i.labels;
  const contractLabels = [l.contract_valid, l.contract_unaccepted, l.contract_invalid];
  const want: string[] = [];
  if (!i.setupBroken) {
    switch (i.report.status) {
      case "valid":
        want.push(i.accepted ? l.contract_valid : l.contract_unaccepted);
        break;
      case "invalid":
        want.push(l.contract_invalid);
        break;
      case "absent":
        break;
    }
  }
  if (i.findings) want.push(l.public_safety);
  const ours = [...(i.setupBroken ? [] : contractLabels), l.public_safety];
  return { want, unwanted: ours.filter((x) => !want.includes(x)) };
}
