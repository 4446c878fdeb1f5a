import { describe, expect, test } from "@jest/globals";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import { resolveConfig } from "../../../src/core/config/resolve.js";
import type { Contract } from "../../../src/core/schemas/contract.generated.js";
import type { ChangedFile } from "../../../src/core/scope/check.js";
import { compilePathPattern, WorkBudget } from "../../../src/core/scope/match.js";
import {
  floorOf,
  namesProtected,
  protectedChanges,
  protectedPatternsNamed,
  requiredGates,
  sizeLimits,
  withFloorGates,
  type Floor,
} from "../../../src/core/trust/floor.js";

const pattern = (p: string) => {
  const c = compilePathPattern(p, "");
  if (!c.ok) throw new Error(p);
  return c.value;
};

describe("does an allow pattern name a protected file? (a lazy glob never does)", () => {
  test.each<[string, string, string, boolean]>([
    [".github/workflows/**", ".github/**", ".github/workflows/tier-b.yml", true],
    [".github/", ".github/**", ".github/CODEOWNERS", true],
    [".github/**", ".github/**", ".github/CODEOWNERS", true],
    ["**", ".github/**", ".github/CODEOWNERS", false],
    ["*", "CODEOWNERS", "CODEOWNERS", false],
    [".git*/**", ".github/**", ".github/x.yml", false],
    ["**/*.yml", ".github/**", ".github/x.yml", false],
    [".github/**", ".github/workflows/tier-b.yml", ".github/workflows/tier-b.yml", false],
    [".github/workflows/tier-b.yml", ".github/workflows/tier-b.yml", ".github/workflows/tier-b.yml", true],
    ["configs/**", "configs/gates/gates.toml", "configs/gates/gates.toml", false],
    ["configs/gates/*.toml", "configs/gates/gates.toml", "configs/gates/gates.toml", false],
    ["web/package-lock.json", "**/package-lock.json", "web/package-lock.json", true],
    ["**/package-lock.json", "**/package-lock.json", "web/package-lock.json", true],
    ["web/**", "**/package-lock.json", "web/package-lock.json", false],
    ["**/*.json", "**/package-lock.json", "web/package-lock.json", false],
    ["AGENTS.md", "**/AGENTS.md", "AGENTS.md", true],
    ["*.md", "**/AGENTS.md", "AGENTS.md", false],
    ["docs/**", "**/AGENTS.md", "src/AGENTS.md", false],
  ])("allow %s, protected %s, file %s → %s", (allow, prot, path, named) => {
    expect(namesProtected(pattern(allow), prot, path)).toBe(named);
  });
});

const floor = (over: Partial<Floor> = {}): Floor => ({ ...floorOf(DEFAULT_CONFIG), ...over });
const files = (...paths: string[]): ChangedFile[] => paths.map((path) => ({ path, status: "modified" }));

describe("which changed files are protected, and which the contract names", () => {
  test("the defaults protect CI, agent instructions, lockfiles, the registry, the config and the Tier-B workflow", () => {
    const changes = protectedChanges(
      files(
        ".github/workflows/ci.yml",
        ".github/workflows/tier-b.yml",
        ".github/merge-captain.yml",
        "configs/gates/gates.toml",
        "nmoe/AGENTS.md",
        "CLAUDE.md",
        ".cursor/rules/x.mdc",
        "web/yarn.lock",
        "nmoe/model.py",
      ),
      floor(),
      { allow: ["**"] },
    ).changes;
    expect(changes.map((c) => [c.path, c.namedBy ?? null])).toEqual([
      [".cursor/rules/x.mdc", null],
      [".github/merge-captain.yml", null],
      [".github/workflows/ci.yml", null],
      [".github/workflows/tier-b.yml", null],
      ["CLAUDE.md", null],
      ["configs/gates/gates.toml", null],
      ["nmoe/AGENTS.md", null],
      ["web/yarn.lock", null],
    ]);
  });

  test("a file protected twice must be named under both: `.github/**` does not name the Tier-B workflow", () => {
    const changes = protectedChanges(files(".github/workflows/tier-b.yml", ".github/CODEOWNERS"), floor(), {
      allow: [".github/**"],
    }).changes;
    expect(changes.map((c) => [c.path, c.patterns, c.namedBy ?? null])).toEqual([
      [".github/CODEOWNERS", [".github/**"], ".github/**"],
      [".github/workflows/tier-b.yml", [".github/**", ".github/workflows/tier-b.yml"], null],
    ]);
  });

  test("both sides of a rename are checked", () => {
    const changes = protectedChanges(
      [{ path: "nmoe/x.py", status: "renamed", previous_filename: ".github/x.py" }],
      floor(),
      { allow: ["nmoe/**"] },
    ).changes;
    expect(changes.map((c) => c.path)).toEqual([".github/x.py"]);
  });

  test("a repository's own list replaces the defaults, but never unprotects the registry, its config or the Tier-B workflow", () => {
    const r = resolveConfig({ policy: { protected_paths: ["secrets/**"] } });
    if (!r.ok) throw new Error("config");
    expect(floorOf(r.value).protectedPaths).toEqual([
      "secrets/**",
      "configs/gates/gates.toml",
      ".github/merge-captain.yml",
      ".github/workflows/tier-b.yml",
    ]);
  });

  test("the issue sticky can say which protected paths a contract opens", () => {
    expect(protectedPatternsNamed([".github/workflows/**", "nmoe/**", "**/package-lock.json"], floor())).toEqual([
      ".github/**",
      "**/package-lock.json",
    ]);
    expect(protectedPatternsNamed(["**"], floor())).toEqual([]);
  });
});

const contract = (over: Partial<Contract["scope"]> = {}, required = ["cpu:import"]): Contract => ({
  nmoe: { issue: "07", kind: "feature", risk: "warm" },
  scope: { allow: ["nmoe/**"], ...over },
  gates: { required },
});

describe("the floor's gates are added to the contract's, never removed", () => {
  test("required_gates and path_gates whose paths the PR touches", () => {
    const f = floor({
      requiredGates: ["cpu:lint"],
      pathGates: [
        { paths: ["nmoe/attention/**"], gates: ["b200:attn"] },
        { paths: ["docs/**"], gates: ["cpu:docs"] },
      ],
    });
    expect(requiredGates(contract({}, []), f, files("nmoe/attention/local.py"))).toEqual([
      { id: "cpu:lint", from: "floor" },
      { id: "b200:attn", from: { path: "nmoe/attention/**" } },
    ]);
    expect(withFloorGates(contract(), f, files("nmoe/x.py")).gates.required).toEqual(["cpu:import", "cpu:lint"]);
    expect(withFloorGates(contract({}, ["cpu:lint"]), f, files("x")).gates.required).toEqual(["cpu:lint"]);
  });
});

describe("a spent matching budget never loosens the floor", () => {
  // Paths are the PR author's: a costly path must make the answer "not decided", not "not protected".
  test("protected paths: no answer (the row is not verified), not an empty list", () => {
    const check = protectedChanges(
      files(".github/workflows/ci.yml", "nmoe/x.py"),
      floor(),
      { allow: ["nmoe/**"] },
      new WorkBudget(3),
    );
    expect(check).toEqual({ changes: [], overBudget: { limit: 3, files: 2 } });
  });
  test("protected paths within the budget: the same answer as with the default budget", () => {
    const input = files(".github/workflows/ci.yml", "nmoe/x.py");
    expect(protectedChanges(input, floor(), { allow: ["nmoe/**"] }, new WorkBudget(100_000))).toEqual(
      protectedChanges(input, floor(), { allow: ["nmoe/**"] }),
    );
  });
  test("path gates: every path rule's gates are required, marked undecided", () => {
    const f = floor({
      requiredGates: ["cpu:lint"],
      pathGates: [
        { paths: ["nmoe/attention/**"], gates: ["b200:attn"] },
        { paths: ["docs/**"], gates: ["cpu:docs"] },
      ],
    });
    expect(requiredGates(contract({}, ["cpu:import"]), f, files("nmoe/x.py"), new WorkBudget(1))).toEqual([
      { id: "cpu:import", from: "contract" },
      { id: "cpu:lint", from: "floor" },
      { id: "b200:attn", from: "undecided" },
      { id: "cpu:docs", from: "undecided" },
    ]);
  });
});

describe("size limits: the contract's, bounded by the floor's", () => {
  test.each<[string, Partial<Contract["scope"]>, Partial<Floor>, ReturnType<typeof sizeLimits>]>([
    ["none set", {}, {}, {}],
    ["the contract's", { max_files: 10 }, {}, { files: { limit: 10, from: "contract" } }],
    [
      "the floor's",
      {},
      { maxFiles: 50, maxChangedLines: 2000 },
      { files: { limit: 50, from: "floor" }, lines: { limit: 2000, from: "floor" } },
    ],
    [
      "a contract under the floor keeps its own",
      { max_files: 10 },
      { maxFiles: 50 },
      { files: { limit: 10, from: "contract" } },
    ],
    [
      "a contract over the floor is bounded by it",
      { max_changed_lines: 99999 },
      { maxChangedLines: 2000 },
      { lines: { limit: 2000, from: "floor" } },
    ],
  ])("%s", (_name, scope, f, expected) => {
    expect(sizeLimits(contract(scope), floor(f))).toEqual(expected);
  });
});
