import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { buildPlan, type PlanContract, type PlanPull, type Resolution } from "../../../src/core/plan/build.js";
import { mermaidText, PLAN_MARKER, renderPlanIssue, renderPlanText } from "../../../src/core/plan/render.js";
import { idKey } from "../../../src/core/ids.js";

function contract(n: number, o: Partial<PlanContract> = {}): PlanContract {
  return { key: `#${n}`, issue: n, title: `Work ${n}`, id: `0${n}`, dependsOn: [], hotspots: [], ...o };
}

function planOf(contracts: PlanContract[], pulls: PlanPull[], extra: Record<string, Resolution> = {}) {
  const resolutions = new Map<string, Resolution>(
    contracts.flatMap((c) => (c.id ? [[idKey(c.id), { kind: "contract", key: c.key }]] : [])),
  );
  for (const [id, r] of Object.entries(extra)) resolutions.set(idKey(id), r);
  return buildPlan({ contracts, pulls, resolutions });
}

const demo = () =>
  planOf(
    [
      contract(1, { title: "Fused all-gather", hotspots: ["moelab/model.py"] }),
      contract(2, { title: "Router cache", dependsOn: ["01", "07"], hotspots: ["moelab/model.py"] }),
      contract(3, { title: "Docs", dependsOn: ["zz"] }),
    ],
    [
      { number: 11, contract: "#1", state: "green", summary: "Ready to merge" },
      { number: 12, contract: "#2", state: "deps-only", summary: "Not ready: 1 criterion failed" },
      { number: 13, contract: "#3", state: "deps-only", summary: "Not ready: 1 criterion failed" },
    ],
    { "07": { kind: "done", issue: 7 }, zz: { kind: "missing" } },
  );

describe("the merge plan issue", () => {
  test("shows the order with reasons, the problems, the graph with state colours, and the table", () => {
    const body = renderPlanIssue(demo());
    // The marker is the writer's to add, after the choke point (see src/github/plan-issue.ts).
    expect(body.split("\n")[0]).toBe("## merge-captain: merge plan");
    expect(body).not.toContain(PLAN_MARKER);
    expect(body).toContain(
      "**Wave 1** — can be queued together\n\n1. #11 — `01` Fused all-gather (#1): ready, nothing to wait for\n\n**Wave 2** — queue once the wave before has merged\n\n2. #12 — `02` Router cache (#2): after #11: depends on `01`; `07` is done (#7 closed); only once #11 has merged: both change `moelab/model.py`; its check turns green once its dependencies are done",
    );
    expect(body).toContain("#13 for `03` Docs (#3): it depends on `zz`, and no issue carries that id");
    expect(body).toContain("`zz` is in the `depends_on` of #3, but no issue carries that id");
    expect(body).toContain("```mermaid\nflowchart LR\n");
    expect(body).toContain(
      '  c0["#35;1 · 01<br/>Fused all-gather<br/>PR #35;11 · ready"]:::ready'.replace(/·/g, "#183;"),
    );
    expect(body).toContain("  c0 --> c1");
    expect(body).toMatch(/ {2}x\d\["#35;7 #183; 07 #183; done"\]:::done\n {2}x\d -\.-> c1/);
    expect(body).toMatch(/classDef afterDeps fill:#fff8c5/);
    expect(body).toContain(
      "| #2 | `02` Router cache | #12 | ⏳ after its dependencies: Not ready: 1 criterion failed | `01` (#1) — PR #11 | `moelab/model.py` |",
    );
  });

  test("the same plan renders the same text (so an unchanged plan makes no write)", () => {
    expect(renderPlanIssue(demo())).toBe(renderPlanIssue(demo()));
  });

  test("user text cannot leave its label, its cell or the fence, and pings nobody", () => {
    const hostile = '```\n</div>@octocat | [x](http://evil) "]; click c0 call';
    const body = renderPlanIssue(
      planOf(
        [contract(1, { title: hostile, hotspots: ["a|b`c"] })],
        [{ number: 5, contract: "#1", state: "green", summary: "Ready to merge" }],
      ),
    );
    expect(body.match(/^```/gm)).toEqual(["```", "```"]);
    expect(body).not.toContain("@octocat");
    expect(body).not.toContain("</div>");
    const tableRow = body.split("\n").find((l) => l.startsWith("| #1 |"))!;
    expect(tableRow.replace(/\\\|/g, "").split("|")).toHaveLength(8);
  });
});

describe("mermaidText", () => {
  test("keeps only characters that cannot end a label or a fence; the rest become entities", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        expect(mermaidText(s)).toMatch(/^[A-Za-z0-9 .,:_/()+=#;-]*$/);
      }),
    );
    expect(mermaidText('a "b" #3')).toBe("a #34;b#34; #35;3");
  });
});

describe("the plan as text (merge-captain plan)", () => {
  test("order, reasons, what is not ordered, and each contract", () => {
    expect(renderPlanText(demo())).toBe(
      [
        "Suggested merge order:",
        "  1. #11  01 Fused all-gather  [wave 1]",
        "       - ready, nothing to wait for",
        "  2. #12  02 Router cache  [wave 2]",
        "       - after #11: depends on 01",
        "       - 07 is done (#7 closed)",
        "       - only once #11 has merged: both change moelab/model.py",
        "       - its check turns green once its dependencies are done",
        "",
        "Not in the order:",
        "  - #13 03 Docs: it depends on zz, and no issue carries that id",
        "",
        "Missing: zz (depended on by 03) — no issue carries it",
        "",
        "Contracts:",
        "  #1  01 Fused all-gather  PR #11  ✅ ready",
        "  #2  02 Router cache  PR #12  ⏳ after its dependencies  waits for: 01 (#1) — PR #11",
        "  #3  03 Docs  PR #13  ⏳ after its dependencies  waits for: zz — no issue carries this id",
        "",
      ].join("\n"),
    );
  });
});
