/** Criterion: every issue the contract depends on is done. */
import { code } from "../../render/markdown.js";
import { needsValid } from "../prerequisite.js";
import { unavailable, validContract } from "../derived.js";
import { registryUnverified } from "../registry-unverified.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

export const dependsOnCriterion: Criterion = {
  id: "depends-on",
  title: "Dependencies done",
  triggers: ["contract", "dependency", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    const contract = validContract(f);
    // With a broken registry every contract reads as invalid: that is "not verified", not the author's fault.
    if (!contract && !f.registry.ok) return registryUnverified(this, f);
    if (!contract) return needsValid(this, "contract");
    const ids = contract.nmoe.depends_on ?? [];
    if (ids.length > 0 && unavailable(f, "dependency"))
      return row(
        "pending",
        `depends on ${ids.map((id) => `\`${id}\``).join(", ")}: the bot checks that ${ids.length === 1 ? "it is" : "they are"} done`,
      );
    if (f.dependencies.length === 0) return row("pass", "depends on nothing");
    const unknown = f.dependencies.filter((d) => d.state === "unknown");
    if (unknown.length > 0)
      return row("unverified", `could not look up ${unknown.map((d) => code(d.id)).join(", ")}`, {
        fix: "GitHub's search did not answer; `/recheck` later",
      });
    const open = f.dependencies.filter((d) => d.state === "open");
    const missing = f.dependencies.filter((d) => d.state === "missing");
    const details = [
      ...open.map((d) => `${code(d.id)} is still open (#${d.issue})`),
      ...missing.map((d) => `${code(d.id)}: no issue found with this id (title ${code(`[${d.id}] …`)} or contract id)`),
    ];
    if (open.length > 0 || missing.length > 0)
      return row("fail", `${open.length} open, ${missing.length} not found`, {
        details,
        fix: open.length > 0 ? "merge the dependencies first" : "correct nmoe.depends_on in the issue",
      });
    return row("pass", f.dependencies.map((d) => `${code(d.id)} done`).join(", "));
  },
};
