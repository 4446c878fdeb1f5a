/** Read the contract id from a branch named `issue/<id>-<slug>`, the nmoe convention. */

/**
 * `issue/03a-attention` → `03a`. The id runs to the first `-` (ids in the nmoe convention have
 * none; the slug may). `refs/heads/` is dropped first. Any other branch name gives undefined.
 */
export function parseBranchId(ref: string | null | undefined): string | undefined {
  if (!ref) return undefined;
  const name = ref.replace(/^refs\/heads\//, "");
  const m = /^issue\/([A-Za-z0-9][A-Za-z0-9._]{0,31})(?:-|$)/i.exec(name);
  return m ? m[1] : undefined;
}
