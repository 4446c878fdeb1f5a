/** Criterion: no changed file touches a path the contract declares `read_only` (renames on both ends, deletions included). */
import { code } from "../../render/markdown.js";
import { changedPaths } from "../../scope/touched.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";
import { contractRules, filesUnverified, unreadableRule } from "./path-rules.js";

export const readOnlyCriterion: Criterion = {
  id: "read-only",
  title: "Read-only paths",
  triggers: ["pr.head", "pr.base", "contract"],
  appliesTo: (f) => (validContract(f)?.read_only ?? []).length > 0,
  evaluate(f) {
    const row = rowOf(this);
    const list = contractRules(f)?.readOnly;
    if (!list) return unreadableRule(this, "read_only");
    if (!f.files.ok) return filesUnverified(this, "read-only paths", f.files.unlisted);
    const hits = changedPaths(f.files.files).flatMap((t) => {
      const pattern = list.match(t.path);
      return pattern === undefined ? [] : [{ ...t, pattern }];
    });
    if (hits.length === 0)
      return row("pass", `no read-only path changed (${list.patterns.map((p) => code(p)).join(", ")})`);
    const how = (t: (typeof hits)[number]): string =>
      t.side === "old" ? "renamed away" : t.side === "new" ? "renamed here" : t.status;
    return row("fail", `${hits.length} read-only path${hits.length === 1 ? "" : "s"} changed`, {
      details: hits.map((t) => `${code(t.path)} (${how(t)}): read-only by ${code(t.pattern)}`),
      fix: "revert the changes to those paths; the contract lets the work read them, never change them",
      annotations: hits.map((t) => ({
        path: t.path,
        message: `Read-only: the contract's read_only pattern ${t.pattern} covers this path`,
      })),
    });
  },
};
