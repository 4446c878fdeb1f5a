/** Criterion (warning only): other open PRs' contracts name the same merge hotspots. */
import { code } from "../../render/markdown.js";
import type { Criterion } from "../types.js";

export const hotspotsCriterion: Criterion = {
  id: "hotspots",
  title: "Merge hotspots",
  triggers: ["contract", "other_pulls"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    if (f.hotspots.length === 0)
      return { ...base, status: "pass", summary: "no collisions with other open PRs", details: [] };
    return {
      ...base,
      status: "warn",
      summary: `${f.hotspots.length} hotspot${f.hotspots.length === 1 ? "" : "s"} shared with other open PRs`,
      details: f.hotspots.map((h) => `${code(h.path)}: also ${h.prs.map((n) => `#${n}`).join(", ")}`),
      fix: "coordinate the merge order with those PRs",
    };
  },
};
