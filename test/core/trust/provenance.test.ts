/** Run provenance: which workflow runs (and protection-rule requests) count, and what a rebuild takes back. */
import { describe, expect, test } from "@jest/globals";
import { recoverDispatches } from "../../../src/core/tierb/recover.js";
import {
  checkProvenance,
  isTierBWorkflowPath,
  runOrigin,
  type ExpectedOrigin,
  type RunOrigin,
} from "../../../src/core/trust/provenance.js";
import { aDispatch, aLedger, T0 } from "../../fixtures/tierb/builders.js";
import { HEAD, HEAD2 } from "../../fixtures/tierb/registry.js";

const EXPECTED: ExpectedOrigin = {
  repo: "acme/nmoe",
  defaultBranch: "main",
  workflow: "tier-b.yml",
  botLogin: "merge-captain[bot]",
};
const title = (id: string, sha = HEAD, pr = 7): string => `Tier-B #${pr} hot_path_min  @${sha} [${id}]`;

/** A run as our dispatch makes it; each case changes one thing. */
const aRun = (over: Partial<RunOrigin> = {}): RunOrigin => ({
  id: 500,
  display_title: title("mc-0000000001"),
  path: ".github/workflows/tier-b.yml",
  head_branch: "main",
  event: "workflow_dispatch",
  actor: { login: "merge-captain[bot]", type: "Bot" },
  status: "queued",
  conclusion: null,
  html_url: "https://github.com/acme/nmoe/actions/runs/500",
  ...over,
});

describe("runOrigin: the checks that need no ledger", () => {
  test.each<[string, Partial<RunOrigin>, string | undefined]>([
    ["our dispatch", {}, undefined],
    [
      "the REST form of the path, on the default branch",
      { path: "acme/nmoe/.github/workflows/tier-b.yml@main" },
      undefined,
    ],
    ["the REST form with refs/heads/", { path: "ACME/nmoe/.github/workflows/tier-b.yml@refs/heads/main" }, undefined],
    ["another workflow whose name carries the dispatch id", { path: ".github/workflows/ci.yml" }, "workflow-file"],
    [
      "a file of the same name in another repository",
      { path: "evil/fork/.github/workflows/tier-b.yml@main" },
      "workflow-file",
    ],
    ["our workflow at another ref", { path: "acme/nmoe/.github/workflows/tier-b.yml@feature" }, "workflow-file"],
    ["a file in a sub-folder", { path: ".github/workflows/x/tier-b.yml" }, "workflow-file"],
    ["no path at all", { path: null }, "workflow-file"],
    ["our workflow run from another branch", { head_branch: "attacker-branch" }, "branch"],
    ["our workflow on a push", { event: "push" }, "event"],
    ["our workflow on pull_request", { event: "pull_request" }, "event"],
    ["dispatched by a person", { actor: { login: "mona", type: "User" } }, "actor"],
    ["dispatched by another bot", { actor: { login: "other-app[bot]", type: "Bot" } }, "actor"],
    [
      "a user named like our bot (cannot exist, but still not a Bot)",
      { actor: { login: "merge-captain[bot]", type: "User" } },
      "actor",
    ],
    ["no actor", { actor: null }, "actor"],
    ["a name with no dispatch id", { display_title: "Tier-B manual run", name: "Tier-B" }, "run-name"],
  ])("%s", (_name, over, code) => {
    const r = runOrigin(aRun(over), EXPECTED);
    expect(r.ok ? undefined : r.code).toBe(code);
  });

  test("the bot login is compared case-insensitively", () => {
    expect(runOrigin(aRun({ actor: { login: "Merge-Captain[bot]", type: "Bot" } }), EXPECTED).ok).toBe(true);
  });

  test("path matching is exact about the file name", () => {
    expect(isTierBWorkflowPath(".github/workflows/tier-b.yml.bak", EXPECTED)).toBe(false);
    expect(isTierBWorkflowPath(".github/workflows/tier-b.yaml", EXPECTED)).toBe(false);
  });
});

describe("checkProvenance: the run must name a dispatch the ledger holds for that PR and SHA", () => {
  const recorded = aDispatch({ id: "mc-0000000001", pr: 7, sha: HEAD, state: "dispatched" });
  test.each<[string, RunOrigin, string | undefined]>([
    ["the dispatch it names", aRun(), undefined],
    ["a dispatch id the ledger does not hold", aRun({ display_title: title("mc-0000000099") }), "unknown-dispatch"],
    ["the right id for another SHA", aRun({ display_title: title("mc-0000000001", HEAD2) }), "dispatch-mismatch"],
    ["the right id for another PR", aRun({ display_title: title("mc-0000000001", HEAD, 8) }), "dispatch-mismatch"],
  ])("%s", (_name, run, code) => {
    const r = checkProvenance(run, EXPECTED, aLedger(recorded));
    expect(r.ok ? undefined : r.code).toBe(code);
  });

  test("a run already tied to the dispatch by id must still carry the dispatch's name", () => {
    const tied = aDispatch({ id: "mc-0000000001", runId: 500, state: "queued" });
    const r = checkProvenance(aRun({ display_title: title("mc-0000000002") }), EXPECTED, aLedger(tied));
    expect(r.ok ? undefined : r.code).toBe("dispatch-mismatch");
  });
});

describe("recoverDispatches: a rebuild takes back only runs that pass provenance", () => {
  test("in-flight and finished runs of this PR come back; anything else is left out", () => {
    const found = recoverDispatches(
      [
        aRun({ id: 6, display_title: title("mc-0000000006"), status: "in_progress" }),
        aRun({ id: 5, display_title: title("mc-0000000005"), head_branch: "evil" }),
        aRun({ id: 4, display_title: title("mc-0000000004"), actor: { login: "mona", type: "User" } }),
        aRun({ id: 3, display_title: title("mc-0000000003", HEAD, 8) }),
        aRun({ id: 2, display_title: "CI" }),
        aRun({ id: 1, status: "completed", conclusion: "success" }),
      ],
      7,
      EXPECTED,
      T0,
    );
    expect(found.map((d) => [d.id, d.runId, d.state, d.recovered, d.requester])).toEqual([
      ["mc-0000000001", 1, "completed", true, "ghost"],
      ["mc-0000000006", 6, "in_progress", true, "ghost"],
    ]);
  });
});
