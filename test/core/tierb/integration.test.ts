import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseComment } from "../../../src/core/commands/parse.js";
import { readLedger, sealedState } from "../../../src/core/ledger/codec.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import { planDispatch } from "../../../src/core/tierb/plan.js";
import { concludeResults, validateResults } from "../../../src/core/tierb/results.js";
import { renderTierBSection } from "../../../src/core/tierb/render.js";
import { applyRunEvent } from "../../../src/core/tierb/runs.js";
import { markStale } from "../../../src/core/tierb/stale.js";
import { perfWithinBudget, tierBCoverage } from "../../../src/core/tierb/verdict-rows.js";
import type { TierBRegistry } from "../../../src/core/tierb/registry-view.js";
import { aPlanInput, T0 } from "../../fixtures/tierb/builders.js";
import { aRegistry, HEAD, HEAD2 } from "../../fixtures/tierb/registry.js";

const fixture = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../fixtures/tierb/${name}`, import.meta.url)), "utf8");

describe("a Tier-B story through the pure core", () => {
  test("command → plan → ledger → run → results → verdict rows → push makes it stale", () => {
    const registry = aRegistry();
    const parsed = parseComment("Thanks!\n\n/tier-b hot_path_min baseline=origin/master budget=-10", registry);
    if (parsed.kind !== "command" || parsed.command.kind !== "tier-b") throw new Error("expected /tier-b");
    const plan = planDispatch(aPlanInput({ command: parsed.command, commentId: 1, registry }));
    if (plan.kind !== "dispatch") throw new Error("expected a dispatch");
    // The ledger goes into the sticky comment before the API call, and comes back identical.
    const place = { repo: "o/r", kind: "pr" as const, number: 7 };
    const key = new Uint8Array(32);
    const stored = readLedger(`## merge-captain\n\n${sealedState(plan.ledger, place, key)}`, place, key);
    if (stored.status !== "sealed") throw new Error("ledger did not round-trip");
    let ledger = applyRunEvent(stored.ledger, "mc-0000000001", { kind: "dispatched" }, T0).ledger;
    ledger = applyRunEvent(
      ledger,
      "mc-0000000001",
      {
        kind: "run",
        run: { id: 9, status: "completed", conclusion: "success", html_url: "https://github.com/o/r/actions/runs/9" },
      },
      T0,
    ).ledger;

    const file = validateResults(JSON.parse(fixture("results-nmoe-shape.json")) as unknown, {
      headSha: HEAD,
      dispatchId: "mc-0000000001",
      requestedGateIds: plan.gateIds,
      registry,
    });
    if (!file.ok) throw new Error(JSON.stringify(file.errors));
    const c = concludeResults(file.value, plan.gateIds, registry, { runConclusion: "success" });
    expect(c.conclusion).toBe("success");
    ledger = applyRunEvent(
      ledger,
      "mc-0000000001",
      { kind: "results", results: c.results, conclusion: c.conclusion },
      T0,
    ).ledger;

    expect(tierBCoverage(ledger, HEAD, ["b200:small_1x10", "b200:big_8x20"], registry).status).toBe("pass");
    expect(
      perfWithinBudget(ledger, HEAD, {
        gate: "perf:baseline_delta",
        compare: "b200:big_8x20",
        metric: "node_tps_p50",
        budget_pct: -10,
      }),
    ).toMatchObject({ status: "fail", summary: "perf over budget: node_tps_p50 -15 % vs budget -10 %" });

    const pushed = markStale(ledger, HEAD2, { sameTree: false }, T0).ledger;
    expect(tierBCoverage(pushed, HEAD2, ["b200:small_1x10"], registry).status).toBe("fail");
    expect(renderTierBSection(pushed, HEAD2, registry)).toContain("**stale**");
  });

  test("the real gate registry parser's Registry is what the Tier-B core reads", () => {
    const r = parseRegistry(fixture("gates.toml"));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const view: TierBRegistry = r.value;
    expect(parseComment("/tier-b hot_path_min", view)).toEqual({
      kind: "command",
      command: { kind: "tier-b", bundle: "hot_path_min" },
    });
    expect(parseComment("/tier-b single cpu:import", view)).toMatchObject({
      kind: "usage",
      error: { code: "tier-b.not-tier-b" },
    });
  });
});
