/** "Did you mean …?" suggestions: the candidates closest to a misspelt word by edit distance. */

/** Damerau–Levenshtein (optimal string alignment) distance, bounded inputs only. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * Candidates within a distance that scales with the word's length, nearest first.
 * Words longer than 200 characters are not compared (they are not typos).
 */
export function closest(word: string, candidates: readonly string[], limit = 3): string[] {
  if (word.length > 200) return [];
  const max = Math.max(1, Math.floor(word.length / 3));
  return candidates
    .filter((c) => c.length <= 200)
    .map((c) => ({ c, d: editDistance(word.toLowerCase(), c.toLowerCase()) }))
    .filter(({ d }) => d <= max)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, limit)
    .map(({ c }) => c);
}

/** A hint sentence, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const near = closest(word, candidates);
  if (near.length === 0) return undefined;
  return `did you mean ${near.map((n) => "`" + n + "`").join(" or ")}?`;
}
