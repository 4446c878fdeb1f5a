import { describe, expect, test } from "@jest/globals";
import { needsValid } from "../../../src/core/verdict/prerequisite.js";

const criterion = { id: "scope", title: "Scope" };

describe("needsValid: the row of a criterion whose contract or attestation is not valid", () => {
  test.each<[string, Parameters<typeof needsValid>[1], string | undefined, string, string | undefined]>([
    ["a contract, no purpose", "contract", undefined, "no valid contract", undefined],
    [
      "a contract, with its purpose",
      "contract",
      "to check the diff against",
      "no valid contract to check the diff against",
      undefined,
    ],
    [
      "the attestation: points at its row",
      "attestation",
      undefined,
      "no valid attestation",
      "fix the attestation first",
    ],
  ])("%s", (_name, needs, purpose, summary, fix) => {
    expect(needsValid(criterion, needs, purpose)).toEqual({
      id: "scope",
      title: "Scope",
      status: "fail",
      summary,
      details: [],
      ...(fix === undefined ? {} : { fix }),
    });
  });
});
