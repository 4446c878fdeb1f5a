/** Issue ids are strings as written (`01`, `03a`); `1`, `01` and `"01"` name the same issue. */

/** The form used to compare ids: lower case, leading zeros of the number dropped (`03A` → `3a`). */
export function idKey(id: string | number): string {
  const text = String(id).trim().toLowerCase().replace(/^#/, "");
  const digits = /^\d+/.exec(text)?.[0];
  return digits === undefined ? text : digits.replace(/^0+(?=\d)/, "") + text.slice(digits.length);
}

export function sameId(a: string | number, b: string | number): boolean {
  return idKey(a) === idKey(b);
}

/**
 * Restore ids that YAML turned into numbers to the text the author wrote, using the parser's
 * record of number sources (`depends_on: [01]` → `"01"`). Other values are left alone.
 */
export function restoreIds(
  value: unknown,
  numberSource: ReadonlyMap<string, string>,
  pointers: readonly string[],
): unknown {
  if (value === null || typeof value !== "object") return value;
  const root = structuredClone(value) as Record<string, unknown>;
  for (const ptr of pointers) {
    const segments = ptr.split("/").slice(1);
    const last = segments.pop();
    if (last === undefined) continue;
    let parent: unknown = root;
    for (const seg of segments)
      parent = parent !== null && typeof parent === "object" ? (parent as Record<string, unknown>)[seg] : undefined;
    if (parent === null || typeof parent !== "object") continue;
    const container = parent as Record<string, unknown>;
    const restore = (key: string, at: string): void => {
      const v = container[key];
      if (typeof v === "number") container[key] = numberSource.get(at) ?? String(v);
    };
    if (last === "*" && Array.isArray(parent)) {
      parent.forEach((_, i) => restore(String(i), `/${segments.join("/")}/${i}`));
    } else {
      restore(last, ptr);
    }
  }
  return root;
}
