import { describe, expect, test } from "@jest/globals";
import { MAX_YAML_LINES, parseYaml } from "../../src/core/yaml/parse.js";
import { ALIAS_BOMB } from "../support/hostile-yaml.js";
import { narrow } from "../support/narrow.js";

function errorCodes(source: string): string[] {
  const r = parseYaml(source, "the contract");
  return r.ok ? [] : r.errors.map((e) => e.code);
}

describe("parseYaml", () => {
  test.each([
    ["duplicate keys", "a: 1\na: 2", "yaml.duplicate-key"],
    ["an alias", "a: &x [1]\nb: *x", "yaml.alias"],
    ["two documents", "a: 1\n---\nb: 2", "yaml.multiple-documents"],
    ["an unknown tag (a warning)", "a: !!js/function x", "yaml.warning"],
    ["a %YAML directive", "%YAML 1.1\n---\na: 1", "yaml.directive"],
    ["broken syntax", "a: [1", "yaml.syntax"],
    ["an empty block", "", "yaml.empty"],
    ["only a comment", "# nothing", "yaml.empty"],
    ["deep flow nesting", "[".repeat(5000) + "]".repeat(5000), "yaml.depth"],
    ["deep block sequences", "- ".repeat(3000) + "x", "yaml.depth"],
    [
      "deep block mappings",
      "a:\n" + Array.from({ length: 40 }, (_, i) => " ".repeat(i + 1) + "b:").join("\n") + " 1",
      "yaml.depth",
    ],
  ])("rejects %s", (_name, source, code) => {
    expect(errorCodes(source)).toContain(code);
  });

  test("an alias bomb is refused before it is expanded", () => {
    expect(errorCodes(ALIAS_BOMB)).toContain("yaml.alias");
  });

  test.each([
    [
      "every indented line",
      "nmoe:\n\tissue: 01\n\tkind: docs\n\trisk: cold\n",
      "3 lines are indented with tabs",
      "line 2, column 1",
    ],
    [
      "one line among spaces",
      "nmoe:\n  issue: 01\n\tkind: docs\n",
      "a line is indented with a tab",
      "line 3, column 1",
    ],
    ["a tab after spaces", "nmoe:\n \tissue: 1\n", "a line is indented with a tab", "line 2, column 2"],
  ])("tab indentation (%s) is one problem that says to indent with spaces", (_name, source, says, where) => {
    const r = narrow(parseYaml(source, "the contract"), "ok", false);
    expect(r.errors).toEqual([
      {
        code: "yaml.tab-indent",
        path: "",
        message: `${says}; YAML indents with spaces only (${where})`,
        hint: "indent with spaces instead of tabs (two per level, as in the template)",
      },
    ]);
  });

  test("a tab inside a value is not indentation", () => {
    expect(parseYaml("a: 'x\ty'\n", "the contract").ok).toBe(true);
  });

  test("names the line of an alias", () => {
    const r = narrow(parseYaml("a: &x 1\nb: *x\n", "the contract"), "ok", false);
    expect(r.errors[0]!.message).toBe("aliases are not allowed (*x at line 2)");
  });

  test("keeps the text of numbers so ids survive as written", () => {
    const r = narrow(parseYaml("depends_on: [01, 03a]\nissue: 007\nbudget: -10\n", "the contract"), "ok", true);
    expect(r.value.value).toEqual({ depends_on: [1, "03a"], issue: 7, budget: -10 });
    expect(Object.fromEntries(r.value.numberSource)).toEqual({
      "/depends_on/0": "01",
      "/issue": "007",
      "/budget": "-10",
    });
  });
});

describe("parseYaml: size caps before the parser runs", () => {
  test("more lines than a block may have is refused without parsing", () => {
    const r = parseYaml("k: v\n".repeat(MAX_YAML_LINES + 1), "the contract");
    expect(r.ok ? undefined : r.errors[0]?.code).toBe("yaml.too-many-lines");
  });

  test("hundreds of duplicate keys are reported, found with a set", () => {
    const r = parseYaml("k: v\n".repeat(900), "the contract");
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toContain("yaml.duplicate-key");
  });
});
