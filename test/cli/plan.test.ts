/** `merge-captain plan`: the merge plan offline from issue and PR files, as text and JSON, with the exit codes of the other commands. */
import { describe, expect, test } from "@jest/globals";
import { run } from "../../src/cli/commands/plan.js";
import { workItemIssue, workItemPull } from "../../src/demo/queue-fixtures.js";
import { runCli, type FakeWorld } from "./fake-io.js";

const issue = (id: string, o: { dependsOn?: string[]; hotspots?: string[] } = {}) =>
  workItemIssue({ id, slug: `item-${id}`, file: `moelab/item-${id}/x.py`, ...o });

/** Issues #5 (05), #6 (06, depends on 05), #7 (07, shares a hotspot with 05); PRs #15, #16, #17. */
const files: Record<string, string> = {
  "/repo/issues/5-cache.md": issue("05", { hotspots: ["moelab/model.py"] }),
  "/repo/issues/6-evict.md": issue("06", { dependsOn: ["05"] }),
  "/repo/issues/7-docs.md": issue("07", { hotspots: ["moelab/model.py"] }),
  "/repo/issues/README.txt": "not an issue",
  "/repo/prs/15.md": workItemPull("05", "a".repeat(40), 5),
  "/repo/prs/16.md": workItemPull("06", "b".repeat(40), 6),
  "/repo/prs/17-docs.md": workItemPull("07", "c".repeat(40), 7),
};
const PRS = ["--prs", "prs/15.md", "--prs", "prs/16.md", "--prs", "prs/17-docs.md"];

function plan(args: string[], world: FakeWorld = {}) {
  return runCli(run, args, { files, ...world, ...(world.files ? { files: { ...files, ...world.files } } : {}) });
}

interface PlanJson {
  ok: boolean;
  order: { pr: number; contract: string; wave: number; reasons: { kind: string }[] }[];
  unordered: { contract: string; blocker: { kind: string } }[];
  cycles: string[][];
  contracts: { key: string; issue: number | null; id: string | null; state: string; pulls: number[] }[];
  unlinked: { file: string; reason: string }[];
  errors: { code: string; message: string }[];
}

describe("merge-captain plan", () => {
  test("a directory of issues and the PRs: the order with its reasons, exit 0", async () => {
    const r = await plan(["--issues", "issues", ...PRS]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        "Suggested merge order:",
        "  1. #15  05 item-05  [wave 1]",
        "       - not checked here: the bot's check on the PR decides",
        "  2. #16  06 item-06  [wave 1]",
        "       - after #15: depends on 05",
        "       - not checked here: the bot's check on the PR decides",
        "  3. #17  07 item-07  [wave 2]",
        "       - only once #15 has merged: both change moelab/model.py",
        "       - not checked here: the bot's check on the PR decides",
        "",
        "Contracts:",
        "  #5  05 item-05  PR #15  · not checked here",
        "  #6  06 item-06  PR #16  ⏳ after its dependencies  waits for: 05 (#5) — PR #15",
        "  #7  07 item-07  PR #17  · not checked here",
      ].join("\n"),
    );
  });

  test("--json: the same plan as data", async () => {
    const r = await plan(["--issues", "issues", ...PRS, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as PlanJson;
    expect(out.ok).toBe(true);
    expect(out.order.map((s) => [s.pr, s.wave])).toEqual([
      [15, 1],
      [16, 1],
      [17, 2],
    ]);
    expect(out.order[1]!.reasons.map((x) => x.kind)).toEqual(["after", "unchecked"]);
    expect(out.contracts.map((c) => [c.issue, c.id, c.pulls])).toEqual([
      [5, "05", [15]],
      [6, "06", [16]],
      [7, "07", [17]],
    ]);
    expect(out.errors).toEqual([]);
  });

  test.each([
    [
      "a dependency cycle",
      { "/repo/issues/5-cache.md": issue("05", { dependsOn: ["06"] }) },
      [],
      (o: PlanJson) => expect(o.cycles.map((c) => [...c].sort())).toEqual([["issues/5-cache.md", "issues/6-evict.md"]]),
    ],
    [
      "a dependency that is neither given nor --done",
      { "/repo/issues/7-docs.md": issue("07", { dependsOn: ["04"] }) },
      [],
      (o: PlanJson) => expect(o.unordered.find((u) => u.contract === "issues/7-docs.md")?.blocker.kind).toBe("unknown"),
    ],
    [
      "an issue file without a contract",
      { "/repo/issues/8-notes.md": "### Summary\n\nJust notes.\n" },
      [],
      (o: PlanJson) => expect(o.contracts.find((c) => c.issue === 8)?.state).toBe("invalid"),
    ],
  ])("%s: exit 1", async (_name, extra, flags, check) => {
    const r = await plan(["--issues", "issues", ...PRS, ...flags, "--json"], { files: { ...files, ...extra } });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as PlanJson;
    expect(out.ok).toBe(false);
    check(out);
  });

  test("--done marks a merged dependency, and the plan is clean again", async () => {
    const r = await plan(["--issues", "issues", ...PRS, "--done", "04", "--json"], {
      files: { ...files, "/repo/issues/7-docs.md": issue("07", { dependsOn: ["04"] }) },
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as PlanJson).order.map((s) => s.pr)).toEqual([15, 16, 17]);
  });

  test("a numeric depends_on names a numbered issue file, as the bot reads it", async () => {
    const r = await plan(["--issues", "issues", ...PRS, "--json"], {
      files: { ...files, "/repo/issues/6-evict.md": issue("06", { dependsOn: ["5"] }) },
    });
    expect((JSON.parse(r.stdout) as PlanJson).order.map((s) => s.pr)).toEqual([15, 16, 17]);
  });

  test("a PR that links no given issue is reported, not dropped", async () => {
    const r = await plan(["--issues", "issues", "--prs", "prs/15.md", "--prs", "stray.md"], {
      files: { ...files, "/repo/stray.md": workItemPull("99", "d".repeat(40), 99) },
    });
    expect(r.stdout).toContain("Not linked: stray.md: its attestation's issue 99 is none of the given contracts");
  });

  test.each([
    ["no --issues", ["--prs", "prs/15.md"], /--issues is required/],
    ["a bad --done id", ["--issues", "issues", "--done", "a b"], /--done: "a b" is not an issue id/],
    ["an unknown flag", ["--issues", "issues", "--nope"], /Unknown option '--nope'/],
  ])("usage error: %s (exit 2)", async (_name, args, message) => {
    const r = await plan(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe("");
  });

  test("an unreadable path is an I/O error: exit 2, and --json still prints one object", async () => {
    const r = await plan(["--issues", "nowhere", "--json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("merge-captain plan: cannot read nowhere: no such file or directory\n");
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, order: [], errors: [{ code: "cli.io" }] });
  });

  test("--help prints the usage and exits 0", async () => {
    const r = await plan(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: merge-captain plan --issues/);
  });
});
