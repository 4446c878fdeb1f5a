import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import picomatch from "picomatch";
import { compileGlob, pathSegments, WorkBudget } from "../../../src/core/scope/glob.js";
import { compileScope, patternProblem } from "../../../src/core/scope/match.js";

/** What the scope matcher used before it had its own engine: the reference the answers must agree with. */
const PICOMATCH: picomatch.PicomatchOptions = {
  dot: true,
  nocase: false,
  noextglob: true,
  nobrace: true,
  nonegate: true,
  windows: false,
};

const matches = (pattern: string, path: string, budget = new WorkBudget()): boolean =>
  compileGlob(pattern).test(path, budget, pathSegments(path));

describe("compileGlob: the syntax", () => {
  test.each([
    // [pattern, path, expected]
    ["a/**", "a", true],
    ["a/**", "a/b/c", true],
    ["**", "a/.b", true],
    ["**/x", "x", true],
    ["**/x", "a/b/x", true],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/**/b", "a/b", true],
    ["a**", "abc", true],
    ["a**", "a/b", false],
    ["**a", "x/a", false],
    ["a/b**/c", "a/bx/c", true],
    ["*.md", "dir/x.md", false],
    ["**/*.md", "x.md", true],
    [".*", ".env", true],
    ["*", ".env", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "aXbYcZ", false],
    ["a*", "a", true],
    ["?", "é", true],
    ["?", "/", false],
    ["a?b", "a/b", false],
    ["[abc]", "b", true],
    ["[a-c]x", "bx", true],
    ["[^a]", "b", true],
    ["[^a]", "a", false],
    ["[a-]", "-", true],
    ["[abc]", "[abc]", true],
    ["x/[id].ts", "x/[id].ts", true],
    ["x/[id].ts", "x/i.ts", true],
    ["[a-c]", "[a-c]", true],
    ["*[a-c]", "x[a-c]", false],
    ["src/*/**", "src/x", false],
    ["src/*/**", "src/x/y", true],
    ["src/?/**", "src/x", true],
    ["[*]", "*", true],
    ["[?]", "?", true],
    ["[a", "[a", true],
    ["[]", "[]", true],
    ["x+", "x+", true],
    ["x+", "xx", false],
    ["a.b", "axb", false],
    ["$a^", "$a^", true],
    ["Docs/**", "docs/a.md", false],
    // picomatch's extension fast path: `**.<ext>` alone matches at any depth, dot files included
    ["**.x", "a/.x", true],
    ["**.pem", "keys/deep/server.pem", true],
    ["**.tar.gz", "dist/a.tar.gz", true],
    ["**.x", "a/x", false],
    ["a/**.x", "a/b/c.x", false],
    ["**.x*", "a/b.xy", false],
    ["**-x", "a/b-x", false],
    // and for `*.*`: a dot with something after it
    ["*.*", "a.", false],
    ["*.*", "a.b.", true],
    ["**/*.*", "x/a.", false],
    ["**/*.*", "x/.a", true],
    ["*.*.*", "a.b.", true],
  ])("%j against %j → %s", (pattern, path, expected) => {
    expect(matches(pattern, path)).toBe(expected);
    expect(picomatch(pattern, PICOMATCH)(path)).toBe(expected);
  });
});

describe("compileGlob: the same answers as picomatch on the patterns both accept", () => {
  const char = fc.constantFrom("a", "b", "c", ".", "-", "_", "x", "1");
  const name = fc.array(char, { minLength: 1, maxLength: 6 }).map((cs) => cs.join(""));
  const segment = name.filter((s) => s !== "." && s !== "..");
  const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
  const cls = fc.oneof(
    fc.constantFrom("[abc]", "[a-c]", "[^a]", "[^.]", "[.-]", "[x1]", "[ab]", "[a-]", "[^a-c_]"),
    fc.constant("["), // unclosed: literal
  );
  const piece = fc.oneof(
    { weight: 4, arbitrary: char },
    { weight: 2, arbitrary: fc.constant("*") },
    { weight: 1, arbitrary: fc.constant("**") },
    { weight: 2, arbitrary: fc.constant("?") },
    { weight: 1, arbitrary: cls },
  );
  const globSegment = fc.oneof(
    { weight: 5, arbitrary: fc.array(piece, { minLength: 1, maxLength: 5 }).map((ps) => ps.join("")) },
    { weight: 2, arbitrary: fc.constant("**") },
  );
  const glob = fc
    .array(globSegment, { minLength: 1, maxLength: 5 })
    .map((s) => s.join("/"))
    .filter((g) => patternProblem(g, "", "allow") === undefined);

  test("random globs against random paths", () => {
    fc.assert(
      fc.property(glob, path, (g, p) => {
        expect(matches(g, p)).toBe(picomatch(g, PICOMATCH)(p));
      }),
      { numRuns: 5000 },
    );
  });

  test("random globs against paths built to fit them", () => {
    // Most random pairs do not match; paths made by filling each wildcard exercise the matching side.
    const fitted = glob.chain((g) =>
      fc
        .tuple(
          ...g
            .split("/")
            .map((s) =>
              s === "**"
                ? fc.array(segment, { maxLength: 2 }).map((xs) => xs.join("/"))
                : fc
                    .tuple(...[...s].map((c) => (c === "*" ? name : c === "?" ? char : fc.constant(c))))
                    .map((cs) => cs.join("")),
            ),
        )
        .map((parts) => [g, parts.filter((x) => x !== "").join("/")] as const),
    );
    fc.assert(
      fc.property(fitted, ([g, p]) => {
        fc.pre(p !== "" && !p.split("/").some((s) => s === "." || s === ".." || s === ""));
        expect(matches(g, p)).toBe(picomatch(g, PICOMATCH)(p));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("compileGlob: the work is bounded by pattern × path", () => {
  // At most every instruction (about two per pattern character, for the literal reading of classes) per character.
  const bound = (pattern: string, path: string): number => (2 * pattern.length + 4) * (path.length + 2);

  test.each([
    ["twenty `*a` then `b` against 200 `a`s", "*a".repeat(20) + "*b", "a".repeat(200)],
    ["a glob at the length cap against a 4096-character name", "*a".repeat(127) + "*c", "a".repeat(4095) + "b"],
    ["globstars between every segment against a deep path", "**/a/".repeat(50) + "b", "a/".repeat(2000) + "c"],
    ["stars and classes against a long name", "*[ab]*[ab]*[ab]*[ab]*c".repeat(8), "ab".repeat(2000)],
  ])("%s", (_name, pattern, path) => {
    const budget = new WorkBudget(Number.MAX_SAFE_INTEGER);
    expect(matches(pattern, path, budget)).toBe(false);
    expect(budget.used).toBeLessThanOrEqual(bound(pattern, path));
  });

  test("property: any accepted glob against any path stays within the bound", () => {
    const pattern = fc.stringMatching(/^[ab*?/]{1,40}$/).filter((g) => patternProblem(g, "", "allow") === undefined);
    const path = fc.stringMatching(/^[ab/]{1,200}$/);
    fc.assert(
      fc.property(pattern, path, (g, p) => {
        const budget = new WorkBudget(Number.MAX_SAFE_INTEGER);
        matches(g, p, budget);
        expect(budget.used).toBeLessThanOrEqual(bound(g, p));
      }),
    );
  });

  // The wildcard algorithm's own worst case: one star before a long literal, against a long run.
  const costly = "*" + "a".repeat(100) + "b";
  const run = "a".repeat(4000);

  test("a spent budget stops the work and says so", () => {
    const budget = new WorkBudget(1000);
    expect(matches(costly, run, budget)).toBe(false);
    expect(budget.exceeded).toBe(true);
    expect(budget.used).toBeLessThanOrEqual(1001);
  });

  test("a match found after the budget ran out is not reported as a match", () => {
    const budget = new WorkBudget(1000);
    expect(matches(costly.slice(0, -1), run, budget)).toBe(false);
    expect(matches(costly.slice(0, -1), run, new WorkBudget())).toBe(true);
  });

  test("a scope shares one budget across its decisions", () => {
    const budget = new WorkBudget(1_000_000);
    const r = compileScope({ allow: [costly] }, { budget });
    if (!r.ok) throw new Error("expected a valid scope");
    expect(r.value.budget).toBe(budget);
    r.value.decide(run);
    expect(budget.exceeded).toBe(false);
    for (let i = 0; i < 5; i++) r.value.decide(run);
    expect(budget.exceeded).toBe(true);
  });
});
