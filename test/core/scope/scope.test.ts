import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { checkScope, type ChangedFile } from "../../../src/core/scope/check.js";
import {
  compileScope,
  MAX_PATTERN_LENGTH,
  MAX_PATTERNS_PER_LIST,
  WorkBudget,
  type ScopeInput,
  type ScopeMatcher,
} from "../../../src/core/scope/match.js";

function matcher(scope: ScopeInput, budget?: WorkBudget): ScopeMatcher {
  const r = compileScope(scope, budget === undefined ? {} : { budget });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

const modified = (path: string): ChangedFile => ({ path, status: "modified" });

describe("compileScope: matching", () => {
  test.each([
    // [name, allow, deny, path, expected]
    ["`**` includes dotfiles", ["**"], [], ".github/workflows/ci.yml", "in"],
    ["`*` includes a dotfile at the root", ["*"], [], ".env", "in"],
    ["`*` does not cross `/`", ["src/*"], [], "src/a/b.ts", "not-allowed"],
    ["`*` matches one level", ["src/*"], [], "src/b.ts", "in"],
    ["`**` crosses `/`", ["src/**"], [], "src/a/b/c.ts", "in"],
    ["`dir/**` reaches dot folders below", ["src/**"], [], "src/.cache/x", "in"],
    ["a trailing `/` covers everything below", ["docs/"], [], "docs/a/b.md", "in"],
    ["a trailing `/` does not cover a file named like the folder", ["docs/"], [], "docs", "not-allowed"],
    ["matching is case-sensitive", ["Docs/**"], [], "docs/a.md", "not-allowed"],
    ["an exact file", ["nmoe/model.py"], [], "nmoe/model.py", "in"],
    ["a sibling of an exact file", ["nmoe/model.py"], [], "nmoe/model_2.py", "not-allowed"],
    ["`?` is one character", ["a?.ts"], [], "ab.ts", "in"],
    ["a character class", ["v[0-9].md"], [], "v7.md", "in"],
    ["deny wins over allow", ["nmoe/**"], ["nmoe/csrc/**"], "nmoe/csrc/kernel.cu", "denied"],
    ["deny does not touch other folders", ["nmoe/**"], ["nmoe/csrc/**"], "nmoe/attention/x.py", "in"],
    ["an empty allow list allows nothing", [], [], "README.md", "not-allowed"],
    ["a deny trailing `/`", ["**"], [".github/"], ".github/workflows/x.yml", "denied"],
  ])("%s", (_name, allow, deny, path, expected) => {
    const d = matcher({ allow, deny }).decide(path);
    expect(d.inScope ? "in" : d.reason).toBe(expected);
  });

  test("the deny pattern that matched is named (the first in contract order)", () => {
    const d = matcher({ allow: ["**"], deny: ["*.md", "docs/**", "docs/*.md"] }).decide("docs/a.md");
    expect(d).toEqual({ inScope: false, reason: "denied", pattern: "docs/**" });
  });

  test("braces and parentheses are never expanded into alternatives", () => {
    // Rejected at compile time, so `x{1,3}` can never silently mean `x|xx|xxx`.
    expect(compileScope({ allow: ["x{1,3}"] }).ok).toBe(false);
  });
});

describe("compileScope: bad patterns are rejected with a clear error", () => {
  test.each([
    ["negation", "!src/**", "scope.negation", /move `src\/\*\*` to `scope.deny`/],
    ["brace expansion", "src/*.{js,ts}", "scope.unsupported-syntax", /list each alternative/],
    ["extglob", "+(a|b)/**", "scope.unsupported-syntax", /list each alternative/],
    ["extglob star", "*(a)", "scope.unsupported-syntax", /list each alternative/],
    ["an absolute path", "/etc/passwd", "scope.absolute", /`etc\/passwd`/],
    ["a `..` segment", "src/../secrets/**", "scope.parent-segment", /without `\.\.`/],
    ["a backslash", "src\\*.ts", "scope.backslash", /POSIX/],
    ["a leading ./", "./src/**", "scope.dot-segment", /`src\/\*\*`/],
    ["a double slash", "src//a", "scope.empty-segment", /single `\/`/],
    ["an empty pattern", "", "scope.empty-pattern", /remove/],
    ["an over-long pattern", "a/".repeat(MAX_PATTERN_LENGTH) + "x", "scope.pattern-too-long", /`\*\*`/],
    ["three stars", "src/***/x", "scope.triple-star", /`\*\*` as a whole folder name/],
    ["a `[!…]` class", "src/[!a]*.py", "scope.class-negation", /`\[\^a\]`/],
    ["a `/` inside a class", "src[/]x", "scope.class-slash", /inside one folder name/],
    ["a POSIX class", "[[:alpha:]]*", "scope.class-posix", /`\[a-z\]`/],
    ["a backwards range", "v[9-0].md", "scope.class-range", /`\[a-z\]`/],
    ["a class that starts with `]`", "x[]a]", "scope.class-bracket", /`\[abc\]`/],
  ])("%s", (_name, pattern, code, hint) => {
    const r = compileScope({ allow: ["ok/**", pattern] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ code, path: "/scope/allow/1" });
    expect(r.errors[0]!.message).toContain(JSON.stringify(pattern).slice(0, 40));
    expect(r.errors[0]!.hint).toMatch(hint);
  });

  test("a negated deny pattern gets a deny-side hint", () => {
    const r = compileScope({ allow: ["**"], deny: ["!docs/**"] });
    expect(r.ok ? undefined : r.errors[0]).toMatchObject({
      code: "scope.negation",
      path: "/scope/deny/0",
      hint: expect.stringContaining("add `docs/**` to `scope.allow`"),
    });
  });

  test("every bad pattern in both lists is reported", () => {
    const r = compileScope({ allow: ["/a", "ok", "!b"], deny: ["c/../d"] });
    expect(r.ok ? [] : r.errors.map((e) => e.path)).toEqual(["/scope/allow/0", "/scope/allow/2", "/scope/deny/0"]);
  });

  test("too many patterns in one list", () => {
    const r = compileScope({ allow: Array.from({ length: MAX_PATTERNS_PER_LIST + 1 }, (_, i) => `f${i}`) });
    expect(r.ok ? undefined : r.errors[0]?.code).toBe("scope.too-many-patterns");
  });

  test("exactly the cap is fine", () => {
    expect(compileScope({ allow: Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `f${i}`) }).ok).toBe(true);
  });
});

describe("checkScope", () => {
  const nmoe = matcher({ allow: ["nmoe/attention/**", "nmoe/model.py"], deny: ["nmoe/csrc/**"] });

  test("an in-scope PR has no violations", () => {
    expect(checkScope(nmoe, [modified("nmoe/model.py"), { path: "nmoe/attention/new.py", status: "added" }])).toEqual({
      checked: 2,
      violations: [],
    });
  });

  test.each<[string, ChangedFile, object[]]>([
    [
      "an added file outside scope",
      { path: "README.md", status: "added" },
      [{ path: "README.md", reason: "not-allowed", status: "added" }],
    ],
    [
      "a removed file in a denied folder",
      { path: "nmoe/csrc/k.cu", status: "removed" },
      [{ path: "nmoe/csrc/k.cu", reason: "denied", pattern: "nmoe/csrc/**", status: "removed" }],
    ],
    [
      "a rename out of a denied folder (the old path)",
      { path: "nmoe/attention/k.cu", previous_filename: "nmoe/csrc/k.cu", status: "renamed" },
      [
        {
          path: "nmoe/csrc/k.cu",
          reason: "denied",
          pattern: "nmoe/csrc/**",
          status: "renamed",
          side: "old",
          renamedTo: "nmoe/attention/k.cu",
        },
      ],
    ],
    [
      "a rename into a folder that is not allowed (the new path)",
      { path: "tools/x.py", previous_filename: "nmoe/attention/x.py", status: "renamed" },
      [
        {
          path: "tools/x.py",
          reason: "not-allowed",
          status: "renamed",
          side: "new",
          renamedFrom: "nmoe/attention/x.py",
        },
      ],
    ],
    [
      "a rename with both ends out of scope reports both",
      { path: "tools/k.cu", previous_filename: "nmoe/csrc/k.cu", status: "renamed" },
      [
        { path: "nmoe/csrc/k.cu", reason: "denied", pattern: "nmoe/csrc/**", side: "old" },
        { path: "tools/k.cu", reason: "not-allowed", side: "new" },
      ],
    ],
    [
      "a copy out of a denied folder checks only the new path",
      { path: "nmoe/attention/k.cu", previous_filename: "nmoe/csrc/k.cu", status: "copied" },
      [],
    ],
    [
      "a copy into a denied folder",
      { path: "nmoe/csrc/k2.cu", previous_filename: "nmoe/attention/k.cu", status: "copied" },
      [{ path: "nmoe/csrc/k2.cu", reason: "denied", status: "copied" }],
    ],
    [
      "a mode change (changed) counts as a change",
      { path: "nmoe/csrc/run.sh", status: "changed" },
      [{ path: "nmoe/csrc/run.sh", reason: "denied" }],
    ],
  ])("%s", (_name, file, expected) => {
    const result = checkScope(nmoe, [modified("nmoe/model.py"), file]);
    expect(result.checked).toBe(2);
    expect(result.violations).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(result.violations[i]).toMatchObject(e));
  });

  test("violations are sorted by path whatever the input order", () => {
    const files = ["z.md", "a.md", "nmoe/csrc/b.cu", "m/x.py"].map(modified);
    expect(checkScope(nmoe, files).violations.map((v) => v.path)).toEqual(["a.md", "m/x.py", "nmoe/csrc/b.cu", "z.md"]);
  });

  test("a file listed twice is one violation", () => {
    expect(checkScope(nmoe, [modified("a.md"), modified("a.md")]).violations).toHaveLength(1);
  });

  test("a spent work budget is no answer: no violations, and the reason", () => {
    const costly = matcher({ allow: ["*" + "a".repeat(100) + "b"], deny: [] }, new WorkBudget(100_000));
    const files = Array.from({ length: 10 }, (_, i) => modified("a".repeat(4000) + i));
    expect(checkScope(costly, files)).toEqual({
      checked: 10,
      violations: [],
      overBudget: { limit: 100_000, files: 10 },
    });
  });

  test("the default budget decides a large honest scope", () => {
    const big = matcher({
      allow: Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `pkg${i}/**`),
      deny: Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `pkg${i}/secret/**`),
    });
    const files = Array.from({ length: 3000 }, (_, i): ChangedFile => ({
      path: `pkg${i % 250}/src/module${i}.py`,
      status: "renamed",
      previous_filename: `pkg${i % 200}/old/module${i}.py`,
    }));
    const result = checkScope(big, files);
    expect(result.overBudget).toBeUndefined();
    expect(result.violations.map((v) => v.path)).toHaveLength(3000 - 2400);
  });
});

describe("scope properties", () => {
  const segment = fc.stringMatching(/^[a-z.][a-z0-9._-]{0,7}$/).filter((s) => s !== "." && s !== "..");
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join("/"));
  const glob = fc
    .oneof(
      path,
      path.map((p) => p + "/"),
      path.map((p) => p.split("/").slice(0, -1).concat("**").join("/")),
      path.map((p) => p.split("/").slice(0, -1).concat("*").join("/")),
      fc.constant("**"),
    )
    .filter((g) => g.length > 0);
  const status = fc.constantFrom<ChangedFile["status"]>("added", "modified", "removed", "renamed", "copied", "changed");
  const file: fc.Arbitrary<ChangedFile> = fc.record({
    path,
    status,
    previous_filename: fc.option(path, { nil: undefined }),
  });

  test("deny always wins: a path any deny pattern matches is never in scope", () => {
    fc.assert(
      fc.property(
        fc.array(glob, { maxLength: 5 }),
        fc.array(glob, { minLength: 1, maxLength: 5 }),
        path,
        (allow, deny, p) => {
          const m = matcher({ allow: [...allow, p], deny: [...deny, p] });
          const d = m.decide(p);
          expect(d).toEqual({ inScope: false, reason: "denied", pattern: expect.any(String) });
        },
      ),
    );
  });

  test("deny always wins: if any single deny pattern denies a path, the whole scope does", () => {
    fc.assert(
      fc.property(
        fc.array(glob, { maxLength: 5 }),
        fc.array(glob, { minLength: 1, maxLength: 5 }),
        path,
        (allow, deny, p) => {
          const full = matcher({ allow: ["**", ...allow], deny });
          const deniedByOne = deny.some((d) => !matcher({ allow: ["**"], deny: [d] }).decide(p).inScope);
          expect(full.decide(p).inScope).toBe(!deniedByOne);
        },
      ),
    );
  });

  test("a path matched by no allow pattern is never in scope", () => {
    fc.assert(
      fc.property(fc.array(glob, { maxLength: 5 }), fc.array(glob, { maxLength: 5 }), path, (allow, deny, p) => {
        const onlyAllow = matcher({ allow, deny: [] });
        const full = matcher({ allow, deny });
        // Not allowed implies not in scope, whatever deny says…
        expect(!onlyAllow.decide(p).inScope && full.decide(p).inScope).toBe(false);
        // …and a path out of scope is reported as a violation, one in scope is not.
        expect(checkScope(full, [modified(p)]).violations.map((v) => v.path)).toEqual(
          full.decide(p).inScope ? [] : [p],
        );
      }),
    );
  });

  test("results do not depend on file order", () => {
    fc.assert(
      fc.property(
        fc.array(glob, { maxLength: 5 }),
        fc.array(glob, { maxLength: 3 }),
        fc.array(file, { maxLength: 12 }),
        fc.nat(),
        (allow, deny, files, seed) => {
          const m = matcher({ allow, deny });
          const shuffled = [...files].sort((a, b) => (hash(a.path + seed) - hash(b.path + seed)) | 0);
          expect(checkScope(m, shuffled)).toEqual(checkScope(m, files));
          expect(checkScope(m, [...files].reverse())).toEqual(checkScope(m, files));
        },
      ),
    );
  });
});

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
