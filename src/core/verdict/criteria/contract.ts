/** Criterion: the PR is linked to an issue whose contract is valid. */
import { problemLine } from "../../render/problems.js";
import { registryUnverified } from "../registry-unverified.js";
import type { Criterion } from "../types.js";

/** How the PR was linked, in words. */
const ROUTE: Record<string, string> = {
  "closing-keyword": "a closing keyword",
  attestation: "the attestation's issue id",
  branch: "the branch name",
};

export const contractCriterion: Criterion = {
  id: "contract",
  title: "Contract found & valid",
  triggers: ["pr.body", "contract", "registry"],
  evaluate(f) {
    const base = { id: this.id, title: this.title };
    if (!f.link.ok) {
      return {
        ...base,
        status: "fail",
        summary: "no contract issue linked",
        details: [problemLine(f.link.problem)],
        fix: f.link.problem.hint ?? "add `Fixes #<issue>` to the PR body",
      };
    }
    const n = f.link.issue;
    // Offline (the CLI) there is no issue number, only the file the contract came from.
    const issue = n > 0 ? `issue #${n}` : f.link.via;
    // The first row that needs the registry, so the one that lists its errors.
    if (!f.registry.ok) return registryUnverified(this, f, { withErrors: true });
    const report = f.contract;
    if (report === undefined || report.status === "absent") {
      return {
        ...base,
        status: "fail",
        summary: `${issue}${n > 0 ? ` (linked by ${ROUTE[f.link.via] ?? f.link.via})` : ""} carries no contract`,
        details: [],
        fix: `add an Agent Contract block to ${issue}`,
      };
    }
    if (report.status === "invalid") {
      return {
        ...base,
        status: "fail",
        summary: `the contract in ${issue} is invalid`,
        details: report.errors.map(problemLine),
        fix:
          n > 0 ? `fix the contract in ${issue} (its sticky comment lists the errors)` : `fix the contract in ${issue}`,
      };
    }
    return {
      ...base,
      status: "pass",
      summary: `${issue}${n > 0 ? ` (linked by ${ROUTE[f.link.via] ?? f.link.via})` : ""}, contract \`${report.contract.nmoe.issue}\``,
      details: [],
    };
  },
};
