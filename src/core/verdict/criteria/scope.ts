/** Criterion: every changed file is inside the contract's scope (deny wins; renames on both paths). */
import { needsValid } from "../prerequisite.js";
import { code } from "../../render/markdown.js";
import { problemLine } from "../../render/problems.js";
import { scopeOf } from "../derived.js";
import { registryUnverified } from "../registry-unverified.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";
import { filesUnverified } from "./path-rules.js";

export const scopeCriterion: Criterion = {
  id: "scope",
  title: "Scope",
  triggers: ["pr.head", "pr.base", "contract"],
  evaluate(f) {
    const row = rowOf(this);
    const s = scopeOf(f);
    switch (s.kind) {
      case "no-contract":
        // With a broken registry every contract reads as invalid: that is "not verified", not the author's fault.
        if (!f.registry.ok) return registryUnverified(this, f);
        return needsValid(this, "contract", "to check the diff against");
      case "unverifiable":
        return filesUnverified(this, "scope", s.unlisted);
      case "over-budget":
        // Too costly to decide is "could not check", never a verdict on the author's files.
        return row("unverified", "scope not verified: the contract's patterns are too costly to match", {
          details: [
            `matching ${s.files} changed file${s.files === 1 ? "" : "s"} against scope.allow / scope.deny needs more than the ${s.limit} steps one check may take`,
          ],
          fix: "use fewer `*` per file name in the contract's scope (e.g. `dir/**` instead of `*a*b*c*`), or split the PR",
        });
      case "bad-patterns":
        return row("fail", "the contract's scope patterns are invalid", {
          details: s.errors.map(problemLine),
          fix: "fix scope.allow / scope.deny in the issue",
        });
      case "checked": {
        const { checked, violations } = s.check;
        if (violations.length === 0) return row("pass", `${checked} changed file${checked === 1 ? "" : "s"} in scope`);
        const lines = violations.map((v) => {
          const moved = v.side ? ` (${v.side === "old" ? "renamed away from here" : "renamed to here"})` : "";
          return v.reason === "denied"
            ? `${code(v.path)}${moved}: denied by ${code(v.pattern ?? "?")}`
            : `${code(v.path)}${moved}: not allowed by any scope.allow pattern`;
        });
        return row("fail", `${violations.length} of ${checked} file${checked === 1 ? "" : "s"} out of scope`, {
          details: lines,
          fix: "revert those changes, or ask a maintainer to widen the contract's scope",
          annotations: violations.map((v) => ({
            path: v.path,
            message:
              v.reason === "denied"
                ? `Out of scope: denied by the contract pattern ${v.pattern ?? ""}`
                : "Out of scope: no scope.allow pattern of the contract matches this file",
          })),
        });
      }
    }
  },
};
