/** Criterion: no changed file touches a path the contract declares `read_only` (renames on both ends, deletions included). */
import { rulesOf } from "../../contract/rules.js";
import { code } from "../../render/markdown.js";
import { changedPaths } from "../../scope/touched.js";
import { validContract } from "../derived.js";
import type { Criterion } from "../types.js";

export const readOnlyCriterion: Criterion = {
  id: "read-only",
  title: "Read-only paths",
  triggers: ["pull_request", "contract"],
  appliesTo: (f) => (validContract(f)?.read_only ?? []).length > 0,
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    const contract = validContract(f);
    const rules = contract ? rulesOf(contract) : undefined;
    const list = rules?.ok ? rules.value.readOnly : undefined;
    if (!list)
      return { ...base, status: "fail", summary: "the contract's read_only rule could not be read", details: [] };
    if (!f.files.ok)
      return {
        ...base,
        status: "unverified",
        summary: "read-only paths not verifiable",
        details: [f.files.reason],
        fix: "split the PR into smaller ones",
      };
    const hits = changedPaths(f.files.files).flatMap((t) => {
      const pattern = list.match(t.path);
      return pattern === undefined ? [] : [{ ...t, pattern }];
    });
    if (hits.length === 0)
      return {
        ...base,
        status: "pass",
        summary: `no read-only path changed (${list.patterns.map((p) => code(p)).join(", ")})`,
        details: [],
      };
    const how = (t: (typeof hits)[number]): string =>
      t.side === "old" ? "renamed away" : t.side === "new" ? "renamed here" : t.status;
    return {
      ...base,
      status: "fail",
      summary: `${hits.length} read-only path${hits.length === 1 ? "" : "s"} changed`,
      details: hits.map((t) => `${code(t.path)} (${how(t)}): read-only by ${code(t.pattern)}`),
      fix: "revert the changes to those paths; the contract lets the work read them, never change them",
      annotations: hits.map((t) => ({
        path: t.path,
        message: `Read-only: the contract's read_only pattern ${t.pattern} covers this path`,
      })),
    };
  },
};
