import { describe, expect, test } from "@jest/globals";
import {
  buildPlan,
  type PlanContract,
  type PlanInput,
  type PlanPull,
  type PullState,
  type Resolution,
} from "../../../src/core/plan/build.js";
import { idKey } from "../../../src/core/ids.js";

/** Contract `id` lives on issue #<n>; its PR is #<n+100>. */
function aContract(n: number, o: Partial<PlanContract> = {}): PlanContract {
  return {
    key: `#${n}`,
    issue: n,
    title: `Work item ${n}`,
    id: String(n).padStart(2, "0"),
    dependsOn: [],
    hotspots: [],
    ...o,
  };
}

function aPull(n: number, state: PullState = "green", o: Partial<PlanPull> = {}): PlanPull {
  return {
    number: n + 100,
    contract: `#${n}`,
    state,
    summary: state === "green" ? "Ready to merge" : "Not ready",
    ...o,
  };
}

/** Resolve ids against the contracts given, plus extra answers (done, missing …). */
function plan(contracts: PlanContract[], pulls: PlanPull[], extra: Record<string, Resolution> = {}) {
  const resolutions = new Map<string, Resolution>();
  for (const c of contracts) if (c.id !== undefined) resolutions.set(idKey(c.id), { kind: "contract", key: c.key });
  for (const [id, r] of Object.entries(extra)) resolutions.set(idKey(id), r);
  const input: PlanInput = { contracts, pulls, resolutions };
  return buildPlan(input);
}

const orderOf = (p: ReturnType<typeof plan>) => p.order.map((s) => s.pr);
const blockers = (p: ReturnType<typeof plan>) => Object.fromEntries(p.unordered.map((u) => [u.contract, u.blocker]));

describe("the suggested merge order", () => {
  test.each([
    ["independent ready PRs: by PR number, each ready", [aContract(1), aContract(2)], [aPull(1), aPull(2)], [101, 102]],
    [
      "a dependant comes after what it depends on, even with a lower number",
      [aContract(1, { dependsOn: ["02"] }), aContract(2)],
      [aPull(1, "deps-only"), aPull(2)],
      [102, 101],
    ],
    [
      "what unblocks the most goes first among ready PRs",
      [aContract(1), aContract(2), aContract(3, { dependsOn: ["02"] })],
      [aPull(1), aPull(2), aPull(3, "deps-only")],
      [102, 101, 103],
    ],
    [
      "the green PR of a contract is used, not a red one",
      [aContract(1)],
      [aPull(1, "blocked", { number: 90 }), aPull(1, "green", { number: 95 })],
      [95],
    ],
  ])("%s", (_name, contracts, pulls, expected) => {
    expect(orderOf(plan(contracts, pulls))).toEqual(expected);
  });

  test("each position says why: dependencies done, or the PR it must follow", () => {
    const p = plan([aContract(1, { dependsOn: ["02", "07"] }), aContract(2)], [aPull(1, "deps-only"), aPull(2)], {
      "07": { kind: "done", issue: 7 },
    });
    expect(p.order).toEqual([
      { pr: 102, contract: "#2", wave: 1, reasons: [{ kind: "ready" }] },
      {
        pr: 101,
        contract: "#1",
        wave: 1,
        // In the order the contract lists its dependencies.
        reasons: [{ kind: "after", pr: 102, id: "02" }, { kind: "done", id: "07", issue: 7 }, { kind: "deps-only" }],
      },
    ]);
  });

  test("PRs sharing a merge hotspot are sequenced: the later one waits a wave, others are queued alongside", () => {
    const p = plan(
      [
        aContract(1, { hotspots: ["nmoe/train.py"] }),
        aContract(2, { hotspots: ["nmoe/train.py", "nmoe/config.py"] }),
        aContract(3, { hotspots: ["docs/x.md"] }),
      ],
      [aPull(1), aPull(2), aPull(3)],
    );
    expect(p.order.map((s) => [s.pr, s.wave])).toEqual([
      [101, 1],
      [103, 1],
      [102, 2],
    ]);
    expect(p.order.find((s) => s.pr === 102)!.reasons).toEqual([
      { kind: "hotspot", pr: 101, paths: ["nmoe/train.py"] },
    ]);
  });
});

describe("what is not in the order is reported, never dropped", () => {
  test.each([
    ["no PR yet", [aContract(1)], [], {}, { "#1": { kind: "no-pr" } }],
    [
      "a PR that is red for other reasons",
      [aContract(1)],
      [aPull(1, "blocked", { summary: "Not ready: 2 criteria failed" })],
      {},
      { "#1": { kind: "not-ready", pr: 101, summary: "Not ready: 2 criteria failed" } },
    ],
    [
      "a dependency that no issue carries",
      [aContract(1, { dependsOn: ["99"] })],
      [aPull(1, "deps-only")],
      { "99": { kind: "missing" } },
      { "#1": { kind: "missing", id: "99" } },
    ],
    [
      "a dependency that could not be looked up",
      [aContract(1, { dependsOn: ["42"] })],
      [aPull(1, "deps-only")],
      { "42": { kind: "unknown", reason: "GitHub's search did not answer" } },
      { "#1": { kind: "unknown", id: "42", reason: "GitHub's search did not answer" } },
    ],
    [
      "an id never looked up counts as unknown (fail closed)",
      [aContract(1, { dependsOn: ["42"] })],
      [aPull(1, "deps-only")],
      {},
      { "#1": { kind: "unknown", id: "42", reason: "it was not looked up" } },
    ],
    [
      "a dependency that is an open issue without a contract",
      [aContract(1, { dependsOn: ["5"] })],
      [aPull(1, "deps-only")],
      { "5": { kind: "open-issue", issue: 5 } },
      { "#1": { kind: "open-issue", id: "5", issue: 5 } },
    ],
    [
      "a dependant of something that cannot merge waits with it",
      [aContract(1, { dependsOn: ["02"] }), aContract(2)],
      [aPull(1, "deps-only")],
      {},
      { "#1": { kind: "waits", contract: "#2" }, "#2": { kind: "no-pr" } },
    ],
    [
      "an invalid contract",
      [aContract(1, { id: undefined, invalid: "scope.allow is missing" })],
      [aPull(1, "blocked")],
      {},
      { "#1": { kind: "invalid", message: "scope.allow is missing" } },
    ],
  ])("%s", (_name, contracts, pulls, extra, expected) => {
    const p = plan(contracts, pulls, extra as Record<string, Resolution>);
    expect(p.order).toEqual([]);
    expect(blockers(p)).toEqual(expected);
  });

  test("a cycle is reported with its members in edge order, and so is what waits on it", () => {
    const p = plan(
      [aContract(1, { dependsOn: ["02"] }), aContract(2, { dependsOn: ["03"] }), aContract(3, { dependsOn: ["01"] })],
      [aPull(1, "deps-only"), aPull(2, "deps-only"), aPull(3, "deps-only")],
    );
    expect(p.cycles).toHaveLength(1);
    expect([...p.cycles[0]!].sort()).toEqual(["#1", "#2", "#3"]);
    expect(p.order).toEqual([]);
    expect(p.rows.map((r) => r.state)).toEqual(["cycle", "cycle", "cycle"]);
  });

  test("a contract that depends on itself is a cycle of one", () => {
    const p = plan([aContract(1, { dependsOn: ["01"] })], [aPull(1, "deps-only")]);
    expect(p.cycles).toEqual([["#1"]]);
  });

  test("missing ids are listed once with everyone who depends on them", () => {
    const p = plan(
      [aContract(1, { dependsOn: ["zz"] }), aContract(2, { dependsOn: ["zz"] })],
      [aPull(1, "deps-only"), aPull(2, "deps-only")],
      { zz: { kind: "missing" } },
    );
    expect(p.missing).toEqual([{ id: "zz", dependants: ["#1", "#2"] }]);
  });
});

describe("rows", () => {
  test.each([
    ["ready", aPull(1, "green"), [], "ready"],
    ["after its dependencies", aPull(1, "deps-only"), ["02"], "after-deps"],
    ["waiting", aPull(1, "waiting"), [], "waiting"],
    ["blocked", aPull(1, "blocked"), [], "blocked"],
    ["not verified", aPull(1, "unverified"), [], "unverified"],
    ["not checked (offline) with open dependencies", aPull(1, "unchecked"), ["02"], "after-deps"],
    ["not checked (offline), nothing to wait for", aPull(1, "unchecked"), [], "unchecked"],
  ])("a contract whose PR is %s", (_name, pull, deps, state) => {
    const p = plan([aContract(1, { dependsOn: deps }), aContract(2)], [pull]);
    expect(p.rows[0]!.state).toBe(state);
  });

  test("what a row waits for names the dependency, its issue and its PR", () => {
    const p = plan([aContract(1, { dependsOn: ["02", "03", "zz"] }), aContract(2), aContract(3)], [aPull(2)], {
      zz: { kind: "missing" },
    });
    expect(p.rows[0]!.waitsFor).toEqual([
      { kind: "contract", id: "02", contract: "#2", issue: 2, pr: 102 },
      { kind: "contract", id: "03", contract: "#3", issue: 3, pr: undefined },
      { kind: "missing", id: "zz" },
    ]);
    expect(p.edges).toEqual([
      { from: "#2", to: "#1" },
      { from: "#3", to: "#1" },
    ]);
  });
});
