import { describe, expect, test } from "@jest/globals";
import { renderJobSummary } from "../../../src/core/gates/summary.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";

const registry = (() => {
  const r = parseRegistry('[gates."b200:x"]\ntier = "b"\ncmd = "true"\n\n[gates."b200:y"]\ntier = "b"\ncmd = "true"\n');
  if (!r.ok) throw new Error("registry");
  return r.value;
})();

describe("renderJobSummary", () => {
  const results = {
    bundle: "smoke",
    gate_ids: ["b200:x", "b200:y"],
    results: {
      "b200:x": { status: "pass" as const, rc: 0, duration_s: 3, node_tps_p50: 120, node_tps_samples: 3 },
      "b200:y": { status: "error" as const, rc: 0, reason: "escaped: 1 process left the gate's process group" },
    },
    overall: "error" as const,
  };

  test("the allow-listed table, the overall status, no binding for a local run", () => {
    const text = renderJobSummary({ results, registry, containment: "proc" });
    expect(text).toContain("### merge-captain gates: `smoke` — 💥 error");
    expect(text).toContain("Not bound to a Tier-B dispatch");
    expect(text).toContain("| `b200:x` | ✅ pass | 0 | 3 s | `node_tps_p50=120 node_tps_samples=3` |  |");
    // The free-text part of a reason is not shown: its code is.
    expect(text).toContain("| `b200:y` | 💥 error | 0 |  |  | `escaped` |");
    expect(text).not.toContain("process group");
  });

  test.each([
    ["cgroup", "each gate ran in its own cgroup"],
    ["proc", "found through /proc"],
    ["group", "only each gate's process group could be tracked"],
  ] as const)("containment %s is said plainly", (containment, phrase) => {
    expect(renderJobSummary({ results, registry, containment })).toContain(phrase);
  });

  test("a bound run names its head and dispatch", () => {
    const bound = { ...results, head_sha: "a".repeat(40), dispatch_id: "dsp-12345678" };
    expect(renderJobSummary({ results: bound, registry, containment: "cgroup" })).toContain(
      "Bound to head `aaaaaaa` and dispatch `dsp-12345678`.",
    );
  });
});
