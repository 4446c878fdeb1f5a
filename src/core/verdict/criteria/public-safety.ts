/** Criterion: nothing posted on the PR or its contract issue looks like internal infrastructure or a credential. */
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";

export const publicSafetyCriterion: Criterion = {
  id: "public-safety",
  title: "Public safety",
  triggers: ["pr.body", "comment", "contract"],
  evaluate(f) {
    const row = rowOf(this);
    const items = f.safety.sources.flatMap((s) => s.findings.map((x) => `${s.what}, line ${x.line}: \`${x.rule}\``));
    if (items.length === 0) return row("pass", "no findings");
    return row("fail", `${items.length} finding${items.length === 1 ? "" : "s"}`, {
      details: items,
      fix: "edit the text to remove it (and rotate any credential that was posted)",
    });
  },
};
