import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { parseContract } from "../../../src/core/contract/parse.js";
import { compileRules, fillPlaceholders } from "../../../src/core/contract/rules.js";
import type { Problem } from "../../../src/core/problem.js";
import { compileScope } from "../../../src/core/scope/match.js";
import { compilePatterns } from "../../../src/core/scope/pattern-list.js";
import { aContract, toYaml } from "./builders.js";

/** The contract's problems with `over` merged into a valid contract (a top-level key set to undefined is removed). */
function problems(over: Record<string, unknown>): Problem[] {
  const r = parseContract(toYaml(aContract(over)));
  return r.ok ? [] : r.errors;
}

const header = { issue: "03a", slug: "attention", kind: "feature" as const, risk: "hot" as const };

describe("the contract's branch and path rules", () => {
  test("every new key is optional, and all of them together parse", () => {
    expect(problems({})).toEqual([]);
    expect(
      problems({
        nmoe: { ...header, kind: "experiment" },
        branch: ["issue/{id}-{slug}", "research/{slug}/*"],
        read_only: ["data/**", "configs/base.toml"],
        artifacts_under: ["experiments/{slug}/"],
        scope: { allow: ["nmoe/**", ".agents/**"], require: [".agents/logbooks/{slug}.md", ".agents/plans/*"] },
        experiment: { logbook: ".agents/logbooks/{slug}.md", cadence_hours: 6 },
      }),
    ).toEqual([]);
  });

  test.each<[string, Record<string, unknown>, Partial<Problem>]>([
    [
      "an unknown placeholder",
      { branch: "issue/{number}" },
      { code: "contract.unknown-placeholder", path: "/branch", hint: expect.stringContaining("{id}") as never },
    ],
    [
      "{slug} without a slug in the header",
      { nmoe: { issue: "7", kind: "feature", risk: "cold" }, scope: { allow: ["**"], require: ["logs/{slug}.md"] } },
      { code: "contract.missing-slug", path: "/scope/require/0" },
    ],
    ["a stray brace", { read_only: ["data/{id"] }, { code: "contract.unbalanced-brace", path: "/read_only/0" }],
    [
      "a read_only glob the matcher refuses (named in the author's terms)",
      { read_only: ["data", "/abs/**"] },
      {
        code: "scope.absolute",
        path: "/read_only/1",
        message: expect.stringContaining("the read_only pattern") as never,
      },
    ],
    [
      "a negated artifacts glob",
      { artifacts_under: ["!out/"] },
      { code: "scope.negation", path: "/artifacts_under/0", hint: expect.stringContaining("remove the `!`") as never },
    ],
    ["a branch with a space", { branch: "research/my topic" }, { code: "schema.pattern", path: "/branch" }],
    ["an empty branch list", { branch: [] }, { code: "schema.minItems", path: "/branch" }],
    [
      "a companion file the scope does not allow",
      { scope: { allow: ["nmoe/router/**"], require: [".claude/implementation/progress.md"] } },
      {
        code: "contract.require-out-of-scope",
        path: "/scope/require/0",
        hint: "add `.claude/implementation/progress.md` to scope.allow",
      },
    ],
    [
      "a companion file the scope denies",
      { scope: { allow: ["**"], deny: [".agents/**"], require: [".agents/logbooks/x.md"] } },
      { code: "contract.require-out-of-scope", message: expect.stringContaining("denied by `.agents/**`") as never },
    ],
    [
      "an experiment section on a feature contract",
      { experiment: { cadence_hours: 3 } },
      { code: "contract.experiment-kind", path: "/experiment" },
    ],
    [
      "a zero cadence",
      { nmoe: { ...header, kind: "experiment" }, experiment: { cadence_hours: 0 } },
      { code: "schema.exclusiveMinimum" },
    ],
  ])("%s", (_name, over, want) => {
    expect(problems(over)).toEqual(expect.arrayContaining([expect.objectContaining(want)]));
  });

  test("a companion glob is not checked against the scope (it may match allowed files)", () => {
    expect(problems({ scope: { allow: ["nmoe/**"], require: ["nmoe/**/progress.md"] } })).toEqual([]);
  });

  test("the compiled rules fill placeholders and match", () => {
    const parsed = parseContract(
      toYaml(
        aContract({
          nmoe: header,
          branch: "issue/{id}-{slug}",
          scope: { allow: ["**"], require: ["logs/{id}.md"] },
        }),
      ),
    );
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const rules = compileRules(parsed.value);
    expect(rules.ok && rules.value.branch?.match("issue/03a-attention")).toBe("issue/03a-attention");
    expect(rules.ok && rules.value.require?.map((c) => [c.written, c.pattern])).toEqual([
      ["logs/{id}.md", "logs/03a.md"],
    ]);
  });

  test("fillPlaceholders leaves text without braces as it is", () => {
    expect(fillPlaceholders("research/*", header, "/branch")).toEqual({ ok: true, value: "research/*", warnings: [] });
  });
});

describe("pattern lists decide like the scope matcher", () => {
  const segment = fc.stringMatching(/^[a-z0-9._-]{1,8}$/).filter((s) => s !== "." && s !== "..");
  const path = fc.array(segment, { minLength: 1, maxLength: 5 }).map((s) => s.join("/"));
  const glob = fc
    .array(fc.oneof(segment, fc.constant("*"), fc.constant("**")), { minLength: 1, maxLength: 4 })
    .map((s) => s.join("/"));

  test("property: a list matches a path exactly when the same globs as scope.allow allow it", () => {
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 4 }), path, (globs, p) => {
        const list = compilePatterns("read_only", globs, (i) => `/read_only/${i}`);
        const scope = compileScope({ allow: globs });
        if (!list.ok || !scope.ok) return list.ok === scope.ok;
        const d = scope.value.decide(p);
        return list.value.match(p) === (d.inScope ? d.pattern : undefined);
      }),
    );
  });
});
