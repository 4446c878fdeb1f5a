/** Criterion (warning only): the PR title says the work is not ready to merge ("WIP", "do not merge"). */
import type { Criterion } from "../types.js";

/** `WIP`, `[WIP]`, `WIP:` at the start, or "do not merge" / `DNM` anywhere, in any case. */
const NOT_READY = /^\s*\[?\s*wip\b|\bdo[\s-]+not[\s-]+merge\b|\bdnm\b/i;

export const titleCriterion: Criterion = {
  id: "title",
  title: "Title",
  triggers: ["pr.title"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    const said = NOT_READY.exec(f.pr.title)?.[0].trim().replace(/^\[/, "");
    if (said === undefined) return { ...base, status: "pass", summary: "does not say it is unfinished", details: [] };
    return {
      ...base,
      status: "warn",
      summary: `the title says \`${said}\``,
      details: [],
      fix: "rename the PR when it is ready, or mark it as a draft",
    };
  },
};
