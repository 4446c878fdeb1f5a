/** Test data builders for contracts and the issue bodies GitHub renders from the issue form. */
import { stringify } from "yaml";

export const HEADING = "Agent Contract (YAML, required)";

export interface ContractShape {
  nmoe: Record<string, unknown>;
  scope: Record<string, unknown>;
  contract?: Record<string, unknown>;
  gates: Record<string, unknown>;
  [extra: string]: unknown;
}

/** A valid contract; pass a section to replace it whole, or `undefined` to delete it. */
export function aContract(overrides: Partial<Record<keyof ContractShape, unknown>> = {}): ContractShape {
  const base: ContractShape = {
    nmoe: {
      issue: "12",
      slug: "router-cache",
      kind: "feature",
      risk: "warm",
      complexity: "M",
      depends_on: ["3"],
      merge_hotspots: ["nmoe/config.py"],
    },
    scope: { allow: ["nmoe/router/**"], deny: ["nmoe/csrc/**"] },
    contract: { invariants: ["No host syncs in the step"], knobs: { add: ["router_cache"], change: [] } },
    gates: { required: ["cpu:import", "b200:step_1x10"] },
  };
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as ContractShape;
}

export function toYaml(value: unknown): string {
  return stringify(value);
}

export function fence(yaml: string, lang = "yaml"): string {
  return "```" + lang + "\n" + yaml.replace(/\n$/, "") + "\n```";
}

/** An issue body the way GitHub renders a form: `### <label>`, a blank line, the value; `_No response_` when empty. */
export function formBody(fields: ReadonlyArray<readonly [label: string, value: string]>): string {
  return fields
    .map(([label, value]) => `### ${label}\n\n${value.trim() === "" ? "_No response_" : value}`)
    .join("\n\n");
}

/** A typical rendered work-item issue around the given contract block text. */
export function workItem(contractValue: string): string {
  return formBody([
    ["Summary (what + why)", "Cache router decisions across micro-batches."],
    [HEADING, contractValue],
    ["Notes (optional)", ""],
    ["Public-safety confirmation (required)", "- [X] I confirm this issue contains no internal hostnames."],
  ]);
}
