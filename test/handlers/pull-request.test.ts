import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import nock from "nock";
import { aContract, fence, formBody, HEADING, toYaml, type ContractShape } from "../core/contract/builders.js";
import { strictNock, testApp } from "../support/probot.js";
import { anIssue, aPull, HEAD, pullRequestEvent } from "../support/payloads.js";
import { emptyWorld, fakeGitHub, type Fake, type FileRow, type World } from "./pull-request-world.js";

const GATES = readFileSync(new URL("../fixtures/gates/gates.toml", import.meta.url), "utf8");

/** A contract a PR can satisfy on its own: Tier-A gates only, no perf budget, no dependencies. */
function contract(overrides: Partial<Record<keyof ContractShape, unknown>> = {}): ContractShape {
  return aContract({
    nmoe: { issue: "07", slug: "fused-allgather", kind: "feature", risk: "warm", complexity: "M", depends_on: [], merge_hotspots: [] },
    scope: { allow: ["nmoe/router/**", "tests/router/"], deny: ["nmoe/csrc/**"] },
    gates: { required: ["cpu:import"] },
    ...overrides,
  });
}

function issueBody(c: ContractShape = contract()): string {
  return formBody([
    ["Summary (what + why)", "Fuse the all-gather into the router step."],
    [HEADING, fence(toYaml(c))],
  ]);
}

interface AttestationOptions {
  issue?: string;
  prSha?: string;
  tierA?: string[];
  links?: string;
}

function prBody(o: AttestationOptions = {}): string {
  return [
    "## PR Attestation (YAML, required)",
    "",
    fence(
      [
        "nmoe_pr:",
        `  issue: ${o.issue ?? "07"}`,
        `  pr_sha: ${o.prSha ?? HEAD}`,
        "  risk: warm",
        "gates_passed:",
        `  tier_a: [${(o.tierA ?? ["cpu:import"]).join(", ")}]`,
        "  tier_b: []",
      ].join("\n"),
    ),
    "",
    "## Links",
    `- ${o.links ?? "Fixes #7"}`,
  ].join("\n");
}

const inScope = (n: number): FileRow[] => Array.from({ length: n }, (_, i) => ({ filename: `nmoe/router/f${i}.py`, status: "modified" }));

/** Issue #7 carries the contract; PR #12 implements it. */
function world(o: { body?: string; files?: FileRow[]; changedFiles?: number; headRef?: string; issue?: Partial<Parameters<typeof anIssue>[0]> } = {}): World {
  const files = o.files ?? inScope(1);
  return emptyWorld({
    registry: GATES,
    issues: [anIssue({ number: 7, title: "[07] Fused all-gather", body: issueBody(), ...o.issue })],
    pulls: [aPull({ number: 12, body: o.body ?? prBody(), changedFiles: o.changedFiles ?? files.length, ...(o.headRef ? { headRef: o.headRef } : {}) })],
    files: { 12: files },
  });
}

/** The event for the world's PR #12 as it stands. */
function opened(w: World, action: "opened" | "edited" | "synchronize" = "opened") {
  const p = w.pulls[0]!;
  return pullRequestEvent(action, { number: p.number, body: p.body, headRef: p.head.ref, changedFiles: p.changed_files, headSha: p.head.sha });
}

interface CheckRunBody {
  name: string;
  head_sha?: string;
  status: string;
  conclusion?: string;
  output: { title: string; summary: string; text: string; annotations?: Array<{ path: string; message: string; annotation_level: string }> };
}

/** The table row of criterion `title` in a check summary or comment. */
function row(summary: string, title: string): string {
  return summary.split("\n").find((l) => l.includes(`| ${title} |`)) ?? `(no row "${title}")`;
}

const CHECKS = `/commits/${HEAD}/check-runs?check_name=merge-captain&filter=latest&per_page=100`;
/** What a PR event reads, in order, when there is no repo config. */
const READS = [
  "GET /contents/.github/merge-captain.yml",
  "GET /repos/acme/.github/contents/.github/merge-captain.yml",
  "GET /issues/12/comments?per_page=100",
  "GET /contents/configs/gates/gates.toml?ref=main",
  "GET /pulls/12/files?per_page=100",
  "GET /issues?state=open&per_page=100",
  "GET /pulls?state=open&per_page=100",
  `GET ${CHECKS}`,
];

let guard: { unexpected: string[] };
beforeEach(() => {
  nock.cleanAll();
  guard = strictNock();
});
afterEach(() => {
  expect(guard.unexpected).toEqual([]);
  nock.cleanAll();
});

async function run(w: World, event: object, id?: string): Promise<Fake> {
  const fake = fakeGitHub(w);
  await testApp().receive("pull_request", event, id);
  return fake;
}

describe("pull_request: a valid PR", () => {
  test("gets a green merge-captain check run and one sticky comment, in exactly ten calls", async () => {
    const w = world();
    const gh = await run(w, opened(w));
    expect(gh.lines()).toEqual([...READS, "POST /check-runs", "POST /issues/12/comments"]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check).toMatchObject({ name: "merge-captain", head_sha: HEAD, status: "completed", conclusion: "success", output: { title: "Ready to merge" } });
    expect(check!.output.annotations).toBeUndefined();
    const summary = check!.output.summary;
    expect(row(summary, "Contract found & valid")).toMatch(/^\| ✅ \| Contract found & valid \| issue #7 \(linked via closing-keyword\), contract `07` \|/);
    expect(row(summary, "Attestation valid")).toContain("✅");
    expect(row(summary, "Attestation about this head")).toContain("✅");
    expect(row(summary, "Tier-A attested")).toContain("`cpu:import`");
    expect(row(summary, "Scope")).toContain("1 changed file in scope");
    expect(row(summary, "Tier-B green on this head")).toContain("the contract requires no Tier-B gates");
    expect(row(summary, "Perf within budget")).toContain("the contract sets no perf budget");
    expect(check!.output.text).toMatch(/<!-- merge-captain:digest [0-9a-f]{16} -->$/);
    const [comment] = gh.bodies<{ body: string }>("POST", "/issues/12/comments");
    expect(comment!.body).toMatch(/^<!-- merge-captain:pr v1 -->\n### ✅ merge-captain: Ready to merge\n/);
    expect(comment!.body).toContain(`For head \`${HEAD.slice(0, 12)}\``);
    expect(comment!.body).toMatch(/<!-- merge-captain:state v1 [A-Za-z0-9+/=]+ -->\n$/);
  });
});
