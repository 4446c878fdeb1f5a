import { describe, expect, test } from "@jest/globals";
import type { ContractReport } from "../../../src/core/contract/read.js";
import { hotspotCollisions, type OtherPull } from "../../../src/core/verdict/collisions.js";
import type { Contract } from "../../../src/core/schemas/contract.generated.js";

/** A valid contract report naming these hotspots (the rest of the contract does not matter here). */
const naming = (...hotspots: string[]): ContractReport => ({
  status: "valid",
  line: 1,
  contract: { nmoe: { issue: "x", kind: "feature", risk: "warm", merge_hotspots: hotspots } } as Contract,
});
const other = (pr: number, issue: number | undefined, contract: ContractReport | undefined): OtherPull => ({
  pr,
  issue,
  contract,
});

describe("hotspotCollisions: which other open PRs count", () => {
  test.each<[string, string[], OtherPull[], { path: string; prs: number[] }[]]>([
    ["no hotspots of our own", [], [other(3, 8, naming("a.py"))], []],
    [
      "another PR's contract names the same file",
      ["a.py", "b.py"],
      [other(3, 8, naming("a.py")), other(4, 9, naming("c.py"))],
      [{ path: "a.py", prs: [3] }],
    ],
    [
      "several PRs share one file",
      ["a.py"],
      [other(3, 8, naming("a.py")), other(5, 9, naming("x", "a.py"))],
      [{ path: "a.py", prs: [3, 5] }],
    ],
    // Another PR for our own issue is the same piece of work, not a collision.
    ["a PR for the same issue", ["a.py"], [other(3, 7, naming("a.py"))], []],
    ["a PR that links no issue", ["a.py"], [other(3, undefined, naming("a.py"))], []],
    ["a PR whose issue is not listed", ["a.py"], [other(3, 8, undefined)], []],
    [
      "a PR whose contract is invalid",
      ["a.py"],
      [other(3, 8, { status: "invalid", errors: [] }), other(4, 9, { status: "absent" })],
      [],
    ],
  ])("%s", (_name, hotspots, others, expected) => {
    expect(hotspotCollisions({ issue: 7, hotspots }, others)).toEqual(expected);
  });
});
