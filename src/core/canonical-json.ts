/**
 * Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped. Two
 * values that mean the same have the same bytes, so a hash or a seal over them is stable.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    // Only what JSON can hold: a function, a symbol or a non-finite number would be silently lost.
    if (text === undefined || (typeof value === "number" && !Number.isFinite(value)))
      throw new Error(`canonicalJson: ${typeof value} is not JSON`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
