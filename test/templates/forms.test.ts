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
