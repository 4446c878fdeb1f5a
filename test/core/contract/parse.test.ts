import { describe, expect, test } from "@jest/globals";
import { MAX_BLOCK_BYTES, parseContract } from "../../../src/core/contract/parse.js";
import type { Problem } from "../../../src/core/problem.js";
import { ALIAS_BOMB } from "../../support/hostile-yaml.js";
import { aContract, toYaml } from "./builders.js";

function errors(source: string, headerKey?: string): Problem[] {
  const r = parseContract(source, headerKey);
  return r.ok ? [] : r.errors;
}

const valid = toYaml(aContract());

describe("parseContract: hardened YAML", () => {
  test.each([
    ["broken YAML", "nmoe: [1\nscope: {", "yaml.syntax"],
    ["an alias", valid + "extra: &x [a]\nmore: *x\n", "yaml.alias"],
    ["an alias bomb", ALIAS_BOMB, "yaml.alias"],
    ["deep flow nesting", "nmoe: " + "[".repeat(10_000) + "]".repeat(10_000), "yaml.depth"],
    [
      "deep block nesting",
      "nmoe:\n" + Array.from({ length: 60 }, (_, i) => " ".repeat(i + 1) + "k:").join("\n") + " 1",
      "yaml.depth",
    ],
    ["duplicate keys", valid + "scope:\n  allow: [x]\n", "yaml.duplicate-key"],
    ["two documents", valid + "---\n" + valid, "yaml.multiple-documents"],
    ["a tag", valid.replace("kind: feature", "kind: !!python/object feature"), "yaml.warning"],
    ["an empty block", "", "yaml.empty"],
  ])("rejects %s", (_name, source, code) => {
    expect(errors(source).map((e) => e.code)).toContain(code);
  });

  test("an oversize block is refused before parsing", () => {
    const big = valid + "# " + "x".repeat(MAX_BLOCK_BYTES) + "\n";
    expect(errors(big)).toEqual([expect.objectContaining({ code: "contract.block-too-large", path: "" })]);
  });

  test("the size cap counts bytes, not characters", () => {
    const emoji = "😀".repeat(MAX_BLOCK_BYTES / 4); // 4 bytes each: exactly at the cap plus the rest
    expect(errors(valid + "# " + emoji).map((e) => e.code)).toEqual(["contract.block-too-large"]);
  });
});

describe("parseContract: schema errors say where, what and how to fix", () => {
  test.each([
    [
      "a misspelt top-level key",
      valid.replace("scope:", "scoep:"),
      { code: "schema.unknown-key", path: "/scoep", hint: "did you mean `scope`?" },
    ],
    [
      "a misspelt nested key",
      valid.replace("required:", "requird:"),
      { code: "schema.unknown-key", path: "/gates/requird", hint: "did you mean `required`?" },
    ],
    [
      "an unknown key",
      valid + "owner: alice\n",
      {
        code: "schema.unknown-key",
        path: "/owner",
        hint: "known keys here: `nmoe`, `scope`, `contract`, `gates`, `branch`, `artifacts_under`, `read_only`, `experiment`",
      },
    ],
    [
      "an unknown header key",
      valid.replace("  kind:", "  team: core\n  kind:"),
      { code: "schema.unknown-key", path: "/nmoe/team" },
    ],
    [
      "a wrong enum",
      valid.replace("kind: feature", "kind: feat"),
      {
        code: "schema.enum",
        path: "/nmoe/kind",
        message:
          '`nmoe.kind` is "feat", which is not one of "feature", "bugfix", "perf", "refactor", "docs", "experiment"',
      },
    ],
    [
      "a near-miss enum",
      valid.replace("risk: warm", "risk: wamr"),
      { code: "schema.enum", path: "/nmoe/risk", hint: "did you mean `warm`?" },
    ],
    [
      "a string where a list belongs",
      valid.replace(/allow:\n\s+- nmoe\/router\/\*\*/, "allow: nmoe/router/**"),
      {
        code: "schema.type",
        path: "/scope/allow",
        message: '`scope.allow` is "nmoe/router/**" (string), expected array',
      },
    ],
    [
      "a string budget",
      toYaml(aContract({ gates: { required: [], perf: { gate: "p", compare: "c", metric: "m", budget_pct: "ten" } } })),
      { code: "schema.type", path: "/gates/perf/budget_pct" },
    ],
    [
      "a missing section",
      toYaml(aContract({ scope: undefined })),
      { code: "schema.required", path: "/scope", hint: "add `scope:`" },
    ],
    [
      "a bad id",
      toYaml(aContract({ nmoe: { issue: "#12", kind: "docs", risk: "cold" } })),
      { code: "schema.pattern", path: "/nmoe/issue" },
    ],
    [
      "a list with a repeated gate",
      toYaml(aContract({ gates: { required: ["a", "a"] } })),
      { code: "schema.duplicate", path: "/gates/required" },
    ],
    [
      "a scalar instead of a mapping",
      "just text",
      { code: "schema.type", path: "", message: 'the contract is "just text" (string), expected object' },
    ],
  ])("%s", (_name, source, expected) => {
    expect(errors(source)).toEqual([expect.objectContaining(expected)]);
  });

  test("every schema error has a path, a message and a hint", () => {
    const bad = toYaml({
      nmoe: { issue: 1.5e99, kind: 3, risk: "x", complexity: "XL", depends_on: "1" },
      scope: { allow: [""] },
      gates: { required: [""], perf: {} },
      extra: 1,
    });
    const found = errors(bad);
    expect(found.length).toBeGreaterThan(5);
    for (const e of found) {
      expect(e.path).toMatch(/^(\/[^/]+)*$/);
      expect(e.message.length).toBeGreaterThan(0);
      expect(e.hint ?? "").not.toBe("");
    }
  });

  test("lists and strings are bounded", () => {
    const many = toYaml(aContract({ scope: { allow: Array.from({ length: 201 }, (_, i) => `d${i}/**`) } }));
    expect(errors(many).map((e) => e.code)).toEqual(["schema.maxItems"]);
    const long = toYaml(aContract({ contract: { invariants: ["x".repeat(501)] } }));
    expect(errors(long).map((e) => [e.code, e.path])).toEqual([["schema.maxLength", "/contract/invariants/0"]]);
  });
});

describe("parseContract: ids are kept as written", () => {
  const withIds = (issue: string, deps: string) =>
    valid.replace(/issue: .*/, `issue: ${issue}`).replace(/depends_on:\n(\s+- .*\n)+/, `depends_on: ${deps}\n`);
  test.each([
    ["02", "[01]", "02", ["01"]],
    ["03a", "[01, 03b, 7]", "03a", ["01", "03b", "7"]],
    ["3", "[0004]", "3", ["0004"]],
    ['"007"', '["01"]', "007", ["01"]],
  ])("issue: %s, depends_on: %s", (issue, deps, wantIssue, wantDeps) => {
    const r = parseContract(withIds(issue, deps));
    expect(r.ok && r.value.nmoe).toMatchObject({ issue: wantIssue, depends_on: wantDeps });
  });

  test("a scalar depends_on is shown as written in the error", () => {
    expect(errors(withIds("1", "01"))[0]!.message).toBe('`nmoe.depends_on` is "01" (string), expected array');
  });

  test.each([
    ["1 and 01", "12", "[1, 01]", "contract.duplicate-dependency", "/nmoe/depends_on/1"],
    ['01 and "1"', "12", '[01, "1"]', "contract.duplicate-dependency", "/nmoe/depends_on/1"],
    ["itself", "012", "[3, 12]", "contract.self-dependency", "/nmoe/depends_on/1"],
  ])("depends_on naming %s is an error", (_name, issue, deps, code, path) => {
    expect(errors(withIds(issue, deps))).toEqual([expect.objectContaining({ code, path })]);
  });

  test("other numbers stay numbers", () => {
    const r = parseContract(
      toYaml(aContract({ gates: { required: [], perf: { gate: "p", compare: "c", metric: "m", budget_pct: -10 } } })),
    );
    expect(r.ok && r.value.gates.perf?.budget_pct).toBe(-10);
  });
});

describe("parseContract: a configured header key", () => {
  const proj = valid.replace(/^nmoe:/m, "proj:");
  test("is renamed to nmoe for the schema", () => {
    const r = parseContract(proj, "proj");
    expect(r.ok && r.value.nmoe.issue).toBe("12");
  });

  test("ids under it are restored", () => {
    const r = parseContract(proj.replace(/issue: .*/, "issue: 012"), "proj");
    expect(r.ok && r.value.nmoe.issue).toBe("012");
  });

  test("errors point at the author's key", () => {
    expect(errors(proj.replace("kind: feature", "kind: nope"), "proj")).toEqual([
      expect.objectContaining({ path: "/proj/kind", message: expect.stringMatching(/^`proj\.kind` is "nope"/) }),
    ]);
  });

  test("a typo of it is suggested", () => {
    expect(errors(proj.replace(/^proj:/m, "porj:"), "proj")).toEqual([
      expect.objectContaining({ path: "/porj", hint: "did you mean `proj`?" }),
    ]);
  });

  test("writing nmoe: instead says which key the repo uses", () => {
    expect(errors(valid, "proj")).toEqual([
      expect.objectContaining({ path: "/nmoe", hint: "this repository's contracts use `proj:` as the header key" }),
    ]);
  });

  test("a missing header names the author's key", () => {
    expect(errors(toYaml(aContract({ nmoe: undefined })), "proj")).toEqual([
      expect.objectContaining({
        path: "/proj",
        message: "the contract is missing the required key `proj`",
        hint: "add `proj:`",
      }),
    ]);
  });
});
