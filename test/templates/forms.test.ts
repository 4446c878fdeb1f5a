import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readAttestation } from "../../src/core/attestation/read.js";
import { DEFAULT_CONFIG } from "../../src/core/config/defaults.js";
import { resolveConfig } from "../../src/core/config/resolve.js";
import { readContract } from "../../src/core/contract/read.js";
import { parseRegistry } from "../../src/core/gates/registry.js";
import { parseYaml } from "../../src/core/yaml/parse.js";
import { checkExperimentBody, isComplete } from "../../src/core/experiment/check.js";
import { experimentKind } from "../../src/core/experiment/settings.js";
import { needsNmoeReference } from "../support/requirements.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (path: string): string => readFileSync(join(root, path), "utf8");

interface FormElement {
  type: "markdown" | "textarea" | "input" | "dropdown" | "checkboxes";
  id?: string;
  attributes: { label?: string; value?: string; options?: Array<{ label: string }> };
  validations?: { required?: boolean };
}

/**
 * The issue body GitHub writes when someone submits the form unchanged: each field becomes
 * `### <label>`, a blank line and its value; an empty optional field reads `_No response_`;
 * ticked boxes read `- [X] <label>`; markdown elements are not part of the body.
 */
function renderIssueForm(form: { body: FormElement[] }, answers: Record<string, string> = {}): string {
  const sections: string[] = [];
  for (const el of form.body) {
    if (el.type === "markdown") continue;
    const label = el.attributes.label!;
    let value: string;
    if (el.type === "checkboxes") value = (el.attributes.options ?? []).map((o) => `- [X] ${o.label}`).join("\n");
    else value = answers[el.id!] ?? el.attributes.value ?? "";
    sections.push(`### ${label}\n\n${value.trim() === "" ? "_No response_" : value.trimEnd()}`);
  }
  return sections.join("\n\n");
}

const registry = parseRegistry(read("configs/gates/gates.toml"));

describe("configs/gates/gates.toml (example registry)", () => {
  test("parses, with every bundle resolvable", () => {
    expect(registry.ok ? [] : registry.errors).toEqual([]);
  });
});

describe("templates/work_item.yml", () => {
  const parsed = parseYaml(read("templates/work_item.yml"), "the issue form");
  const form = (parsed.ok ? parsed.value.value : { body: [] }) as {
    name: string;
    description: string;
    body: FormElement[];
  };

  test("is a well-formed issue form: unique ids, a required contract field under the default heading", () => {
    expect(parsed.ok).toBe(true);
    expect(form.name).toBeTruthy();
    expect(form.description).toBeTruthy();
    const fields = form.body.filter((e) => e.type !== "markdown");
    const ids = fields.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const f of fields) expect(f.id).toMatch(/^[a-z_][a-z0-9_-]*$/);
    const contract = fields.find((f) => f.attributes.label === DEFAULT_CONFIG.contract.heading);
    expect(contract).toMatchObject({ type: "textarea", validations: { required: true } });
    expect(contract!.attributes.value).toMatch(/^```yaml\n[\s\S]*\n```\n?$/);
  });

  test("an issue submitted from the unchanged form carries a valid contract whose gates are in the example registry", () => {
    const body = renderIssueForm(form);
    expect(body).toContain(`### ${DEFAULT_CONFIG.contract.heading}\n\n\`\`\`yaml\n`);
    expect(body).toContain("### Notes (optional)\n\n_No response_");
    const report = readContract(
      body,
      { heading: DEFAULT_CONFIG.contract.heading, headerKey: DEFAULT_CONFIG.contract.header_key, allIssues: false },
      registry,
    );
    expect(report.status === "invalid" ? report.errors : []).toEqual([]);
    expect(report).toMatchObject({
      status: "valid",
      contract: { nmoe: { issue: "01" }, gates: { perf: { budget_pct: -10 } } },
    });
  });

  test("an author's edit that breaks the contract is reported, not accepted", () => {
    const contract = form.body.find((e) => e.id === "contract")!.attributes.value!;
    const body = renderIssueForm(form, { contract: contract.replace("risk: warm", "risk: lukewarm") });
    const report = readContract(
      body,
      { heading: DEFAULT_CONFIG.contract.heading, headerKey: "nmoe", allIssues: false },
      registry,
    );
    expect(report.status).toBe("invalid");
  });
});

describe("templates/pull_request_template.md", () => {
  const template = read("templates/pull_request_template.md");
  const opts = { heading: DEFAULT_CONFIG.attestation.heading, headerKey: DEFAULT_CONFIG.attestation.header_key };

  test("opens with the attestation block, which is plain hardened YAML", () => {
    expect(template.startsWith(`## ${DEFAULT_CONFIG.attestation.heading}`)).toBe(true);
    const block = /```yaml\n([\s\S]*?)\n```/.exec(template)![1]!;
    const parsed = parseYaml(block, "the attestation");
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  test("left unfilled, the bot reports the placeholders instead of accepting it", () => {
    expect(readAttestation(template, opts).status).toBe("invalid");
  });

  test("filled in by an author, it is a valid attestation", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const filled = template
      .replace(/<sha>/g, sha)
      .replace("baseline: <number>", "baseline: 100.0")
      .replace("result: <number>", "result: 95.0")
      .replace("delta_pct: <number>", "delta_pct: -5.0")
      .replace("status: pass|fail", "status: pass");
    const report = readAttestation(filled, opts);
    expect(report.status === "invalid" ? report.errors : []).toEqual([]);
    expect(report).toMatchObject({
      status: "valid",
      attestation: { nmoe_pr: { issue: "01", pr_sha: sha }, gates_passed: { tier_a: ["cpu:import", "cpu:unit"] } },
    });
  });

  test("the Tier-A gates it names exist in the example registry", () => {
    if (!registry.ok) throw new Error("registry");
    for (const id of ["cpu:import", "cpu:unit", "perf:baseline_delta", "gpu:train_8x20"])
      expect(registry.value.gates.has(id)).toBe(true);
  });
});

describe("templates/merge-captain.yml", () => {
  test("is a valid repo config whose values are exactly the defaults it claims to show", () => {
    const parsed = parseYaml(read("templates/merge-captain.yml"), "the config");
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const resolved = resolveConfig(parsed.value.value);
    expect(resolved.ok ? resolved.value : resolved.errors).toEqual(DEFAULT_CONFIG);
  });

  test("configs/merge-captain.yml is the same example", () => {
    expect(read("configs/merge-captain.yml")).toBe(read("templates/merge-captain.yml"));
  });
});

describe("templates/experiment.yml and templates/logbook.md", () => {
  const parsed = parseYaml(read("templates/experiment.yml"), "the issue form");
  const form = (parsed.ok ? parsed.value.value : { body: [] }) as { name: string; body: FormElement[] };
  const answers = {
    tldr: "- [replicated] EXP-TOPIC-002: capacity 1.25 matches 1.5 at 8 M tokens",
    decisions: "- 2026-01-05 (stable) keep top-2 routing",
    negative: "- [exploratory] EXP-TOPIC-001: aux loss 0.1 costs 0.4 % val_loss",
    baseline: "- [stable] val_loss 4.9413 at 8 M tokens",
  };
  const contractOf = (body: string) =>
    readContract(body, { heading: DEFAULT_CONFIG.contract.heading, headerKey: "nmoe", allIssues: false }, registry);

  test("its fields are the default required sections, then the contract", () => {
    expect(parsed.ok).toBe(true);
    const labels = form.body.filter((e) => e.type === "textarea").map((e) => e.attributes.label);
    expect(labels).toEqual([...DEFAULT_CONFIG.experiment.sections, DEFAULT_CONFIG.contract.heading]);
  });

  test("filled in, it is a complete experiment issue whose contract is valid against the example registry", () => {
    const body = renderIssueForm(form, answers);
    const contract = contractOf(body);
    expect(contract.status === "invalid" ? contract.errors : []).toEqual([]);
    const kind = experimentKind("[EXP] Topic", contract, DEFAULT_CONFIG.experiment);
    if (kind.kind !== "experiment") throw new Error(kind.kind);
    const check = checkExperimentBody(body, kind.settings);
    expect(check).toMatchObject({
      missing: [],
      empty: [],
      unlabeledCount: 0,
      logbook: { found: ".agents/logbooks/topic.md" },
    });
    expect(isComplete(check)).toBe(true);
  });

  test("submitted unchanged, the bot names the empty sections", () => {
    const body = renderIssueForm(form);
    const kind = experimentKind("[EXP] Topic", contractOf(body), DEFAULT_CONFIG.experiment);
    if (kind.kind !== "experiment") throw new Error(kind.kind);
    expect(checkExperimentBody(body, kind.settings).empty).toEqual([
      "TL;DR",
      "Decision log",
      "Negative results index",
      "Current baseline",
    ]);
  });

  test("the logbook skeleton links the issue and names the confidence labels", () => {
    const logbook = read("templates/logbook.md");
    expect(logbook).toContain("Experiment issue: https://github.com/OWNER/REPO/issues/N");
    for (const label of DEFAULT_CONFIG.experiment.confidence_labels) expect(logbook).toContain(label);
  });
});

describe("nmoe's research_note.yml (the reference file, unchanged), as experiment issues", () => {
  const nmoe = needsNmoeReference(["research_note.yml"], "nmoe's research_note.yml as experiment issues");
  const file = nmoe.path("research_note.yml");
  nmoe.describe('with `experiment.title_prefix: "[RESEARCH]"` and the form\'s required fields as sections', () => {
    // Read in the tests, not here: a skipped describe still runs its body.
    const setup = () => {
      const form = parseYaml(readFileSync(file, "utf8"), "the issue form");
      const note = (form.ok ? form.value.value : { body: [] }) as { title: string; body: FormElement[] };
      const config = resolveConfig({
        experiment: {
          title_prefix: "[RESEARCH]",
          sections: note.body
            .filter((e) => e.type === "textarea" && e.validations?.required === true)
            .map((e) => e.attributes.label!),
          logbook: "",
          claim_sections: [],
        },
      });
      return { note, config };
    };

    test.each([
      [
        "filled in: complete",
        { question: "Does capacity 1.25 drop tokens?", constraints: "- B200-only", proposed: "Option A: 1.25" },
        [],
      ],
      ["a required field left empty: named", { question: "Q?", constraints: "- B200-only" }, ["Proposed direction(s)"]],
    ])("%s", (_name, answers, empty) => {
      const { note, config } = setup();
      if (!config.ok) throw new Error(JSON.stringify(config.errors));
      const body = renderIssueForm(note, answers);
      const none = readContract(body, {
        heading: DEFAULT_CONFIG.contract.heading,
        headerKey: "nmoe",
        allIssues: false,
      });
      const kind = experimentKind(`${note.title}Capacity`, none, config.value.experiment);
      if (kind.kind !== "experiment") throw new Error(kind.kind);
      expect(checkExperimentBody(body, kind.settings)).toMatchObject({ missing: [], empty });
    });
  });
});

describe("README: one contract per research workflow", () => {
  const section = read("README.md").split("## Research workflows")[1]?.split("### API calls per event")[0] ?? "";
  const blocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  test.each(blocks.filter((b) => b.includes("nmoe:")).map((b, i): [number, string] => [i + 1, b]))(
    "contract %i is valid against the example registry",
    (_i, yaml) => {
      const report = readContract(yaml, { heading: "x", headerKey: "nmoe", allIssues: true, source: "file" }, registry);
      expect(report.status === "invalid" ? report.errors : report.status).toBe("valid");
    },
  );

  test("four contracts, and the nmoe config is a valid repo config", () => {
    expect(blocks.filter((b) => b.includes("nmoe:"))).toHaveLength(4);
    const config = blocks.find((b) => b.startsWith("experiment:"))!;
    const parsed = parseYaml(config, "the config");
    expect(parsed.ok && resolveConfig(parsed.value.value).ok).toBe(true);
  });
});
