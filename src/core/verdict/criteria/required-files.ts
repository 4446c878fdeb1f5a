/** Criterion: the PR touches every companion file the contract requires (`scope.require`), reported per file. */
import { code } from "../../render/markdown.js";
import { writtenPaths } from "../../scope/touched.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";
import { contractRules, filesUnverified, unreadableRule } from "./path-rules.js";

export const requiredFilesCriterion: Criterion = {
  id: "required-files",
  title: "Required files",
  triggers: ["pr.head", "pr.base", "contract"],
  appliesTo: (f) => (validContract(f)?.scope.require ?? []).length > 0,
  evaluate(f) {
    const row = rowOf(this);
    const require = contractRules(f)?.require;
    if (!require) return unreadableRule(this, "scope.require");
    if (!f.files.ok) return filesUnverified(this, "required files", f.files.unlisted);
    const written = writtenPaths(f.files.files);
    const rows = require.map((e) => ({ ...e, by: written.find((p) => e.list.match(p) !== undefined) }));
    const missing = rows.filter((r) => r.by === undefined);
    const details = rows.map((r) =>
      r.by === undefined
        ? `❌ ${code(r.pattern)}: not updated by this PR`
        : r.by === r.pattern
          ? `✅ ${code(r.pattern)}`
          : `✅ ${code(r.pattern)}: ${code(r.by)}`,
    );
    if (missing.length === 0)
      return row(
        "pass",
        `${rows.length === 1 ? "the required file is" : `all ${rows.length} required files are`} updated`,
        { details },
      );
    return row(
      "fail",
      `${missing.length} of ${rows.length} required file${rows.length === 1 ? "" : "s"} not updated: ${missing.map((m) => code(m.pattern)).join(", ")}`,
      {
        details,
        fix: `update ${missing.map((m) => code(m.pattern)).join(", ")} in this PR (the contract asks for ${missing.length === 1 ? "it" : "them"} with every change; deleting does not count)`,
      },
    );
  },
};
