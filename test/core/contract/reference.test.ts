// Compatibility with the real nmoe files: the issue form and gate registry must work unchanged.
import { expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parse as parseYamlLoose } from "yaml";
import { readContract } from "../../../src/core/contract/read.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import { needsNmoeReference } from "../../support/requirements.js";

const reference = needsNmoeReference(["work_item.yml", "gates.toml"], "the nmoe issue form and registry tests");
const present = reference.available;

interface FormField {
  type: string;
  attributes?: { label?: string; value?: string };
}

/** Render an issue form the way GitHub does when the author keeps each field's default value. */
function renderForm(form: { body: FormField[] }): string {
  return form.body
    .filter((f) => f.type !== "markdown")
    .map((f) => {
      const label = f.attributes?.label ?? "";
      if (f.type === "checkboxes") return `### ${label}\n\n- [X] confirmed`;
      const value = (f.attributes?.value ?? "").trim();
      return `### ${label}\n\n${value === "" ? "_No response_" : value}`;
    })
    .join("\n\n");
}

reference.describe("the nmoe reference files", () => {
  const form = parseYamlLoose(present ? readFileSync(reference.path("work_item.yml"), "utf8") : "body: []") as {
    body: FormField[];
  };
  const registry = parseRegistry(present ? readFileSync(reference.path("gates.toml"), "utf8") : "");
  const opts = {
    heading: DEFAULT_CONFIG.contract.heading,
    headerKey: DEFAULT_CONFIG.contract.header_key,
    allIssues: false,
  };

  test("gates.toml validates unchanged", () => {
    expect(registry.ok ? [] : registry.errors).toEqual([]);
    if (!registry.ok) return;
    expect(registry.value.gates.size).toBe(11);
    expect(registry.value.gates.get("perf:baseline_delta")).toMatchObject({
      kind: "perf",
      compare_gate: "b200:moonlight_8x20",
      metric: "node_tps_p50",
    });
    expect(registry.value.gates.get("zero2:resume_determinism")?.kind).toBe("external");
    expect([...registry.value.bundles.keys()]).toEqual([
      "hot_path_min",
      "blockscaled_full",
      "zero2_full",
      "frozen_full",
      "full",
    ]);
  });

  test.each([
    ["LF", (b: string) => b],
    ["CRLF", (b: string) => b.replace(/\n/g, "\r\n")],
    ["CRLF and a BOM", (b: string) => "\uFEFF" + b.replace(/\n/g, "\r\n")],
  ])("the rendered work item's default contract is valid (%s)", (_name, change) => {
    const report = readContract(change(renderForm(form)), opts, registry);
    expect(report.status === "invalid" ? report.errors : []).toEqual([]);
    expect(report.status).toBe("valid");
    if (report.status !== "valid") return;
    expect(report.contract.nmoe).toMatchObject({
      issue: "03a",
      depends_on: ["01"],
      kind: "feature",
      risk: "hot",
      complexity: "M",
    });
    expect(report.contract.gates.required).toEqual(["cpu:import", "cpu:compileall", "b200:moonlight_8x20"]);
    expect(report.contract.gates.perf).toMatchObject({ gate: "perf:baseline_delta", budget_pct: -10 });
  });
});
