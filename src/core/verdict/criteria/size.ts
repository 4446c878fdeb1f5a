/** Criterion: the PR stays within the size limits its contract sets, bounded by the repository floor's. */
import { sizeLimits, type SizeLimit } from "../../trust/floor.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

function whose(l: SizeLimit): string {
  return l.from === "contract" ? "the contract's limit" : "the repository's limit";
}

export const sizeCriterion: Criterion = {
  id: "size",
  title: "Size",
  triggers: ["pr.head", "pr.base", "contract"],
  // A row only where a limit is set: by the contract or by the repository.
  appliesTo: (f) => {
    const limits = sizeLimits(validContract(f), f.floor);
    return limits.files !== undefined || limits.lines !== undefined;
  },
  evaluate(f) {
    const row = rowOf(this);
    const limits = sizeLimits(validContract(f), f.floor);
    if (!limits.files && !limits.lines) return row("pass", "no size limit set");
    if (!f.files.ok) return row("unverified", "the changed files could not be listed");
    const files = f.files.files.length;
    const lines = f.pr.changedLines;
    const over: string[] = [];
    if (limits.files && files > limits.files.limit)
      over.push(`${files} files changed, more than the ${limits.files.limit} allowed (${whose(limits.files)})`);
    if (limits.lines && lines === undefined) return row("unverified", "GitHub did not say how many lines changed");
    if (limits.lines && lines !== undefined && lines > limits.lines.limit)
      over.push(`${lines} lines changed, more than the ${limits.lines.limit} allowed (${whose(limits.lines)})`);
    const within = [
      limits.files ? `${files} of ${limits.files.limit} files` : undefined,
      limits.lines && lines !== undefined ? `${lines} of ${limits.lines.limit} lines` : undefined,
    ].filter((x): x is string => x !== undefined);
    if (over.length === 0) return row("pass", `within limits: ${within.join(", ")}`);
    return row("fail", over.join("; "), {
      fix: "split the PR into smaller ones, or ask a maintainer to raise the contract's limit (at most the repository's)",
    });
  },
};
