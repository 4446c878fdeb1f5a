import { describe, expect, test } from "@jest/globals";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import type { ContractReport } from "../../../src/core/contract/read.js";
import { issueLabels, type IssueLabelInput } from "../../../src/core/contract/labels.js";

const valid = { status: "valid", contract: {}, line: 1 } as unknown as ContractReport;
const invalid: ContractReport = { status: "invalid", errors: [] };
const absent: ContractReport = { status: "absent" };
const input = (over: Partial<IssueLabelInput>): IssueLabelInput => ({
  report: valid,
  setupBroken: false,
  accepted: true,
  findings: false,
  labels: DEFAULT_CONFIG.labels,
  ...over,
});

describe("an issue's labels", () => {
  test.each<[string, Partial<IssueLabelInput>, string[], string[]]>([
    [
      "a valid, accepted contract",
      {},
      ["contract: valid"],
      ["contract: needs acceptance", "contract: invalid", "public-safety"],
    ],
    [
      "a valid contract waiting for /accept",
      { accepted: false },
      ["contract: needs acceptance"],
      ["contract: valid", "contract: invalid", "public-safety"],
    ],
    [
      "an invalid contract (accepted or not)",
      { report: invalid, accepted: false },
      ["contract: invalid"],
      ["contract: valid", "contract: needs acceptance", "public-safety"],
    ],
    [
      "no contract",
      { report: absent },
      [],
      ["contract: valid", "contract: needs acceptance", "contract: invalid", "public-safety"],
    ],
    [
      "a finding",
      { findings: true },
      ["contract: valid", "public-safety"],
      ["contract: needs acceptance", "contract: invalid"],
    ],
    ["a broken setup leaves the contract labels alone", { setupBroken: true, findings: true }, ["public-safety"], []],
    ["a broken setup still removes a cleared finding", { setupBroken: true }, [], ["public-safety"]],
  ])("%s", (_name, over, want, unwanted) => {
    expect(issueLabels(input(over))).toEqual({ want, unwanted });
  });

  test("the names come from the config", () => {
    const labels = { ...DEFAULT_CONFIG.labels, contract_unaccepted: "needs-maintainer" };
    expect(issueLabels(input({ accepted: false, labels })).want).toEqual(["needs-maintainer"]);
  });
});
