/**
 * The token scanner (shared separators, rare-character anchors, bigram filter) must find exactly what
 * trying every family's sticky regex at every occurrence of one of its prefixes finds: that brute
 * force is the oracle, on random text made of prefixes, token characters and separators.
 */
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { TOKEN_FAMILIES, tokenRules } from "../../../src/core/sanitize/tokens.js";

const compiled = TOKEN_FAMILIES.map((f) => ({
  family: f,
  sticky: new RegExp(`(?<![${f.notAfter ?? "A-Za-z0-9_"}])(?:${f.pattern})`, "y"),
}));

function bruteForce(text: string): Map<string, Array<[number, number]>> {
  const found = new Map<string, Array<[number, number]>>();
  for (let p = 0; p < text.length; p++) {
    for (const { family, sticky } of compiled) {
      if (!family.prefixes.some((prefix) => text.startsWith(prefix, p))) continue;
      sticky.lastIndex = p;
      const m = sticky.exec(text);
      if (m === null || (family.accept !== undefined && !family.accept(m[0]))) continue;
      found.set(family.id, [...(found.get(family.id) ?? []), [p, p + m[0].length]]);
    }
  }
  return found;
}

const rules = tokenRules();
function scanned(text: string): Map<string, Array<[number, number]>> {
  // Sorted by start, as the brute force finds them.
  const found = new Map<string, Array<[number, number]>>();
  for (const rule of rules) {
    const spans = [...rule.find(text, { hosts: { suffixes: [], hosts: new Set(), allowed: [] } })];
    if (spans.length > 0)
      found.set(
        rule.id,
        // The sanitizer sorts hits; the scanner finds them anchor by anchor.
        spans.map((s): [number, number] => [s.start, s.end]).sort((a, b) => a[0] - b[0] || a[1] - b[1]),
      );
  }
  return found;
}

const prefixes = [...new Set(TOKEN_FAMILIES.flatMap((f) => f.prefixes))];
const FRAGMENTS = [
  ..."_-. x9A\n",
  "0123456789abcdef0123456789abcdef",
  "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
  "eyJhbGciOiJIUzI1NiJ9",
  "-1",
  "xyz",
];

describe("token scanner", () => {
  test("finds what every family's regex finds at every prefix occurrence", () => {
    let matched = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...prefixes), fc.constantFrom(...FRAGMENTS)), { maxLength: 30 }),
        (parts) => {
          const text = parts.join("");
          const expected = bruteForce(text);
          if (expected.size > 0) matched++;
          expect(scanned(text)).toEqual(expected);
        },
      ),
      { numRuns: 3000 },
    );
    expect(matched).toBeGreaterThan(100);
  });
});
