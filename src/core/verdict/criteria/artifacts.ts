/** Criterion: the PR writes nowhere another open contract owns for its artifacts (`artifacts_under`). */
import { rulesOf } from "../../contract/rules.js";
import { code } from "../../render/markdown.js";
import { changedPaths } from "../../scope/touched.js";
import { validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion } from "../types.js";
import { filesUnverified } from "./path-rules.js";

/** Artifact patterns of other open contracts matched per PR at most (3,000 files × this stays well under a second). */
export const MAX_ARTIFACT_PATTERNS = 1000;

export const artifactsCriterion: Criterion = {
  id: "artifacts",
  title: "Artifact paths",
  triggers: ["pr.head", "pr.base", "contract"],
  appliesTo: (f) =>
    validContract(f) !== undefined &&
    ((validContract(f)?.artifacts_under ?? []).length > 0 || (f.artifactOwners ?? []).length > 0),
  evaluate(f) {
    const row = rowOf(this);
    const own = validContract(f)?.artifacts_under ?? [];
    const mine = own.length > 0 ? ` (this contract owns ${own.map((p) => code(p)).join(", ")})` : "";
    if (f.artifactOwners === undefined)
      return row("pending", `the bot checks the other open issues' artifact paths${mine}`);
    if (!f.files.ok) return filesUnverified(this, "artifact paths", f.files.unlisted);
    // Every owner's patterns are matched against every changed file: bound the work before it runs,
    // and answer "not verified" (never a pass) past the bound rather than skip some owners.
    const patterns = f.artifactOwners.reduce((n, o) => n + (o.contract.artifacts_under ?? []).length, 0);
    if (patterns > MAX_ARTIFACT_PATTERNS)
      return row(
        "unverified",
        `artifact paths not verifiable: other open contracts declare ${patterns} artifact patterns, more than the ${MAX_ARTIFACT_PATTERNS} checked`,
        { fix: "close finished experiment issues, or have contracts share fewer, wider `artifacts_under` paths" },
      );
    const touched = changedPaths(f.files.files);
    const hits: string[] = [];
    const annotations: { path: string; message: string }[] = [];
    for (const owner of f.artifactOwners) {
      const rules = rulesOf(owner.contract);
      const list = rules.ok ? rules.value.artifacts : undefined;
      if (!list) continue;
      for (const t of touched) {
        const pattern = list.match(t.path);
        if (pattern === undefined) continue;
        hits.push(`${code(t.path)}: under ${code(pattern)}, the artifacts of issue #${owner.issue}`);
        annotations.push({
          path: t.path,
          message: `Artifacts of issue #${owner.issue} (${pattern}): only its work writes here`,
        });
      }
    }
    if (hits.length === 0) return row("pass", `no other contract's artifact paths touched${mine}`);
    return row("fail", `${hits.length} file${hits.length === 1 ? "" : "s"} under another contract's artifact paths`, {
      details: hits,
      fix: "write this work's outputs under its own paths; those belong to the other issue's experiment",
      annotations,
    });
  },
};
