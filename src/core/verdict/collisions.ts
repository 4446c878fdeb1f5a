/** Merge hotspots this contract shares with the contracts of other open PRs (reported as a warning). */

export interface OtherPull {
  pr: number;
  /** The merge_hotspots of the contract that PR implements. */
  hotspots: readonly string[];
}

export function hotspotCollisions(
  mine: readonly string[],
  others: readonly OtherPull[],
): { path: string; prs: number[] }[] {
  return mine.flatMap((path) => {
    const prs = others.filter((o) => o.hotspots.includes(path)).map((o) => o.pr);
    return prs.length > 0 ? [{ path, prs }] : [];
  });
}
