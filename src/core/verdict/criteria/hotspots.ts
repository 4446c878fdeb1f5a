/** Criterion (warning only): other open PRs' contracts name the same merge hotspots. */
import { unavailable, validContract } from "../derived.js";
import { code } from "../../render/markdown.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";
import { OTHER_PULLS_LATER } from "./same-head.js";

export const hotspotsCriterion: Criterion = {
  id: "hotspots",
  title: "Merge hotspots",
  triggers: ["contract", "other_pulls"],
  evaluate(f) {
    const row = rowOf(this);
    // Offline the other PRs are unknown; a contract with no hotspots cannot collide either way.
    if (unavailable(f, "other_pulls") && (validContract(f)?.nmoe.merge_hotspots ?? []).length > 0)
      return row("pending", OTHER_PULLS_LATER);
    if (f.hotspots.length === 0) return row("pass", "no collisions with other open PRs");
    return row("warn", `${f.hotspots.length} hotspot${f.hotspots.length === 1 ? "" : "s"} shared with other open PRs`, {
      details: f.hotspots.map((h) => `${code(h.path)}: also ${h.prs.map((n) => `#${n}`).join(", ")}`),
      fix: "coordinate the merge order with those PRs",
    });
  },
};
