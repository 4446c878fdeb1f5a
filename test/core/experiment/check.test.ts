import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { readContract } from "../../../src/core/contract/read.js";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import { checkExperimentBody, isComplete, MAX_CLAIMS_LISTED } from "../../../src/core/experiment/check.js";
import { experimentKind, type ExperimentSettings } from "../../../src/core/experiment/settings.js";
import { formBody, toYaml } from "../contract/builders.js";

const marin: ExperimentSettings = {
  source: "contract",
  sections: DEFAULT_CONFIG.experiment.sections,
  logbook: ".agents/logbooks/moe-hc.md",
  claimSections: DEFAULT_CONFIG.experiment.claim_sections,
  confidenceLabels: DEFAULT_CONFIG.experiment.confidence_labels,
  cadenceHours: 6,
  updatesFrom: "owners",
};

const FULL = [
  "## TL;DR",
  "- [replicated] MOE-HC-002: capacity 1.25 matches 1.5",
  "- capacity 1.0 drops tokens",
  "## Scope",
  "Router capacity factor only; logbook: [.agents/logbooks/moe-hc.md](../blob/research/moe-hc/.agents/logbooks/moe-hc.md)",
  "## Decision log",
  "1. (stable) keep top-2 routing",
  "   - a sub-point is detail, not a claim",
  "## Negative results index",
  "- MOE-HC-003 aux loss 0.1: worse — Exploratory",
  "```",
  "- code in a fence is not a claim",
  "```",
  "## Current baseline",
  "- val_loss 4.9413 at 8 M tokens, confidence: stable",
].join("\n");

describe("checkExperimentBody", () => {
  test("a complete issue: every section, the logbook, one claim without a label", () => {
    const c = checkExperimentBody(FULL, marin);
    expect(c).toMatchObject({
      missing: [],
      empty: [],
      logbook: { required: true, found: ".agents/logbooks/moe-hc.md" },
      claims: 5,
      unlabeledCount: 1,
      unlabeled: [{ section: "TL;DR", line: 3, text: "capacity 1.0 drops tokens" }],
    });
    expect(isComplete(c)).toBe(true);
  });

  test.each<[string, string, Partial<ReturnType<typeof checkExperimentBody>>]>([
    ["a missing section", FULL.replace("## Decision log", "## Decisions"), { missing: ["Decision log"] }],
    [
      "an empty section (the form's _No response_)",
      FULL.replace(/## Scope\n.*\n/, "## Scope\n\n_No response_\n"),
      { empty: ["Scope"] },
    ],
    [
      "no logbook link",
      FULL.replace(/\.agents\/logbooks\/moe-hc\.md/g, "notes.md"),
      { logbook: { required: true, pattern: ".agents/logbooks/moe-hc.md", found: undefined } },
    ],
  ])("%s", (_name, body, want) => {
    const c = checkExperimentBody(body, marin);
    expect(c).toMatchObject(want);
    expect(isComplete(c)).toBe(false);
  });

  test.each([
    ["a blob URL", "https://github.com/acme/nmoe/blob/research/moe-hc/.agents/logbooks/moe-hc.md#L12"],
    ["a relative link", "[log](./.agents/logbooks/moe-hc.md)"],
    ["a code span", "`.agents/logbooks/moe-hc.md`"],
  ])("the logbook is found in %s", (_name, link) => {
    expect(checkExperimentBody(`## TL;DR\n\nsee ${link}.`, marin).logbook).toMatchObject({
      found: ".agents/logbooks/moe-hc.md",
    });
  });

  test("a logbook glob (no contract, so any name) matches one path segment", () => {
    const c = checkExperimentBody("see .agents/logbooks/lr-sweep.md", { ...marin, logbook: ".agents/logbooks/*.md" });
    expect(c.logbook).toMatchObject({ found: ".agents/logbooks/lr-sweep.md" });
  });

  test("claims are listed up to a bound, and counted past it", () => {
    const many = "## TL;DR\n" + Array.from({ length: 40 }, (_, i) => `- claim ${i}`).join("\n");
    const c = checkExperimentBody(many, marin);
    expect([c.unlabeled.length, c.unlabeledCount]).toEqual([MAX_CLAIMS_LISTED, 40]);
  });

  test("a label must be a whole word ('unstable' is not 'stable')", () => {
    expect(checkExperimentBody("## TL;DR\n- unstable at lr 3e-3", marin).unlabeledCount).toBe(1);
  });

  test("property: any body is checked without throwing, within the body's length", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (body) => {
        const c = checkExperimentBody(body, marin);
        return c.unlabeled.every((u) => u.line >= 1 && u.line <= body.split(/\r\n?|\n/).length);
      }),
    );
  });
});

describe("experimentKind", () => {
  const opts = { heading: "x", headerKey: "nmoe", allIssues: true, source: "file" as const };
  const contract = (experiment?: Record<string, unknown>, kind = "experiment") =>
    readContract(
      toYaml({
        nmoe: { issue: "MOE-HC", slug: "moe-hc", kind, risk: "warm" },
        scope: { allow: ["**"] },
        gates: { required: [] },
        ...(experiment ? { experiment } : {}),
      }),
      opts,
    );
  const cfg = DEFAULT_CONFIG.experiment;

  test("a kind: experiment contract, with the logbook's {slug} filled in", () => {
    expect(experimentKind("MoE HC", contract(), cfg)).toMatchObject({
      kind: "experiment",
      settings: { source: "contract", logbook: ".agents/logbooks/moe-hc.md", cadenceHours: 6 },
    });
  });

  test.each([
    ["a contract may shorten the cadence", { cadence_hours: 2 }, 6, 2],
    ["… never lengthen it", { cadence_hours: 48 }, 6, 6],
    ["with the repo's heartbeat off, the contract's counts", { cadence_hours: 12 }, 0, 12],
  ])("%s", (_name, experiment, repoCadence, want) => {
    const k = experimentKind("x", contract(experiment), { ...cfg, cadence_hours: repoCadence });
    expect(k.kind === "experiment" && k.settings.cadenceHours).toBe(want);
  });

  test("a feature contract is not an experiment, even with the title prefix", () => {
    expect(
      experimentKind("[RESEARCH] x", contract(undefined, "feature"), { ...cfg, title_prefix: "[RESEARCH]" }),
    ).toEqual({
      kind: "not-an-experiment",
    });
  });

  test("the title prefix (nmoe's research notes), off by default", () => {
    const none = readContract("just text", { ...opts, source: "issue", allIssues: false });
    expect(experimentKind("[RESEARCH] Router", none, cfg)).toEqual({ kind: "not-an-experiment" });
    expect(experimentKind("[research] Router", none, { ...cfg, title_prefix: "[RESEARCH]" })).toMatchObject({
      kind: "experiment",
      settings: { source: "title", logbook: ".agents/logbooks/*.md" },
    });
  });

  test("an invalid contract: unknown, so nothing is changed", () => {
    const bad = readContract(toYaml({ nmoe: { issue: "x", kind: "experiment" } }), opts);
    expect(experimentKind("x", bad, cfg)).toEqual({ kind: "unknown" });
  });
});

describe("nmoe's research note form, as GitHub renders it", () => {
  test("with a config naming its sections, a filled note is complete and an empty field is named", () => {
    const settings: ExperimentSettings = {
      ...marin,
      source: "title",
      sections: ["Question / hypothesis", "Constraints / invariants", "Proposed direction(s)"],
      logbook: undefined,
      claimSections: [],
    };
    const note = formBody([
      ["Question / hypothesis", "Does capacity 1.25 lose tokens?"],
      ["Constraints / invariants", "- B200-only"],
      ["Proposed direction(s)", ""],
      ["Experiment plan (if any)", ""],
    ]);
    expect(checkExperimentBody(note, settings)).toMatchObject({ missing: [], empty: ["Proposed direction(s)"] });
  });
});
