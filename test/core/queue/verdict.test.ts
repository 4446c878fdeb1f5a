import { describe, expect, test } from "@jest/globals";
import { judgeGroup, type GroupMember, type OwnVerdict } from "../../../src/core/queue/verdict.js";
import { groupCheckOutput } from "../../../src/core/queue/render.js";
import type { CriterionResult, DependencyFact } from "../../../src/core/verdict/types.js";

const green: OwnVerdict = { kind: "green", title: "Ready to merge" };
const TRUST = { mode: "trust_pr_heads" } as const;

function row(id: string, status: CriterionResult["status"], title = id): CriterionResult {
  return { id, title, status, summary: "", details: [] };
}

/** Evaluated for the group: red only because its dependencies are open. */
function redOnDependencies(dependencies: DependencyFact[]): OwnVerdict {
  return {
    kind: "evaluated",
    outcome: "blocked",
    title: "Not ready: 1 criterion failed",
    results: [row("scope", "pass"), row("depends-on", "fail", "Dependencies done"), row("hotspots", "warn")],
    dependencies,
  };
}

/** PR #<n> implements issue #<n - 10> (contract id `0<n - 10>`). */
function member(pr: number, o: Partial<GroupMember> = {}): GroupMember {
  return {
    pr,
    headSha: String(pr).repeat(40).slice(0, 40),
    merged: false,
    issue: pr - 10,
    contractId: `0${pr - 10}`,
    hotspots: [],
    own: green,
    ...o,
  };
}

describe("judgeGroup", () => {
  test("three PRs, the second depending on the first: green, the dependency done by the PR ahead", () => {
    const group = [
      member(11),
      member(12, { own: redOnDependencies([{ id: "01", state: "open", issue: 1 }]) }),
      member(13),
    ];
    const v = judgeGroup(group);
    expect(v.outcome).toBe("green");
    expect(v.problems).toEqual([]);
    expect(v.members.map((m) => [m.pr, m.state])).toEqual([
      [11, "green"],
      [12, "green-in-group"],
      [13, "green"],
    ]);
    expect(v.members[1]!.satisfiedAhead).toEqual([{ id: "01", pr: 11 }]);
  });

  test.each<[string, GroupMember[], { pr: number; rule: string; message: string }[]]>([
    [
      "two PRs sharing a hotspot: red, naming both",
      [member(11, { hotspots: ["nmoe/train.py", "a"] }), member(12, { hotspots: ["nmoe/train.py"] })],
      [{ pr: 12, rule: "hotspot", message: "#11 and #12 both change the merge hotspot `nmoe/train.py`" }],
    ],
    [
      "a PR that turned red after a push: red, naming the PR and what failed",
      [
        member(11),
        member(12, {
          own: {
            kind: "evaluated",
            outcome: "blocked",
            title: "Not ready: 1 criterion failed",
            results: [row("head", "fail", "Attestation about this head"), row("scope", "pass")],
            dependencies: [],
          },
        }),
      ],
      [{ pr: 12, rule: "own-verdict", message: "#12 is not green on its own head: Attestation about this head" }],
    ],
    [
      "a PR whose Tier-B is still running: not green in the group either",
      [
        member(11, {
          own: {
            kind: "evaluated",
            outcome: "waiting",
            title: "Waiting: Tier-B green on this head",
            results: [row("tier-b", "pending", "Tier-B green on this head")],
            dependencies: [],
          },
        }),
      ],
      [{ pr: 11, rule: "own-verdict", message: "#11 is not green on its own head: Tier-B green on this head" }],
    ],
    [
      "a dependency implemented by a PR behind it",
      [member(12, { own: redOnDependencies([{ id: "03", state: "open", issue: 3 }]) }), member(13)],
      [
        {
          pr: 12,
          rule: "depends-on",
          message: "#12 depends on `03` (#3), which #13 implements — but #13 is behind it in the queue",
        },
      ],
    ],
    [
      "a dependency nobody in the group implements",
      [member(11), member(12, { own: redOnDependencies([{ id: "09", state: "open", issue: 9 }]) })],
      [
        {
          pr: 12,
          rule: "depends-on",
          message: "#12 depends on `09` (#9), which is still open and no PR ahead of it in this group implements it",
        },
      ],
    ],
    [
      "a dependency that no issue carries",
      [member(11), member(12, { own: redOnDependencies([{ id: "zz", state: "missing" }]) })],
      [{ pr: 12, rule: "depends-on", message: "#12 depends on `zz`, but no issue carries that id" }],
    ],
  ])("%s", (_name, group, expected) => {
    const v = judgeGroup(group);
    expect(v.outcome).toBe("blocked");
    expect(v.problems.map(({ pr, rule, message }) => ({ pr, rule, message }))).toEqual(expected);
  });

  test("sharing a hotspot with a PR already merged is fine", () => {
    const v = judgeGroup([member(11, { hotspots: ["a"], merged: true }), member(12, { hotspots: ["a"] })]);
    expect(v.outcome).toBe("green");
  });

  test("a PR that could not be read makes the group not verified, never green", () => {
    const v = judgeGroup([member(11), member(12, { own: { kind: "unavailable", reason: "PR #12 is closed" } })]);
    expect(v.outcome).toBe("unverified");
    expect(v.members[1]!.state).toBe("unverified");
  });

  test("a PR whose own check could not verify it (API trouble) is not verified in the group", () => {
    const v = judgeGroup([
      member(11, {
        own: {
          kind: "evaluated",
          outcome: "unverified",
          title: "Not verified: 1 criterion could not be checked",
          results: [row("scope", "unverified", "Scope")],
          dependencies: [],
        },
      }),
    ]);
    expect(v.outcome).toBe("unverified");
  });
});

describe("the group's check", () => {
  test("green: lists each PR of the group in order with its verdict", () => {
    const group = [member(11), member(12, { own: redOnDependencies([{ id: "01", state: "open", issue: 1 }]) })];
    const out = groupCheckOutput({ verdict: judgeGroup(group), members: group, baseBranch: "main", tierB: TRUST });
    expect(out.conclusion).toBe("success");
    expect(out.title).toBe("Ready to merge: #11, #12");
    expect(out.summary).toContain("| 1 | #11 | `01` (#1) | ✅ green | Ready to merge |  |");
    expect(out.summary).toContain(
      "| 2 | #12 | `02` (#2) | ✅ green in this group | Not ready: 1 criterion failed | `01` is done by #11, ahead in this group |",
    );
  });

  test("red: the title names the PRs and the rule", () => {
    const group = [member(11, { hotspots: ["nmoe/train.py"] }), member(12, { hotspots: ["nmoe/train.py"] })];
    const out = groupCheckOutput({ verdict: judgeGroup(group), members: group, baseBranch: "main", tierB: TRUST });
    expect(out.conclusion).toBe("failure");
    expect(out.title).toBe("Not ready: #11 and #12 both change the merge hotspot `nmoe/train.py`");
    expect(out.text).toContain("let #11 merge first, then queue #12 again on top of it");
  });
});
