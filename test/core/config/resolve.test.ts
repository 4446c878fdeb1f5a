import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import { parse } from "yaml";
import { DEFAULT_CONFIG, DEFAULT_PROTECTED_PATHS } from "../../../src/core/config/defaults.js";
import { resolveConfig, type ResolvedConfig } from "../../../src/core/config/resolve.js";
import { narrow } from "../../support/narrow.js";

describe("resolveConfig", () => {
  test.each([
    ["no file (null)", null],
    ["no file (undefined)", undefined],
    ["an empty mapping", {}],
  ])("%s gives every default", (_name, raw) => {
    const r = resolveConfig(raw);
    expect(r.ok && r.value).toEqual(DEFAULT_CONFIG);
  });

  test("the defaults are the nmoe workflow's", () => {
    expect(DEFAULT_CONFIG).toEqual({
      contract: { heading: "Agent Contract (YAML, required)", header_key: "nmoe", all_issues: false },
      attestation: { heading: "PR Attestation", header_key: "nmoe_pr" },
      registry: { path: "configs/gates/gates.toml" },
      labels: {
        contract_valid: "contract: valid",
        contract_invalid: "contract: invalid",
        public_safety: "public-safety",
        contract_unaccepted: "contract: needs acceptance",
      },
      tier_b: {
        workflow: "tier-b.yml",
        artifact: "tier-b-results",
        allow_draft: false,
        require_valid_contract: true,
        require_scope: true,
        users: [],
        teams: [],
      },
      policy: {
        protected_paths: DEFAULT_PROTECTED_PATHS,
        required_gates: [],
        path_gates: [],
        max_files: 0,
        max_changed_lines: 0,
        trusted_bots: [],
      },
      experiment: {
        title_prefix: "",
        sections: ["TL;DR", "Scope", "Decision log", "Negative results index", "Current baseline"],
        logbook: ".agents/logbooks/{slug}.md",
        claim_sections: ["TL;DR", "Decision log", "Negative results index", "Current baseline"],
        confidence_labels: ["exploratory", "replicated", "stable"],
        cadence_hours: 6,
        updates_from: "owners",
        label: "experiment",
        stale_label: "experiment: stale",
      },
      public_safety: { internal_domains: [], internal_hosts: [], minimize_leaks: false },
      merge_plan: false,
      merge_queue: { tier_b: "trust_pr_heads" },
    });
  });

  test("the default protected paths cover CI and the bot, agent instructions, CODEOWNERS and lockfiles", () => {
    for (const p of [".github/**", "**/AGENTS.md", "**/CLAUDE.md", ".cursor/**", ".claude/**", "**/package-lock.json"])
      expect(DEFAULT_PROTECTED_PATHS).toContain(p);
  });

  test.each(["configs/merge-captain.yml", "templates/merge-captain.yml"])(
    "the example %s spells out the defaults",
    (file) => {
      const raw: unknown = parse(readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8"));
      const r = resolveConfig(raw);
      expect(r.ok && r.value).toEqual(DEFAULT_CONFIG);
    },
  );

  test.each([
    ["merge_plan on", { merge_plan: true }, (c: ResolvedConfig) => c.merge_plan, true],
    ["merge_queue.tier_b", { merge_queue: { tier_b: "rerun" } }, (c: ResolvedConfig) => c.merge_queue.tier_b, "rerun"],
  ])("%s", (_name, raw, pick, expected) => {
    const r = resolveConfig(raw);
    expect(r.ok && pick(r.value)).toBe(expected);
  });

  test.each([
    ["merge_plan: yes (a string)", { merge_plan: "yes" }],
    ["an unknown merge_queue.tier_b", { merge_queue: { tier_b: "always" } }],
    ["an unknown merge_queue key", { merge_queue: { tierb: "rerun" } }],
  ])("%s is an error naming the field", (_name, raw) => {
    expect(narrow(resolveConfig(raw), "ok", false).errors[0]!.path).toMatch(/^\/merge_(plan|queue)/);
  });

  test("a key set in a section keeps its siblings' defaults", () => {
    const r = resolveConfig({ contract: { all_issues: true }, tier_b: { users: ["octocat"] } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.contract).toEqual({
      heading: "Agent Contract (YAML, required)",
      header_key: "nmoe",
      all_issues: true,
    });
    expect(r.value.tier_b.users).toEqual(["octocat"]);
    expect(r.value.tier_b.workflow).toBe("tier-b.yml");
  });

  test("a list replaces the default instead of being appended to it", () => {
    const r = resolveConfig({ public_safety: { internal_domains: ["corp.example"] } });
    expect(r.ok && r.value.public_safety.internal_domains).toEqual(["corp.example"]);
  });

  test("the defaults cannot be changed by a caller", () => {
    expect(Object.isFrozen(DEFAULT_CONFIG.tier_b.users)).toBe(true);
    expect(Object.isFrozen(DEFAULT_CONFIG.contract)).toBe(true);
  });

  test.each([
    [
      "a misspelt section",
      { contarct: { all_issues: true } },
      {
        code: "schema.unknown-key",
        path: "/contarct",
        hint: "did you mean `contract`?",
        message: 'unknown key "contarct" at the top level of .github/merge-captain.yml',
      },
    ],
    [
      "a misspelt key",
      { tier_b: { workflw: "x.yml" } },
      { code: "schema.unknown-key", path: "/tier_b/workflw", hint: "did you mean `workflow`?" },
    ],
    ["a wrong type", { contract: { all_issues: "yes" } }, { code: "schema.type", path: "/contract/all_issues" }],
    [
      "a bad workflow file name",
      { tier_b: { workflow: "../evil.sh" } },
      { code: "schema.pattern", path: "/tier_b/workflow" },
    ],
    [
      "an absolute registry path",
      { registry: { path: "/etc/gates.toml" } },
      { code: "schema.pattern", path: "/registry/path" },
    ],
    ["a bad user name", { tier_b: { users: ["not a user"] } }, { code: "schema.pattern", path: "/tier_b/users/0" }],
    [
      "a protected path with an extglob",
      { policy: { protected_paths: ["ok/**", "+(a|b)/**"] } },
      { code: "scope.unsupported-syntax", path: "/policy/protected_paths/1" },
    ],
    [
      "a negated path gate",
      { policy: { path_gates: [{ paths: ["!nmoe/**"], gates: ["b200:x"] }] } },
      { code: "scope.negation", path: "/policy/path_gates/0/paths/0" },
    ],
    [
      "a trusted bot that is not a bot login",
      { policy: { trusted_bots: ["mona"] } },
      { code: "schema.pattern", path: "/policy/trusted_bots/0" },
    ],
    ["a zero size limit", { policy: { max_files: 0 } }, { code: "schema.minimum", path: "/policy/max_files" }],
    ["a list where a mapping belongs", [], { code: "config.type", path: "" }],
    ["a string", "contract: yes", { code: "config.type", path: "" }],
  ])("%s is an error, never a guess", (_name, raw, expected) => {
    const r = resolveConfig(raw);
    expect(r.ok ? [] : r.errors).toEqual([expect.objectContaining(expected)]);
  });
});
