/** What this PR's contract shares with other open work: merge hotspots (a warning) and the artifact paths other contracts own. */
import type { ContractReport } from "../contract/read.js";
import type { ArtifactOwner } from "./types.js";

export interface OtherPull {
  pr: number;
  /** The issue that PR links to; undefined when it links none. */
  issue: number | undefined;
  /** That issue's contract, when the issue is open and listed. */
  contract: ContractReport | undefined;
}

/**
 * A collision is a hotspot of ours that the valid contract of another open PR also names. PRs
 * for the same issue are one piece of work, not a collision; PRs without a valid contract say nothing.
 */
export function hotspotCollisions(
  mine: { issue: number | undefined; hotspots: readonly string[] },
  others: readonly OtherPull[],
): { path: string; prs: number[] }[] {
  const theirs = others.flatMap((o) =>
    o.issue !== undefined && o.issue !== mine.issue && o.contract?.status === "valid"
      ? [{ pr: o.pr, hotspots: o.contract.contract.nmoe.merge_hotspots ?? [] }]
      : [],
  );
  return mine.hotspots.flatMap((path) => {
    const prs = theirs.filter((o) => o.hotspots.includes(path)).map((o) => o.pr);
    return prs.length > 0 ? [{ path, prs }] : [];
  });
}

/** The other open issues whose valid contracts own artifact paths (`artifacts_under`): not the linked issue's own. */
export function artifactOwnersOf(
  openIssues: readonly { number: number; contract: ContractReport }[],
  linkedIssue: number | undefined,
): ArtifactOwner[] {
  return openIssues.flatMap((i) =>
    i.contract.status === "valid" && i.number !== linkedIssue && (i.contract.contract.artifacts_under ?? []).length > 0
      ? [{ issue: i.number, contract: i.contract.contract }]
      : [],
  );
}
