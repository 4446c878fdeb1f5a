/** GitHub's page-number pagination: `per_page` (default 30, at most 100), `page`, and RFC 5988 `Link` headers. */

export interface Page<T> {
  items: T[];
  /** The `Link` header value, absent when everything fits on one page. */
  link: string | undefined;
}

function positiveInt(raw: string | null, fallback: number): number {
  if (raw === null || !/^\d+$/.test(raw)) return fallback;
  const n = Number(raw);
  return n >= 1 ? n : fallback;
}

/**
 * Slice `all` the way GitHub does for `requestUrl`'s `per_page`/`page`.
 * `cap` models endpoints that never return items beyond a limit (3000 files for a pull request).
 */
export function paginate<T>(all: readonly T[], requestUrl: URL, cap?: number): Page<T> {
  const visible = cap === undefined ? all : all.slice(0, cap);
  const perPage = Math.min(positiveInt(requestUrl.searchParams.get("per_page"), 30), 100);
  const page = positiveInt(requestUrl.searchParams.get("page"), 1);
  const lastPage = Math.max(1, Math.ceil(visible.length / perPage));
  const items = visible.slice((page - 1) * perPage, page * perPage);
  if (lastPage === 1) return { items, link: undefined };
  const urlFor = (n: number): string => {
    const url = new URL(requestUrl.href);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return url.href;
  };
  // GitHub's order: prev, next, last, first — prev/first only after page 1, next/last only before the end.
  const rels: string[] = [];
  if (page > 1) rels.push(`<${urlFor(Math.min(page - 1, lastPage))}>; rel="prev"`);
  if (page < lastPage) rels.push(`<${urlFor(page + 1)}>; rel="next"`, `<${urlFor(lastPage)}>; rel="last"`);
  if (page > 1) rels.push(`<${urlFor(1)}>; rel="first"`);
  return { items, link: rels.join(", ") };
}
