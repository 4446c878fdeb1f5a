/** Criterion: every metric gate the contract requires beat (or matched) its fixed baseline on this head, and the row says which way was better. */
import { latestResultOnHead } from "../../tierb/verdict-rows.js";
import { metricVerdictText } from "../../tierb/render.js";
import { code } from "../../render/markdown.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion, PullFacts } from "../types.js";

function metricGates(f: PullFacts): string[] {
  const contract = validContract(f);
  if (!contract || !f.registry.ok) return [];
  const registry = f.registry.value;
  // Tier-A metric gates are the author's to run and attest (the Tier-A row); only Tier-B runs reach the ledger.
  return contract.gates.required.filter((id) => {
    const g = registry.gates.get(id);
    return g?.kind === "metric" && g.tier === "b";
  });
}

export const metricsCriterion: Criterion = {
  id: "metrics",
  title: "Metrics vs baseline",
  triggers: ["pr.head", "contract", "tier_b", "registry"],
  appliesTo: (f) => metricGates(f).length > 0,
  evaluate(f) {
    const row = rowOf(this);
    const rows = metricGates(f).map((id) => ({ id, g: latestResultOnHead(f.ledger, f.pr.headSha, id) }));
    const line = (id: string, text: string): string => `${code(id)}: ${text}`;
    const details = rows.map(({ id, g }) => {
      if (g === undefined) return line(id, "not run on this head yet");
      const text = metricVerdictText(g) ?? g.status;
      return line(
        id,
        g.status === "pass" ? text : `${g.status}${g.reasonCode ? ` (${code(g.reasonCode)})` : ""} — ${text}`,
      );
    });
    const notRun = rows.filter((r) => r.g === undefined);
    const failed = rows.filter((r) => r.g !== undefined && r.g.status !== "pass");
    const one = rows.length === 1 ? rows[0]! : undefined;
    if (failed.length > 0)
      return row(
        "fail",
        one?.g !== undefined
          ? (metricVerdictText(one.g) ?? `${code(one.id)} did not pass`)
          : `${failed.length} of ${rows.length} metric gates did not beat their baseline`,
        {
          details,
          fix: failed.some((r) => r.g?.reasonCode === "baseline-mismatch")
            ? "the flags-off run no longer reproduces the baseline: fix the setup (or agree a new baseline in the registry) before judging the experiment"
            : "improve the experiment and ask for another Tier-B run; the baseline lives in the registry on the default branch",
        },
      );
    if (notRun.length > 0)
      return row("pending", `${notRun.map((r) => code(r.id)).join(", ")} not run on this head yet`, {
        details,
        fix: "a maintainer comments `/tier-b <bundle>` (or `/tier-b single <gate-id>`)",
      });
    return row(
      "pass",
      one?.g !== undefined
        ? (metricVerdictText(one.g) ?? "the metric gate passed")
        : `all ${rows.length} metric gates beat their baseline`,
      { details: one ? [] : details },
    );
  },
};
