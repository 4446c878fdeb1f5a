import { describe, expect, test } from "@jest/globals";
import { checkClaims, type ClaimFacts, type GateTiers } from "../../../src/core/attestation/claims.js";
import type { Attestation } from "../../../src/core/schemas/attestation.generated.js";
import type { Contract } from "../../../src/core/schemas/contract.generated.js";

const HEAD = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
const BASE = "1b2c3d4e5f60718293a4b5c6d7e8f90112233445";

function anAttestation(
  over: { header?: Partial<Attestation["nmoe_pr"]>; tierA?: string[] | null; tierB?: string[] | null } = {},
): Attestation {
  return {
    nmoe_pr: { issue: "07", pr_sha: HEAD, risk: "warm", ...over.header },
    gates_passed: {
      tier_a: over.tierA === undefined ? ["cpu:import", "cpu:compileall"] : over.tierA,
      tier_b: over.tierB === undefined ? [] : over.tierB,
    },
  };
}

function aContract(
  over: { header?: Partial<Contract["nmoe"]>; required?: string[]; perf?: Contract["gates"]["perf"] } = {},
): Contract {
  const gates: Contract["gates"] = {
    required: over.required ?? ["cpu:import", "cpu:compileall", "b200:moonlight_8x20"],
  };
  if (over.perf) gates.perf = over.perf;
  return { nmoe: { issue: "07", kind: "perf", risk: "warm", ...over.header }, scope: { allow: ["nmoe/**"] }, gates };
}

const registry: GateTiers = {
  gates: new Map([
    ["cpu:import", { tier: "a" }],
    ["cpu:compileall", { tier: "a" }],
    ["cpu:lint", { tier: "a" }],
    ["b200:moonlight_8x20", { tier: "b" }],
    ["perf:baseline_delta", { tier: "b" }],
  ]),
};

function facts(over: Partial<ClaimFacts> = {}): ClaimFacts {
  return { headSha: HEAD, contract: aContract(), registry, ...over };
}

const codes = (r: { errors: Array<{ code: string }> }): string[] => r.errors.map((e) => e.code);
const warningCodes = (r: { warnings: Array<{ code: string }> }): string[] => r.warnings.map((e) => e.code);

describe("checkClaims", () => {
  test("a truthful attestation has no errors or warnings", () => {
    const r = checkClaims(anAttestation(), facts());
    expect(r).toEqual({
      errors: [],
      warnings: [],
      aboutHead: true,
      tierA: {
        checked: true,
        required: ["cpu:import", "cpu:compileall"],
        attested: ["cpu:import", "cpu:compileall"],
        missing: [],
        unknown: [],
      },
    });
  });

  describe("pr_sha against the head", () => {
    test.each([
      ["the full head", HEAD, true],
      ["a 7-character prefix", HEAD.slice(0, 7), true],
      ["a prefix in upper case", HEAD.slice(0, 12).toUpperCase(), true],
      ["a stale commit", BASE, false],
      ["a longer string that starts with the head", HEAD + "0", false],
    ])("%s", (_name, prSha, aboutHead) => {
      const r = checkClaims(anAttestation({ header: { pr_sha: prSha } }), facts());
      expect(r.aboutHead).toBe(aboutHead);
      expect(codes(r)).toEqual(aboutHead ? [] : ["attestation.stale-sha"]);
    });

    // The CLI's --head-sha may be abbreviated as well (where git cannot expand it).
    test.each([
      ["a 7-character head, full pr_sha", HEAD.slice(0, 7), HEAD, true],
      ["a 12-character head, 9-character pr_sha", HEAD.slice(0, 12), HEAD.slice(0, 9), true],
      ["a 6-character head is too short to mean one commit", HEAD.slice(0, 6), HEAD, false],
      ["a short head of another commit", BASE.slice(0, 7), HEAD, false],
    ])("%s", (_name, headSha, prSha, aboutHead) => {
      const r = checkClaims(anAttestation({ header: { pr_sha: prSha } }), { ...facts(), headSha });
      expect(r.aboutHead).toBe(aboutHead);
    });

    test("a stale pr_sha says which commit the attestation is about and what the head is", () => {
      const r = checkClaims(anAttestation({ header: { pr_sha: BASE } }), facts());
      expect(r.errors[0]).toMatchObject({
        path: "/nmoe_pr/pr_sha",
        message: `attestation is about ${BASE}, the PR head is ${HEAD} — update pr_sha`,
      });
    });

    test("an unknown head is a warning, never 'about head'", () => {
      const r = checkClaims(anAttestation(), facts({ headSha: undefined }));
      expect(r.aboutHead).toBe(false);
      expect(codes(r)).toEqual([]);
      expect(warningCodes(r)).toEqual(["attestation.head-unknown"]);
    });
  });

  test.each<[string, Attestation, Partial<ClaimFacts>, string[], string[]]>([
    ["the issue ids differ", anAttestation({ header: { issue: "08" } }), {}, ["attestation.issue-mismatch"], []],
    ["the same id written differently", anAttestation({ header: { issue: "7" } }), {}, [], []],
    [
      "a hot contract without baseline_sha",
      anAttestation(),
      { contract: aContract({ header: { risk: "hot" } }) },
      ["attestation.baseline-required"],
      ["attestation.risk-mismatch"],
    ],
    [
      "a hot contract with baseline_sha",
      anAttestation({ header: { baseline_sha: BASE, risk: "hot" } }),
      { contract: aContract({ header: { risk: "hot" } }) },
      [],
      [],
    ],
    [
      "a perf gate without baseline_sha",
      anAttestation({ header: { baseline_sha: null } }),
      {
        contract: aContract({
          perf: {
            gate: "perf:baseline_delta",
            compare: "b200:moonlight_8x20",
            metric: "node_tps_p50",
            budget_pct: -10,
          },
        }),
      },
      ["attestation.baseline-required"],
      [],
    ],
    [
      "a cold contract needs no baseline",
      anAttestation({ header: { risk: "cold" } }),
      { contract: aContract({ header: { risk: "cold" } }) },
      [],
      [],
    ],
    [
      "a risk that differs from the contract's",
      anAttestation({ header: { risk: "cold" } }),
      {},
      [],
      ["attestation.risk-mismatch"],
    ],
    [
      "tier_b filled by the author",
      anAttestation({ tierB: ["b200:moonlight_8x20"] }),
      {},
      [],
      ["attestation.tier-b-claimed"],
    ],
    ["a missing Tier-A gate", anAttestation({ tierA: ["cpu:import"] }), {}, ["attestation.tier-a-missing"], []],
    ["tier_a: null", anAttestation({ tierA: null }), {}, ["attestation.tier-a-missing"], []],
    [
      "an unknown gate id",
      anAttestation({ tierA: ["cpu:import", "cpu:compileall", "cpu:imprt"] }),
      {},
      ["attestation.unknown-gate"],
      [],
    ],
    [
      "a Tier-B gate listed under tier_a",
      anAttestation({ tierA: ["cpu:import", "cpu:compileall", "b200:moonlight_8x20"] }),
      {},
      [],
      ["attestation.tier-b-in-tier-a"],
    ],
    ["extra Tier-A gates are fine", anAttestation({ tierA: ["cpu:import", "cpu:compileall", "cpu:lint"] }), {}, [], []],
    ["no contract: only the head is checked", anAttestation({ tierA: [] }), { contract: undefined }, [], []],
    [
      "no registry: Tier-A is not checked",
      anAttestation({ tierA: [] }),
      { registry: undefined },
      [],
      ["attestation.tier-a-unchecked"],
    ],
  ])("%s", (_name, a, over, errors, warnings) => {
    const r = checkClaims(a, facts(over));
    expect(codes(r)).toEqual(errors);
    expect(warningCodes(r)).toEqual(warnings);
  });

  test("a missing Tier-A gate is named, and Tier-B gates of the contract are not required here", () => {
    const r = checkClaims(anAttestation({ tierA: ["cpu:import"] }), facts());
    expect(r.tierA).toEqual({
      checked: true,
      required: ["cpu:import", "cpu:compileall"],
      attested: ["cpu:import"],
      missing: ["cpu:compileall"],
      unknown: [],
    });
    expect(r.errors[0]!.message).toContain("`cpu:compileall`");
  });

  test("an unknown gate id suggests the nearest known one", () => {
    const r = checkClaims(anAttestation({ tierA: ["cpu:import", "cpu:compileall", "cpu:imprt"] }), facts());
    expect(r.errors[0]).toMatchObject({ path: "/gates_passed/tier_a/2", hint: "did you mean `cpu:import`?" });
    expect(r.tierA.unknown).toEqual(["cpu:imprt"]);
  });

  test("the Tier-B warning says where Tier-B results come from", () => {
    const r = checkClaims(anAttestation({ tierB: ["b200:moonlight_8x20"] }), facts());
    expect(r.warnings[0]!.message).toBe("Tier-B results come from the Tier-B run, not from the PR body");
  });

  test("paths use the configured header key", () => {
    const r = checkClaims(anAttestation({ header: { issue: "08" } }), facts({ headerKey: "pr" }));
    expect(r.errors[0]).toMatchObject({ path: "/pr/issue", hint: expect.stringContaining("`pr.issue: 07`") });
  });
});
