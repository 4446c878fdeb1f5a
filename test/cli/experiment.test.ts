/** `merge-captain experiment`, and the research keys through `contract` and `check`: exit codes and JSON. */
import { describe, expect, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import { run as check } from "../../src/cli/commands/check.js";
import { run as contractCmd } from "../../src/cli/commands/contract.js";
import { run as experiment } from "../../src/cli/commands/experiment.js";
import { aContract, fence, formBody, HEADING, toYaml } from "../core/contract/builders.js";
import { runCli } from "./fake-io.js";

const researchContract = aContract({
  nmoe: { issue: "MOE-HC", slug: "moe-hc", kind: "experiment", risk: "warm" },
  branch: "research/{slug}",
  scope: { allow: ["nmoe/**", ".agents/logbooks/**"], require: [".agents/logbooks/{slug}.md"] },
  read_only: ["data/**"],
  artifacts_under: ["experiments/moe-hc/"],
  gates: { required: ["cpu:import"] },
});

const sections = (over: Record<string, string> = {}) =>
  formBody(
    Object.entries({
      "TL;DR": "- [replicated] capacity 1.25 matches 1.5\n- top-2 is enough",
      Scope: "Router capacity. Logbook: `.agents/logbooks/moe-hc.md`",
      "Decision log": "- (stable) keep top-2",
      "Negative results index": "- [exploratory] aux loss 0.1 hurts",
      "Current baseline": "- [stable] val_loss 4.9413",
      [HEADING]: fence(toYaml(researchContract)),
      ...over,
    }),
  );

const files: Record<string, string> = {
  "/repo/issue.md": sections(),
  "/repo/incomplete.md": sections({ "Decision log": "", Scope: "Router only." }),
  "/repo/note.md": formBody([
    ["Question / hypothesis", "Does capacity 1.25 lose tokens?"],
    ["Constraints / invariants", "- B200-only"],
    ["Proposed direction(s)", ""],
  ]),
  "/repo/nmoe.yml": [
    "experiment:",
    '  title_prefix: "[RESEARCH]"',
    '  sections: ["Question / hypothesis", "Constraints / invariants", "Proposed direction(s)"]',
    '  logbook: ""',
    "  claim_sections: []",
    "",
  ].join("\n"),
  "/repo/bad.yml": "experiment:\n  cadence_hours: -1\n",
  "/repo/gates.toml": readFileSync(new URL("../fixtures/gates/gates.toml", import.meta.url), "utf8"),
};

interface ExperimentJson {
  ok: boolean;
  experiment: Record<string, unknown> | null;
  errors: { code: string; path: string; message: string; hint?: string }[];
  warnings: { code: string; path: string; message: string }[];
}

async function json(args: string[]): Promise<{ code: number; out: ExperimentJson }> {
  const r = await runCli(experiment, [...args, "--json"], { files });
  return { code: r.code, out: JSON.parse(r.stdout) as ExperimentJson };
}

describe("merge-captain experiment", () => {
  test("a complete experiment issue: exit 0, one unlabeled claim as a warning", async () => {
    const { code, out } = await json(["issue.md"]);
    expect(code).toBe(0);
    expect(out).toMatchObject({
      ok: true,
      experiment: {
        source: "contract",
        complete: true,
        logbook: { pattern: ".agents/logbooks/moe-hc.md", found: ".agents/logbooks/moe-hc.md" },
        claims: { total: 5, unlabeled: 1 },
        cadence_hours: 6,
      },
      errors: [],
    });
    expect(out.warnings).toEqual([
      expect.objectContaining({
        code: "experiment.unlabeled-claim",
        message: expect.stringContaining("top-2 is enough"),
      }),
    ]);
  });

  test("a missing section and no logbook link: exit 1, each named with its fix", async () => {
    const { code, out } = await json(["incomplete.md"]);
    expect(code).toBe(1);
    expect(out.errors.map((e) => e.code)).toEqual(["experiment.empty-section", "experiment.no-logbook-link"]);
    expect(out.errors[0]).toMatchObject({ message: 'the section "Decision log" is empty' });
  });

  test("text output for a person", async () => {
    const r = await runCli(experiment, ["incomplete.md"], { files });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("✗ experiment issue incomplete (incomplete.md): 2 errors\n");
    expect(r.stdout).toContain('the section "Decision log" is empty');
  });

  test("nmoe's research note, with a config that turns its form into experiment issues", async () => {
    const { code, out } = await json(["note.md", "--config", "nmoe.yml", "--title", "[RESEARCH] Capacity"]);
    expect(code).toBe(1);
    expect(out.experiment).toMatchObject({ source: "title", logbook: null });
    expect(out.errors).toEqual([
      expect.objectContaining({
        code: "experiment.empty-section",
        message: expect.stringContaining("Proposed direction(s)"),
      }),
    ]);
  });

  test.each([
    ["no contract, no title prefix", ["note.md"], "experiment.not-an-experiment"],
    ["an invalid config", ["issue.md", "--config", "bad.yml"], "schema.minimum"],
  ])("%s: exit 1 with the reason", async (_name, args, codeName) => {
    const { code, out } = await json(args);
    expect(code).toBe(1);
    expect(out.ok).toBe(false);
    expect(out.errors[0]?.code).toBe(codeName);
  });

  test.each([
    [
      ["missing.md", "--json"],
      2,
      '{"ok":false,"experiment":null,"errors":[{"code":"cli.io","path":"","message":"cannot read missing.md: no such file"}],"warnings":[]}\n',
    ],
    [[], 2, ""],
  ])("usage and I/O errors exit 2 %p", async (args, code, stdout) => {
    const r = await runCli(experiment, args, { files });
    expect([r.code, r.stdout]).toEqual([code, stdout]);
  });
});

describe("the research contract keys offline", () => {
  test("`contract` validates them like the rest (--json, exit codes)", async () => {
    const bad = toYaml({ ...researchContract, branch: "issue/{number}", read_only: ["/abs"] });
    const r = await runCli(contractCmd, ["-", "--json"], { files, stdin: bad });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as ExperimentJson;
    expect(out.errors.map((e) => [e.code, e.path])).toEqual([
      ["contract.unknown-placeholder", "/branch"],
      ["scope.absolute", "/read_only/0"],
    ]);
    const good = await runCli(contractCmd, ["issue.md", "--json"], { files });
    expect(good.code).toBe(0);
  });

  test("`check` reports the branch, read-only and companion-file rows; the artifacts row waits for the bot", async () => {
    const r = await runCli(
      check,
      [
        "--issue",
        "issue.md",
        "--pr",
        "-",
        "--files",
        "files.txt",
        "--registry",
        "gates.toml",
        "--branch",
        "yxb/wip",
        "--json",
      ],
      { files: { ...files, "/repo/files.txt": "nmoe/router.py\ndata/eval.jsonl\n" }, stdin: "no attestation" },
    );
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { criteria: { id: string; status: string; summary: string }[] };
    const row = (id: string) => out.criteria.find((c) => c.id === id);
    expect(row("branch")).toMatchObject({
      status: "fail",
      summary: "the head branch `yxb/wip` does not match `research/moe-hc`",
    });
    expect(row("read-only")).toMatchObject({ status: "fail" });
    expect(row("artifacts")).toMatchObject({ status: "pending", summary: expect.stringContaining("the bot checks") });
    expect(row("required-files")).toMatchObject({
      status: "fail",
      summary: expect.stringContaining(".agents/logbooks/moe-hc.md"),
    });
  });
});
