import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { buildPlan, type PlanContract, type PlanPull, type Resolution } from "../../../src/core/plan/build.js";
import { idKey } from "../../../src/core/ids.js";

const STATES = ["green", "deps-only", "blocked", "waiting", "unverified", "unchecked"] as const;
const HOTSPOTS = ["a.py", "b.py", "c.py"];

/** Up to 9 contracts with ids 1..n that depend on each other at random (cycles included), plus ids that are done or missing. */
const world = fc
  .integer({ min: 1, max: 9 })
  .chain((n) =>
    fc.record({
      contracts: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.record({
            deps: fc.uniqueArray(fc.constantFrom(...Array.from({ length: n }, (_, j) => String(j + 1)), "d1", "m1"), {
              maxLength: 3,
            }),
            hotspots: fc.subarray(HOTSPOTS),
            pull: fc.option(fc.constantFrom(...STATES), { nil: undefined }),
            invalid: fc.boolean().map((b) => b && i % 4 === 3),
          }),
        ),
      ),
    }),
  )
  .map(({ contracts }) => {
    const planContracts: PlanContract[] = contracts.map((c, i) => ({
      key: `#${i + 1}`,
      issue: i + 1,
      title: `c${i + 1}`,
      id: c.invalid ? undefined : String(i + 1),
      ...(c.invalid ? { invalid: "broken" } : {}),
      dependsOn: c.invalid ? [] : c.deps,
      hotspots: c.hotspots,
    }));
    const pulls: PlanPull[] = contracts.flatMap((c, i) =>
      c.pull === undefined ? [] : [{ number: 100 + i, contract: `#${i + 1}`, state: c.pull, summary: c.pull }],
    );
    const resolutions = new Map<string, Resolution>([
      [idKey("d1"), { kind: "done", issue: 500 }],
      [idKey("m1"), { kind: "missing" }],
    ]);
    for (const c of planContracts)
      if (c.id !== undefined) resolutions.set(idKey(c.id), { kind: "contract", key: c.key });
    return { contracts: planContracts, pulls, resolutions };
  });

/** Keys from which `key` can be reached again over contract edges (an independent cycle check). */
function onCycle(key: string, needs: Map<string, string[]>): boolean {
  const seen = new Set<string>();
  const stack = [...(needs.get(key) ?? [])];
  while (stack.length > 0) {
    const k = stack.pop()!;
    if (k === key) return true;
    if (seen.has(k)) continue;
    seen.add(k);
    stack.push(...(needs.get(k) ?? []));
  }
  return false;
}

describe("buildPlan properties", () => {
  test("the order respects depends_on, never contains a cycle, and every contract is ordered or explained", () => {
    fc.assert(
      fc.property(world, (input) => {
        const plan = buildPlan(input);
        const position = new Map(plan.order.map((s, i) => [s.contract, i]));
        const needs = new Map(
          input.contracts.map((c) => [c.key, c.dependsOn.filter((d) => /^\d+$/.test(d)).map((d) => `#${d}`)]),
        );
        // Dependencies first.
        for (const step of plan.order) {
          for (const dep of needs.get(step.contract) ?? []) {
            expect(position.has(dep)).toBe(true);
            expect(position.get(dep)!).toBeLessThan(position.get(step.contract)!);
          }
        }
        // Every contract on a cycle is reported in one, and none of them is ordered.
        const reported = new Set(plan.cycles.flat());
        const cyclic = input.contracts
          .filter((c) => c.invalid === undefined && onCycle(c.key, needs))
          .map((c) => c.key);
        expect(cyclic.filter((key) => !reported.has(key))).toEqual([]);
        expect(cyclic.filter((key) => position.has(key))).toEqual([]);
        // Never dropped: each contract exactly once, in the order or with a blocker.
        const explained = plan.unordered.map((u) => u.contract);
        expect([...plan.order.map((s) => s.contract), ...explained].sort()).toEqual(
          input.contracts.map((c) => c.key).sort(),
        );
        // Waves never go down; a PR sharing a hotspot with an earlier one is in a later wave.
        plan.order.forEach((s, i) => {
          expect(s.wave).toBeGreaterThanOrEqual(plan.order[Math.max(0, i - 1)]!.wave);
          const mine = input.contracts.find((c) => c.key === s.contract)!.hotspots;
          const sharing = plan.order.slice(0, i).filter((earlier) => {
            const theirs = input.contracts.find((c) => c.key === earlier.contract)!.hotspots;
            return mine.some((h) => theirs.includes(h));
          });
          expect(sharing.filter((earlier) => earlier.wave >= s.wave).map((e) => e.contract)).toEqual([]);
        });
        // A missing id is reported whenever a valid contract names it.
        const namesMissing = input.contracts.some((c) => c.dependsOn.includes("m1"));
        expect(plan.missing.some((m) => m.id === "m1")).toBe(namesMissing);
      }),
      { numRuns: 400 },
    );
  });
});
