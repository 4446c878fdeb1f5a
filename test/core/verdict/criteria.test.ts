import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import type { AttestationReport } from "../../../src/core/attestation/read.js";
import { readAttestation } from "../../../src/core/attestation/read.js";
import { readContract, type ContractReport } from "../../../src/core/contract/read.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import { emptyLedger, type Ledger } from "../../../src/core/ledger/types.js";
import { fail, problem } from "../../../src/core/problem.js";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import { floorOf } from "../../../src/core/trust/floor.js";
import { evaluateVerdict } from "../../../src/core/verdict/evaluate.js";
import type { PullFacts } from "../../../src/core/verdict/types.js";
import type { ChangedFile } from "../../../src/core/scope/check.js";
import { aContract, fence, formBody, HEADING, toYaml, type ContractShape } from "../contract/builders.js";

const GATES = parseRegistry(readFileSync(new URL("../../fixtures/gates/gates.toml", import.meta.url), "utf8"));
const HEAD = "9f2c4b1e8d7a6c5b4a3f2e1d0c9b8a7f6e5d4c3b";

function contractOf(shape: ContractShape = aContract({ gates: { required: ["cpu:import"] } })): ContractReport {
  return readContract(
    formBody([[HEADING, fence(toYaml(shape))]]),
    { heading: HEADING, headerKey: "nmoe", allIssues: false },
    GATES,
  );
}

function attestationOf(
  o: { issue?: string; prSha?: string; tierA?: string[]; tierB?: string[]; baselineSha?: string } = {},
): AttestationReport {
  const yaml = toYaml({
    nmoe_pr: {
      issue: o.issue ?? "12",
      pr_sha: o.prSha ?? HEAD,
      risk: "warm",
      ...(o.baselineSha ? { baseline_sha: o.baselineSha } : {}),
    },
    gates_passed: { tier_a: o.tierA ?? ["cpu:import"], tier_b: o.tierB ?? [] },
  });
  return readAttestation(`## PR Attestation\n\n${fence(yaml)}\n`, { heading: "PR Attestation", headerKey: "nmoe_pr" });
}

/** Facts for a PR that passes everything; each case changes what it is about. */
function aPullFacts(over: Partial<PullFacts> = {}): PullFacts {
  return {
    pr: { number: 12, headSha: HEAD, draft: false, title: "Fused all-gather" },
    registry: GATES,
    registrySource: { kind: "default-branch", path: "configs/gates/gates.toml", branch: "main" },
    link: { ok: true, issue: 7, via: "closing-keyword" },
    contractIssue: { state: "open", author: "mona" },
    contract: contractOf(),
    standing: { status: "accepted", by: "mona", via: "author" },
    floor: floorOf(DEFAULT_CONFIG),
    attestation: attestationOf(),
    attestationHeaderKey: "nmoe_pr",
    files: { ok: true, files: [{ path: "nmoe/router/cache.py", status: "modified" }] },
    ledger: emptyLedger(),
    dependencies: [{ id: "3", state: "done", issue: 3 }],
    safety: { sources: [] },
    sameHead: [],
    hotspots: [],
    ...over,
  };
}

/** 50 long paths under `dir`: with a pattern of many `*`, more matching work than one evaluation may take. */
function costlyPaths(dir: string): ChangedFile[] {
  return Array.from({ length: 50 }, (_, i) => ({ path: `${dir}${"a".repeat(4000)}${i}`, status: "added" as const }));
}

function statusOf(facts: PullFacts, id: string): string | undefined {
  return evaluateVerdict(facts).results.find((r) => r.id === id)?.status;
}

const passedTierB = (gate: string, sha = HEAD): Ledger => ({
  version: 2,
  dispatches: [
    {
      id: "d0000001",
      pr: 12,
      sha,
      bundle: "single",
      singleGate: gate,
      requester: "mona",
      requestedAt: "2026-11-23T12:00:00Z",
      state: "completed",
      conclusion: "success",
      results: { outcome: "valid", gates: [{ id: gate, status: "pass", rc: 0 }] },
    },
  ],
});

describe("the verdict, criterion by criterion", () => {
  test("a PR that meets every criterion is green", () => {
    const v = evaluateVerdict(aPullFacts());
    expect(v.results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.summary}`)).toEqual([]);
    expect(v.outcome).toBe("green");
  });

  test.each<[string, Partial<PullFacts>, string, string, string]>([
    [
      "no linked issue",
      {
        link: { ok: false, problem: problem("link.not-found", "", "no contract issue found", "add Fixes #N") },
        contract: undefined,
      },
      "contract",
      "fail",
      "blocked",
    ],
    [
      "an invalid contract",
      { contract: contractOf(aContract({ gates: { required: ["cpu:imprt"] } })) },
      "contract",
      "fail",
      "blocked",
    ],
    [
      "a broken registry",
      { registry: fail(problem("registry.toml", "", "bad toml")) },
      "contract",
      "unverified",
      "unverified",
    ],
    ["no attestation", { attestation: { status: "absent" } }, "attestation", "fail", "blocked"],
    [
      "an attestation for another issue",
      { attestation: attestationOf({ issue: "13" }) },
      "attestation",
      "fail",
      "blocked",
    ],
    [
      "a hand-filled tier_b (a warning)",
      { attestation: attestationOf({ tierB: ["b200:step_1x10"] }) },
      "attestation",
      "warn",
      "green",
    ],
    ["a stale pr_sha", { attestation: attestationOf({ prSha: "1234567" }) }, "head", "fail", "blocked"],
    ["a prefix of the head", { attestation: attestationOf({ prSha: HEAD.slice(0, 9) }) }, "head", "pass", "green"],
    ["a required Tier-A gate not attested", { attestation: attestationOf({ tierA: [] }) }, "tier-a", "fail", "blocked"],
    [
      "a denied file",
      { files: { ok: true, files: [{ path: "nmoe/csrc/x.cu", status: "modified" }] } },
      "scope",
      "fail",
      "blocked",
    ],
    [
      "a rename out of a denied folder",
      {
        files: {
          ok: true,
          files: [{ path: "nmoe/router/x.cu", status: "renamed", previous_filename: "nmoe/csrc/x.cu" }],
        },
      },
      "scope",
      "fail",
      "blocked",
    ],
    [
      "3000 files",
      { files: { ok: false, unlisted: { kind: "too-many", changed: 3000, limit: 3000 } } },
      "scope",
      "unverified",
      "unverified",
    ],
    [
      "scope patterns too costly to match (the work budget runs out)",
      {
        contract: contractOf(
          aContract({ scope: { allow: ["*" + "a".repeat(200) + "b"] }, gates: { required: ["cpu:import"] } }),
        ),
        files: {
          ok: true,
          files: costlyPaths(""),
        },
      },
      "scope",
      "unverified",
      "unverified",
    ],
    [
      "a required Tier-B gate without a run",
      { contract: contractOf(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"] } })) },
      "tier-b",
      "fail",
      "blocked",
    ],
    [
      "a required Tier-B gate green on this head",
      {
        contract: contractOf(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"] } })),
        ledger: passedTierB("b200:step_1x10"),
      },
      "tier-b",
      "pass",
      "green",
    ],
    [
      "a Tier-B pass on an older head only",
      {
        contract: contractOf(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"] } })),
        ledger: passedTierB("b200:step_1x10", "1".repeat(40)),
      },
      "tier-b",
      "fail",
      "blocked",
    ],
    [
      "a perf budget with no measurement",
      {
        contract: contractOf(
          aContract({
            gates: {
              required: ["cpu:import"],
              perf: { gate: "perf:delta", compare: "b200:step_8x10", metric: "step_tps_p50", budget_pct: -10 },
            },
          }),
        ),
      },
      "perf",
      "fail",
      "blocked",
    ],
    ["an open dependency", { dependencies: [{ id: "3", state: "open", issue: 3 }] }, "depends-on", "fail", "blocked"],
    [
      "a dependency no issue carries",
      { dependencies: [{ id: "99", state: "missing" }] },
      "depends-on",
      "fail",
      "blocked",
    ],
    [
      "a dependency whose lookup failed (search rate limit)",
      { dependencies: [{ id: "02a", state: "unknown" }] },
      "depends-on",
      "unverified",
      "unverified",
    ],
    [
      "a public-safety finding",
      { safety: { sources: [{ what: "the PR body", findings: [{ rule: "github-token", line: 3, column: 7 }] }] } },
      "public-safety",
      "fail",
      "blocked",
    ],
    ["another open PR with the same head", { sameHead: [14] }, "same-head", "fail", "blocked"],
    [
      "a shared merge hotspot (a warning only)",
      { hotspots: [{ path: "nmoe/config.py", prs: [14] }] },
      "hotspots",
      "warn",
      "green",
    ],
  ])("%s", (_name, over, id, status, outcome) => {
    const facts = aPullFacts(over);
    expect(statusOf(facts, id)).toBe(status);
    expect(evaluateVerdict(facts).outcome).toBe(outcome);
  });

  const changed = (path: string, status: "modified" | "added" = "modified") => ({
    files: { ok: true as const, files: [{ path, status }] },
  });
  const allowing = (...allow: string[]) =>
    contractOf(aContract({ scope: { allow }, gates: { required: ["cpu:import"] } }));

  test.each<[string, Partial<PullFacts>, string, string, string]>([
    [
      "a closed contract issue",
      { contractIssue: { state: "closed", author: "mona" } },
      "contract",
      "fail",
      "is closed, so its contract does not apply to a new verdict",
    ],
    [
      "a contract nobody with write access wrote or accepted",
      { standing: { status: "unaccepted", everAccepted: false }, contractIssue: { state: "open", author: "rex" } },
      "contract",
      "fail",
      "is not accepted: `rex` wrote it without write access",
    ],
    [
      "a contract a triage user changed after acceptance",
      { standing: { status: "unaccepted", everAccepted: true, changedBy: "tom", changedAt: "2026-02-03T04:05:06Z" } },
      "contract",
      "fail",
      "changed since it was accepted (by `tom`, 2026-02-03)",
    ],
    [
      "a contract changed while the bot was not looking",
      { standing: { status: "unaccepted", everAccepted: true } },
      "contract",
      "fail",
      "the bot did not see who changed it",
    ],
    [
      "a contract accepted with /accept",
      { standing: { status: "accepted", by: "mona", via: "command" } },
      "contract",
      "pass",
      "accepted by `mona`",
    ],
    [
      "a contract a trusted bot wrote",
      { standing: { status: "accepted", by: "planner[bot]", via: "trusted-bot" } },
      "contract",
      "pass",
      "written by the trusted bot `planner[bot]`",
    ],
    [
      "offline, acceptance is the bot's to check",
      { standing: { status: "unknown" } },
      "contract",
      "pending",
      "the bot checks on the PR that someone with write access wrote or accepted it",
    ],
    ["no protected path changed", {}, "protected-paths", "pass", "no protected path changed"],
    [
      "a workflow under a lazy `**`",
      { contract: allowing("**"), ...changed(".github/workflows/ci.yml") },
      "protected-paths",
      "fail",
      "1 protected file changed: `.github/workflows/ci.yml`",
    ],
    [
      "a workflow the accepted contract names",
      { contract: allowing(".github/workflows/**", "nmoe/**"), ...changed(".github/workflows/ci.yml") },
      "protected-paths",
      "pass",
      "named by the accepted contract",
    ],
    [
      "a named file, but only a trusted bot vouches for the contract",
      {
        contract: allowing(".github/workflows/**"),
        standing: { status: "accepted", by: "planner[bot]", via: "trusted-bot" },
        ...changed(".github/workflows/ci.yml"),
      },
      "protected-paths",
      "fail",
      "1 protected file changed",
    ],
    [
      "a named file under a contract nobody accepted",
      {
        contract: allowing(".github/workflows/**"),
        standing: { status: "unaccepted", everAccepted: false },
        ...changed(".github/workflows/ci.yml"),
      },
      "protected-paths",
      "fail",
      "1 protected file changed",
    ],
    [
      "a named file offline",
      {
        contract: allowing(".github/workflows/**"),
        standing: { status: "unknown" },
        ...changed(".github/workflows/ci.yml"),
      },
      "protected-paths",
      "pending",
      "the bot checks on the PR that a maintainer accepted it",
    ],
    [
      "a lockfile and an agent instruction file",
      {
        contract: allowing("**"),
        files: {
          ok: true,
          files: [
            { path: "web/yarn.lock", status: "modified" },
            { path: "AGENTS.md", status: "added" },
          ],
        },
      },
      "protected-paths",
      "fail",
      "2 protected files changed: `AGENTS.md`, `web/yarn.lock`",
    ],
    [
      "protected paths when the files could not be listed",
      { files: { ok: false, unlisted: { kind: "too-many", changed: 3000, limit: 3000 } } },
      "protected-paths",
      "unverified",
      "protected paths not verifiable",
    ],
    [
      "protected paths too costly to match (the work budget runs out)",
      {
        contract: allowing(".github/*" + "a".repeat(200) + "b"),
        files: {
          ok: true,
          files: costlyPaths(".github/"),
        },
      },
      "protected-paths",
      "unverified",
      "protected paths not verified: the changed paths are too costly to match",
    ],

    [
      "within the contract's limit",
      { contract: contractOf(aContract({ scope: { allow: ["nmoe/router/**"], max_files: 2 } })) },
      "size",
      "pass",
      "within limits: 1 of 2 files",
    ],
    [
      "over the contract's file limit",
      {
        contract: contractOf(aContract({ scope: { allow: ["nmoe/**"], max_files: 1 } })),
        files: {
          ok: true,
          files: [
            { path: "nmoe/a.py", status: "modified" },
            { path: "nmoe/b.py", status: "modified" },
          ],
        },
      },
      "size",
      "fail",
      "2 files changed, more than the 1 allowed (the contract's limit)",
    ],
    [
      "over the repository's line limit, which bounds a looser contract",
      {
        contract: contractOf(aContract({ scope: { allow: ["nmoe/router/**"], max_changed_lines: 5000 } })),
        pr: { number: 12, headSha: HEAD, draft: false, title: "x", changedLines: 900 },
        floor: { ...floorOf(DEFAULT_CONFIG), maxChangedLines: 500 },
      },
      "size",
      "fail",
      "900 lines changed, more than the 500 allowed (the repository's limit)",
    ],
    [
      "a line limit when GitHub did not say how many lines changed",
      { floor: { ...floorOf(DEFAULT_CONFIG), maxChangedLines: 500 } },
      "size",
      "unverified",
      "GitHub did not say how many lines changed",
    ],
    [
      "a floor gate the registry does not define",
      { floor: { ...floorOf(DEFAULT_CONFIG), requiredGates: ["cpu:nope"] } },
      "tier-a",
      "unverified",
      "the repository policy requires gates the registry does not define",
    ],
    [
      "a floor Tier-A gate the attestation leaves out",
      { floor: { ...floorOf(DEFAULT_CONFIG), requiredGates: ["cpu:lint"] } },
      "tier-a",
      "fail",
      "1 missing, 0 unknown",
    ],
    [
      "a path gate the PR's files bring in",
      { floor: { ...floorOf(DEFAULT_CONFIG), pathGates: [{ paths: ["nmoe/router/**"], gates: ["b200:step_1x10"] }] } },
      "tier-b",
      "fail",
      "1 required Tier-B gate has not passed on this head: `b200:step_1x10`",
    ],
    [
      "path gates too costly to decide: every path rule's gates are required",
      {
        floor: {
          ...floorOf(DEFAULT_CONFIG),
          pathGates: [{ paths: ["*" + "a".repeat(200) + "b"], gates: ["b200:step_1x10"] }],
        },
        files: {
          ok: true,
          files: costlyPaths(""),
        },
      },
      "tier-b",
      "fail",
      "1 required Tier-B gate has not passed on this head: `b200:step_1x10`",
    ],
    [
      "a path gate the PR's files do not touch",
      { floor: { ...floorOf(DEFAULT_CONFIG), pathGates: [{ paths: ["docs/**"], gates: ["b200:step_1x10"] }] } },
      "tier-b",
      "pass",
      "the contract requires no Tier-B gates",
    ],
  ])("trust and the floor: %s", (_name, over, id, status, summary) => {
    const result = evaluateVerdict(aPullFacts(over)).results.find((r) => r.id === id)!;
    expect({ status: result.status, summary: result.summary }).toEqual({
      status,
      summary: expect.stringContaining(summary),
    });
    // A row that is not ✅ keeps the check from being green.
    const green = evaluateVerdict(aPullFacts(over)).outcome === "green";
    expect(status !== "pass" && green).toBe(false);
  });

  test("a perf budget while a run that includes the perf gate is queued: ⏳, and the check waits", () => {
    const queued: Ledger = {
      version: 2,
      dispatches: [
        {
          ...passedTierB("perf:delta").dispatches[0]!,
          state: "queued",
          conclusion: undefined,
          results: undefined,
        },
      ],
    };
    const facts = aPullFacts({
      contract: contractOf(
        aContract({
          gates: {
            required: ["cpu:import"],
            perf: { gate: "perf:delta", compare: "b200:step_8x10", metric: "step_tps_p50", budget_pct: -10 },
          },
        }),
      ),
      ledger: queued,
      attestation: attestationOf({ baselineSha: "1".repeat(40) }),
    });
    const perf = evaluateVerdict(facts).results.find((r) => r.id === "perf")!;
    expect(perf).toMatchObject({ status: "pending", fix: "wait for the run to finish" });
    expect(evaluateVerdict(facts).outcome).toBe("waiting");
  });

  test("no size limit set anywhere: no Size row", () => {
    expect(evaluateVerdict(aPullFacts()).results.map((r) => r.id)).not.toContain("size");
  });

  test("a Tier-B run still going on this head is a wait, not a failure", () => {
    const ledger: Ledger = {
      version: 2,
      dispatches: [
        {
          ...passedTierB("b200:step_1x10").dispatches[0]!,
          state: "in_progress",
          conclusion: undefined,
          results: undefined,
        },
      ],
    };
    const facts = aPullFacts({
      contract: contractOf(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"] } })),
      ledger,
    });
    expect(statusOf(facts, "tier-b")).toBe("pending");
    expect(evaluateVerdict(facts).outcome).toBe("waiting");
  });

  test("every failing row names a next step", () => {
    const facts = aPullFacts({
      attestation: attestationOf({ prSha: "1234567", tierA: [] }),
      files: { ok: true, files: [{ path: "nmoe/csrc/x.cu", status: "modified" }] },
      sameHead: [14],
    });
    const failing = evaluateVerdict(facts).results.filter((r) => r.status === "fail");
    expect(failing.length).toBeGreaterThanOrEqual(4);
    expect(failing.filter((r) => !r.fix).map((r) => r.id)).toEqual([]);
  });
});

/** What the offline CLI cannot know; the same facts otherwise. */
const OFFLINE: Partial<PullFacts> = { unavailable: ["tier_b", "dependency", "other_pulls"], dependencies: [] };

describe("offline (facts the caller could not gather): rows that need them wait for the bot", () => {
  const tierB = contractOf(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"] } }));
  const perf = contractOf(
    aContract({
      gates: {
        required: ["cpu:import"],
        perf: { gate: "perf:delta", compare: "b200:step_8x10", metric: "step_tps_p50", budget_pct: -10 },
      },
    }),
  );
  const noHotspots = contractOf(
    aContract({
      gates: { required: ["cpu:import"] },
      nmoe: { issue: "12", kind: "feature", risk: "warm", depends_on: ["3"], merge_hotspots: [] },
    }),
  );
  test.each<[string, Partial<PullFacts>, string, { status: string; summary?: string; fix?: string }]>([
    [
      "a required Tier-B gate, no runs",
      { contract: tierB },
      "tier-b",
      { status: "pending", fix: "runs on the PR after a maintainer's `/tier-b`" },
    ],
    ["a perf budget, no runs", { contract: perf }, "perf", { status: "pending" }],
    [
      "a dependency",
      {},
      "depends-on",
      { status: "pending", summary: "depends on `3`: the bot checks that it is done" },
    ],
    [
      "other open PRs",
      {},
      "same-head",
      { status: "pending", summary: "the bot compares this PR with the other open PRs" },
    ],
    ["a contract with hotspots", {}, "hotspots", { status: "pending" }],
    // What cannot depend on the missing facts is still answered.
    ["a contract without hotspots", { contract: noHotspots }, "hotspots", { status: "pass" }],
    [
      "an invalid contract is still a failure, not a wait",
      { contract: contractOf(aContract({ gates: { required: ["cpu:imprt"] } })) },
      "tier-b",
      { status: "fail" },
    ],
    [
      "no head SHA: the head row says how to give one",
      { pr: { number: 0, headSha: "", draft: false, title: "" } },
      "head",
      { status: "unverified", fix: "pass `--head-sha $(git rev-parse HEAD)` to check it" },
    ],
  ])("%s", (_name, over, id, expected) => {
    const facts = aPullFacts({ ...OFFLINE, ...over });
    expect(evaluateVerdict(facts).results.find((r) => r.id === id)).toMatchObject(expected);
  });

  test("the contracts of this table are valid (or the rows above would pass for the wrong reason)", () => {
    expect([tierB, perf, noHotspots].map((c) => c.status)).toEqual(["valid", "valid", "valid"]);
  });

  test("with every fact available the same rows are decided", () => {
    const facts = aPullFacts({
      contract: contractOf(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"] } })),
    });
    expect(statusOf(facts, "tier-b")).toBe("fail");
    expect(statusOf(facts, "same-head")).toBe("pass");
  });
});
