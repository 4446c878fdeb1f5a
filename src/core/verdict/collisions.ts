/** Which merge hotspots this contract shares with the contracts of other open PRs (reported as a warning). */
import type { ContractReport } from "../contract/read.js";

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
