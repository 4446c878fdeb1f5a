import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { code, inline, plainText, prose, table } from "../../../src/core/render/markdown.js";
import { fieldName } from "../../../src/core/render/problems.js";

describe("user text in Markdown", () => {
  test.each([
    ["a table pipe", "a | b", "a \\| b"],
    ["a mention", "ping @octocat", "ping @\u200boctocat"],
    ["an issue reference", "see #12", "see #\u200b12"],
    ["HTML", "<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"],
    ["a newline", "one\ntwo", "one two"],
  ])("inline() defuses %s", (_name, input, expected) => {
    expect(inline(input)).toBe(expected);
  });

  test("prose() keeps our code spans but not HTML or pings", () => {
    expect(prose("did you mean `scope`? <b>@team</b>")).toBe("did you mean `scope`? \\<b\\>@\u200bteam\\</b\\>");
  });

  test("prose() breaks an @ or # right before a code span, so no name around the span reads as a ping", () => {
    // The property test's counterexample: `@` + a code span + `0` read as `@0` once the span is taken out.
    expect(prose("@``@x``0 and #`x`1")).toBe("@\u200b``@\u200bx``0 and #\u200b`x`1");
  });

  test("code() cannot be closed early by a backtick", () => {
    expect(code("a`b")).toBe("`aˋb`");
  });

  test("fieldName shows JSON pointers the way authors write keys", () => {
    expect(fieldName("/nmoe/depends_on/0")).toBe("nmoe.depends_on[0]");
    expect(fieldName("/gates/b200:x~1y/tier")).toBe("gates.b200:x/y.tier");
  });

  test("no user text can add a row or a column to a table", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const rendered = table(["a", "b"], [[inline(text), "x"]]);
        const lines = rendered.split("\n");
        expect(lines).toHaveLength(3);
        // Unescaped pipes delimit cells: exactly three in a two-column row.
        expect(lines[2]!.replace(/\\\|/g, "").split("|").length - 1).toBe(3);
      }),
    );
  });
});

describe("plainText: the same text for a terminal", () => {
  // prose() and inline() fold whitespace and trim; a zero-width space right after @ or # is the
  // one thing a round trip cannot tell apart from the one they insert.
  const oneLine = fc.string({ maxLength: 200 }).map((s) =>
    s
      .replace(/[\r\n\t]+/g, " ")
      .replace(/\s{2,}/g, " ")
      .trim()
      .replace(/[@#]\u200b/g, ""),
  );

  test("undoes prose(): any one-line text comes back as written", () => {
    fc.assert(fc.property(oneLine, (s) => expect(plainText(prose(s))).toBe(s)));
  });

  test("undoes inline(): any one-line text comes back as written", () => {
    fc.assert(fc.property(oneLine, (s) => expect(plainText(inline(s))).toBe(s)));
  });

  test.each([
    ["a placeholder in a hint", "pass --registry \\<gates.toml\\>", "pass --registry <gates.toml>"],
    ["a defused mention", "@\u200bmona and #\u200b12", "@mona and #12"],
    ["code spans keep their backticks", "`nmoe/csrc/**`", "`nmoe/csrc/**`"],
  ])("%s", (_name, markdown, text) => {
    expect(plainText(markdown)).toBe(text);
  });
});
