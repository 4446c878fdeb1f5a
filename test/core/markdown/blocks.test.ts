import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { outline } from "../../../src/core/markdown/blocks.js";

/** The regexes the outline used before it read lines in code (they backtracked for seconds on hostile lines). */
const OLD_FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const OLD_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$/;

function oldHeading(line: string): { level: number; text: string } | undefined {
  const m = OLD_HEADING.exec(line.replace(/[ \t]+$/, ""));
  return m ? { level: m[1]!.length, text: (m[2] ?? "").trim() } : undefined;
}

function oldFence(line: string): string | undefined {
  const m = OLD_FENCE.exec(line.replace(/[ \t]+$/, ""));
  return m ? m[2]!.toLowerCase() : undefined;
}

describe("outline: headings and fences read line by line", () => {
  test.each([
    ["# Title", { level: 1, text: "Title" }],
    ["### Agent Contract (YAML, required)", { level: 3, text: "Agent Contract (YAML, required)" }],
    ["## Closed ##  ", { level: 2, text: "Closed" }],
    ["#", { level: 1, text: "" }],
    ["########", { level: 6, text: "" }],
    ["####### seven", undefined],
    ["#tag", undefined],
    ["    # indented code", undefined],
    ["   # three spaces", { level: 1, text: "three spaces" }],
    ["# a #b", { level: 1, text: "a #b" }],
  ])("%j", (line, expected) => {
    const o = outline(line);
    expect(o.headings.map(({ level, text }) => ({ level, text }))[0]).toEqual(expected);
    expect(oldHeading(line)).toEqual(expected);
  });

  test.each([
    ["```yaml", "yaml"],
    ["~~~ YML extra words", "yml"],
    ["````", ""],
    ["``` yaml `inline`", undefined],
    ["~~~ a`b", undefined],
  ])("fence %j", (line, lang) => {
    const o = outline(`${line}\nx: 1\n${line.startsWith("~") ? "~~~~~" : "`````"}`);
    expect(o.blocks.find((b) => b.line === 1)?.lang).toBe(lang);
    expect(oldFence(line)).toBe(lang);
  });

  test("property: the same headings and fence languages as the old regexes on lines of the characters that matter", () => {
    const line = fc.stringMatching(/^[ #\t`~ax]{0,12}$/);
    fc.assert(
      fc.property(line, (l) => {
        const o = outline(l);
        const fence = oldFence(l);
        const h = o.headings[0];
        // A fence line opens a block of that language; any other line is a heading (or nothing) as before.
        expect({
          lang: o.blocks[0]?.lang,
          heading: fence === undefined && h !== undefined ? { level: h.level, text: h.text } : undefined,
        }).toEqual({ lang: fence, heading: fence === undefined ? oldHeading(l) : undefined });
      }),
      { numRuns: 5000 },
    );
  });

  test.each([
    ["64 KiB of spaces then a letter", " ".repeat(65_530) + "x"],
    ["a fence marker then 64 KiB of letters and a backtick", "```" + "a".repeat(65_530) + "`"],
    ["a heading of 64 KiB of ` #`", "# " + " #".repeat(32_760) + "x"],
  ])("hostile lines still give the right outline: %s", (_name, line) => {
    const o = outline(line + "\n### Agent Contract\n```yaml\na: 1\n```");
    expect(o.headings.at(-1)?.text).toBe("Agent Contract");
    expect(o.blocks.at(-1)?.content).toBe("a: 1");
  });
});
