/** The `pull_request` handler (and the re-check an issue edit triggers) against the demo's fake GitHub: the exact calls, and what the check run and sticky comment say. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import { aContract, fence, formBody, HEADING, toYaml, type ContractShape } from "../core/contract/builders.js";
import { type TestApp } from "../support/probot.js";
import { aUser, HEAD, issuesEvent, pullRequestEvent } from "../support/payloads.js";
import { shortLine, useFakeGitHub } from "../support/fake-app.js";
import type { ChangedFileInput } from "../../src/demo/fake-github/index.js";
import { DEFAULT_CONFIG } from "../../src/core/config/defaults.js";
import { contractOptions } from "../../src/core/config/readers.js";
import { readContract } from "../../src/core/contract/read.js";
import { contractHash } from "../../src/core/trust/acceptance.js";
import { stickyBody } from "../support/ledger.js";

const GATES = readFileSync(new URL("../fixtures/gates/gates.toml", import.meta.url), "utf8");

const hub = useFakeGitHub();

/** A contract a PR can satisfy on its own: Tier-A gates only, no perf budget, no dependencies. */
function contract(overrides: Partial<Record<keyof ContractShape, unknown>> = {}): ContractShape {
  return aContract({
    nmoe: {
      issue: "07",
      slug: "fused-allgather",
      kind: "feature",
      risk: "warm",
      complexity: "M",
      depends_on: [],
      merge_hotspots: [],
    },
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

/** Issue #7's sticky comment as the bot wrote it when alice (write access) opened the issue. */
function acceptedIssueSticky(c: ContractShape = contract()): string {
  const report = readContract(issueBody(c), contractOptions(DEFAULT_CONFIG));
  if (report.status !== "valid") throw new Error("contract");
  const hash = contractHash(report.contract);
  return stickyBody("issue", 7, "### ✅ merge-captain: contract valid", {
    version: 2,
    dispatches: [],
    acceptances: [{ hash, by: "alice", at: "2026-11-23T10:00:00Z", via: "author" }],
  });
}

const inScope = (n: number): ChangedFileInput[] =>
  Array.from({ length: n }, (_, i) => ({ filename: `nmoe/router/f${i}.py`, status: "modified" }));

interface Seed {
  body?: string;
  files?: ChangedFileInput[];
  /** What the event's `changed_files` says, when GitHub's listing disagrees with it (default: the files). */
  changedFiles?: number;
  headRef?: string;
  issue?: { title?: string; body?: string };
}

/** What the event's `changed_files` says in this test (set by `world`). */
let reportedFiles: number | undefined;

/**
 * Issue #7 (by alice) carries the contract; PR #12 (by alice, head `HEAD`) implements it; the
 * gate registry is on `main`. The contract's author has write access: her contract counts.
 */
function world(o: Seed = {}): void {
  const repo = hub.repo;
  repo.putFile("main", "configs/gates/gates.toml", GATES);
  repo.setPermission("alice", "write");
  repo.openIssue({
    number: 7,
    title: o.issue?.title ?? "[07] Fused all-gather",
    body: o.issue?.body ?? issueBody(),
    user: "alice",
  });
  repo.openPullRequest({
    number: 12,
    title: "Fused all-gather",
    body: o.body ?? prBody(),
    user: "alice",
    head: { ref: o.headRef ?? "issue/07-fused-allgather", sha: HEAD },
    files: o.files ?? inScope(1),
  });
  reportedFiles = o.changedFiles;
}

/** The event for PR #12 as it stands in the fake. */
function opened(action: "opened" | "edited" | "synchronize" = "opened") {
  const { issue, pull } = hub.repo.pull(12);
  return pullRequestEvent(action, {
    number: 12,
    body: issue.body,
    headRef: pull.head.ref,
    changedFiles: reportedFiles ?? pull.files.length,
    headSha: pull.head.sha,
  });
}

/** A push to PR #12: the new head `sha`, the same diff unless `files` says otherwise. */
function push(sha: string, files: ChangedFileInput[] = hub.repo.pull(12).pull.files): void {
  hub.repo.pushToPullRequest(12, { files, sha });
}

/** Our `merge-captain` check run (the first one we created) and our sticky comment on PR #12. */
function ourCheck() {
  const run = [...hub.repo.checkRuns.values()].find((c) => c.name === "merge-captain" && c.app === undefined);
  if (!run) throw new Error("no merge-captain check run of ours");
  return run;
}
function ourComments() {
  return hub.repo.commentsOn(12).filter((c) => c.user === hub.fake.state.bot);
}
const stickyId = (): number => ourComments()[0]!.id;

interface CheckRunBody {
  name: string;
  head_sha?: string;
  status: string;
  conclusion?: string;
  output: {
    title: string;
    summary: string;
    text: string;
    annotations?: Array<{ path: string; message: string; annotation_level: string }>;
  };
}

/** What the app asked of GitHub for one event: the calls (`METHOD path`, repository prefix cut), how many read and wrote, and the bodies sent. */
interface Seen {
  lines: string[];
  reads: number;
  writes: number;
  tokens: number;
  /** Bodies sent to `method path` (path as in `lines`, without its query). */
  bodies<T = Record<string, unknown>>(method: string, path: string): T[];
}

function seen(): Seen {
  const calls = hub.calls();
  return {
    lines: calls.map(shortLine),
    reads: calls.filter((c) => c.method === "GET").length,
    writes: calls.filter((c) => c.method !== "GET").length,
    tokens: hub.tokens(),
    bodies: <T>(method: string, path: string) =>
      calls.filter((c) => shortLine(c).replace(/\?.*$/, "") === `${method} ${path}`).map((c) => c.body as T),
  };
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
  // Whether the contract counts: issue #7 has no record yet (no sticky), so its author's permission decides.
  "GET /issues/7/comments?per_page=100",
  "GET /collaborators/alice/permission",
  "GET /pulls?state=open&per_page=100",
  `GET ${CHECKS}`,
];
/** The same without the contract's standing: after the first event the PR's ledger remembers the acceptance. */
const STANDING = ["GET /issues/7/comments?per_page=100", "GET /collaborators/alice/permission"];
const CACHED = READS.filter((l) => !STANDING.includes(l));

/** Send one event (to a new app unless `app` is given) and see what it asked of GitHub. */
async function run(event: object, o: { app?: TestApp; name?: string; id?: string } = {}): Promise<Seen> {
  hub.forget();
  await (o.app ?? hub.app()).receive(o.name ?? "pull_request", event, o.id);
  return seen();
}

/** Edit contract issue #7's body in the fake and send the `issues.edited` event GitHub would. */
async function editContract(app: TestApp, body: string, previousBody = issueBody()): Promise<Seen> {
  hub.repo.editIssue(7, { body });
  return run(issuesEvent("edited", { number: 7, body, previousBody, labels: ["contract: valid"] }), {
    app,
    name: "issues",
  });
}

describe("pull_request: a valid PR", () => {
  test("gets a green merge-captain check run and one sticky comment, in exactly ten calls", async () => {
    world();
    const gh = await run(opened());
    expect(gh.lines).toEqual([...READS, "POST /check-runs", "POST /issues/12/comments"]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check).toMatchObject({
      name: "merge-captain",
      head_sha: HEAD,
      status: "completed",
      conclusion: "success",
      output: { title: "Ready to merge" },
    });
    expect(check!.output.annotations).toBeUndefined();
    const summary = check!.output.summary;
    expect(row(summary, "Contract found & valid")).toMatch(
      /^\| ✅ \| Contract found & valid \| issue #7 \(linked by a closing keyword\), contract `07`, written by `alice` \|/,
    );
    expect(row(summary, "Attestation valid")).toContain("✅");
    expect(row(summary, "Attestation about this head")).toContain("✅");
    expect(row(summary, "Tier-A attested")).toContain("`cpu:import`");
    expect(row(summary, "Scope")).toContain("1 changed file in scope");
    expect(row(summary, "Tier-B green on this head")).toContain("the contract requires no Tier-B gates");
    expect(row(summary, "Perf within budget")).toContain("the contract sets no perf budget");
    expect(check!.output.text).toMatch(/<!-- merge-captain:digest [0-9a-f]{16} inputs [0-9a-f]{16} -->$/);
    const [comment] = gh.bodies<{ body: string }>("POST", "/issues/12/comments");
    expect(comment!.body).toMatch(/^<!-- merge-captain:pr v1 -->\n### ✅ merge-captain: Ready to merge\n/);
    expect(comment!.body).toContain(`For head \`${HEAD.slice(0, 12)}\``);
    // The ledger ends the comment, sealed: base64url JSON, a dot, the HMAC.
    expect(comment!.body).toMatch(/\n<!-- merge-captain:state v2 [A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43} -->\n$/);
  });
});

describe("pull_request: scope against the real diff", () => {
  test("an out-of-scope PR is red, and each file outside the contract becomes an annotation naming the file and the pattern", async () => {
    const files: ChangedFileInput[] = [
      { filename: "nmoe/router/cache.py", status: "modified" },
      { filename: "nmoe/csrc/allgather.cu", status: "modified" },
      { filename: "docs/router.md", status: "added" },
    ];
    world({ files });
    const gh = await run(opened());
    expect(gh.lines).toEqual([...READS, "POST /check-runs", "POST /issues/12/comments"]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Not ready: 1 criterion failed" },
    });
    expect(row(check!.output.summary, "Scope")).toMatch(
      /^\| ❌ \| Scope \| 2 of 3 files out of scope \| revert those changes/,
    );
    // Sorted by path, whatever order GitHub listed them in.
    expect(check!.output.annotations).toEqual([
      {
        path: "docs/router.md",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        message: "Out of scope: no scope.allow pattern of the contract matches this file",
      },
      {
        path: "nmoe/csrc/allgather.cu",
        start_line: 1,
        end_line: 1,
        annotation_level: "failure",
        message: "Out of scope: denied by the contract pattern nmoe/csrc/**",
      },
    ]);
    expect(check!.output.text).toContain("`nmoe/csrc/allgather.cu`: denied by `nmoe/csrc/**`");
    expect(check!.output.text).toContain("`docs/router.md`: not allowed by any scope.allow pattern");
    const [comment] = gh.bodies<{ body: string }>("POST", "/issues/12/comments");
    expect(comment!.body).toContain("### ❌ merge-captain: Not ready: 1 criterion failed");
    expect(comment!.body).toContain("`nmoe/csrc/allgather.cu`: denied by `nmoe/csrc/**`");
  });

  test("more than 50 annotations go out in batches of 50: the create, then updates that GitHub appends", async () => {
    const denied: ChangedFileInput[] = Array.from({ length: 120 }, (_, i) => ({
      filename: `nmoe/csrc/k${String(i).padStart(3, "0")}.cu`,
      status: "modified",
    }));
    world({ files: [...inScope(5), ...denied] });
    const gh = await run(opened());
    expect(gh.lines).toEqual([
      ...READS.slice(0, 4),
      "GET /pulls/12/files?per_page=100",
      "GET /pulls/12/files?per_page=100&page=2",
      ...READS.slice(5),
      "POST /check-runs",
      `PATCH /check-runs/${ourCheck().id}`,
      `PATCH /check-runs/${ourCheck().id}`,
      "POST /issues/12/comments",
    ]);
    const batches = [
      ...gh.bodies<CheckRunBody>("POST", "/check-runs"),
      ...gh.bodies<CheckRunBody>("PATCH", `/check-runs/${ourCheck().id}`),
    ].map((b) => b.output.annotations ?? []);
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches.flat().map((a) => a.path)).toEqual(denied.map((f) => f.filename));
    expect(ourCheck().output.annotations).toHaveLength(120);
    // Every batch repeats the same output, so GitHub's view of title and summary never changes mid-way.
    const [create, ...updates] = [
      ...gh.bodies<CheckRunBody>("POST", "/check-runs"),
      ...gh.bodies<CheckRunBody>("PATCH", `/check-runs/${ourCheck().id}`),
    ];
    for (const u of updates)
      expect({ title: u.output.title, summary: u.output.summary }).toEqual({
        title: create!.output.title,
        summary: create!.output.summary,
      });
  });

  test('files are listed across pages (Link rel="next") until the last, and all of them are checked', async () => {
    world({ files: inScope(250) });
    const gh = await run(opened());
    expect(gh.lines.filter((l) => l.includes("/files"))).toEqual([
      "GET /pulls/12/files?per_page=100",
      "GET /pulls/12/files?per_page=100&page=2",
      "GET /pulls/12/files?per_page=100&page=3",
    ]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check!.conclusion).toBe("success");
    expect(row(check!.output.summary, "Scope")).toContain("250 changed files in scope");
  });

  test("a file on the last page out of scope is found", async () => {
    world({ files: [...inScope(230), { filename: "setup.py", status: "modified" }] });
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(row(check!.output.summary, "Scope")).toContain("1 of 231 files out of scope");
    expect(check!.output.annotations?.map((a) => a.path)).toEqual(["setup.py"]);
  });

  test("a 3000-file PR is not verified: no file listing is attempted, and the check fails closed", async () => {
    world({ files: inScope(3000) });
    const gh = await run(opened());
    expect(gh.lines).toEqual([
      ...READS.filter((l) => !l.includes("/files")),
      "POST /check-runs",
      "POST /issues/12/comments",
    ]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(check!.output.title).toMatch(/^Not verified/);
    expect(row(check!.output.summary, "Scope")).toMatch(
      /^\| ❔ \| Scope \| scope not verifiable \| split the PR into smaller ones \|/,
    );
    expect(check!.output.text).toContain("the PR changes 3000 files; GitHub lists at most 3000");
  });

  test("a listing shorter than the PR's changed_files is not verified either", async () => {
    world({ files: inScope(2), changedFiles: 3 });
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    // Scope and protected paths both depend on the full list: neither passes on a partial one.
    expect(check).toMatchObject({
      conclusion: "failure",
      output: { title: "Not verified: 2 criteria could not be checked" },
    });
    expect(check!.output.text).toContain("GitHub listed 2 files but the PR reports 3 changed files");
  });

  test.each<[string, ChangedFileInput, RegExp]>([
    [
      "renamed out of a denied folder",
      { filename: "nmoe/router/allgather.cu", status: "renamed", previous_filename: "nmoe/csrc/allgather.cu" },
      /`nmoe\/csrc\/allgather.cu` \(renamed away from here\): denied by `nmoe\/csrc\/\*\*`/,
    ],
    [
      "renamed into a denied folder",
      { filename: "nmoe/csrc/cache.py", status: "renamed", previous_filename: "nmoe/router/cache.py" },
      /`nmoe\/csrc\/cache.py` \(renamed to here\): denied by `nmoe\/csrc\/\*\*`/,
    ],
    [
      "deleted from a denied folder",
      { filename: "nmoe/csrc/old.cu", status: "removed" },
      /`nmoe\/csrc\/old.cu`: denied by `nmoe\/csrc\/\*\*`/,
    ],
  ])("a file %s is out of scope", async (_name, file, line) => {
    world({ files: [file] });
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check!.conclusion).toBe("failure");
    expect(row(check!.output.summary, "Scope")).toContain("1 of 1 file out of scope");
    expect(check!.output.text).toMatch(line);
    expect(check!.output.annotations).toHaveLength(1);
  });

  test("a rename within the allowed folders is in scope", async () => {
    world({
      files: [{ filename: "nmoe/router/new.py", status: "renamed", previous_filename: "nmoe/router/old.py" }],
    });
    const gh = await run(opened());
    expect(gh.bodies<CheckRunBody>("POST", "/check-runs")[0]!.conclusion).toBe("success");
  });
});

describe("pull_request: the attestation", () => {
  test("an unedited template: the attestation row says so, and the check is red", async () => {
    const template = readFileSync(new URL("../fixtures/attestation/pr-template.md", import.meta.url), "utf8");
    world({ body: template.replace("- Fixes: #", "- Fixes #7") });
    const gh = await run(opened());
    expect(gh.lines).toEqual([...READS, "POST /check-runs", "POST /issues/12/comments"]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check!.conclusion).toBe("failure");
    expect(row(check!.output.summary, "Attestation valid")).toMatch(
      /^\| ❌ \| Attestation valid \| the attestation has a problem \| set `nmoe_pr.pr_sha` to the PR's head commit/,
    );
    expect(check!.output.text).toContain("the attestation is the unedited template");
  });

  test("a stale pr_sha: the head row names both SHAs and the fix", async () => {
    world({ body: prBody({ prSha: "0123456789abcdef0123456789abcdef01234567" }) });
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check!.conclusion).toBe("failure");
    expect(row(check!.output.summary, "Attestation about this head")).toBe(
      `| ❌ | Attestation about this head | attestation is about \`0123456789abcdef0123456789abcdef01234567\`, the PR head is \`${HEAD.slice(0, 12)}\` | update pr_sha to ${HEAD} after your last push |`,
    );
    // The stale SHA is judged by its own row, not twice.
    expect(row(check!.output.summary, "Attestation valid")).toContain("✅");
  });

  test("a prefix of the head is enough", async () => {
    world({ body: prBody({ prSha: HEAD.slice(0, 8) }) });
    const gh = await run(opened());
    expect(gh.bodies<CheckRunBody>("POST", "/check-runs")[0]!.conclusion).toBe("success");
  });

  test("a required Tier-A gate that is not attested fails the Tier-A row", async () => {
    world({ body: prBody({ tierA: ["cpu:lint"] }) });
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(row(check!.output.summary, "Tier-A attested")).toMatch(
      /^\| ❌ \| Tier-A attested \| 1 missing, 0 unknown \| run `cpu:import`/,
    );
  });
});

/** Issue #8, another work item with a valid contract: PRs linked to it are not #7's. */
function routerCacheIssue(): void {
  hub.repo.openIssue({
    number: 8,
    user: "alice",
    title: "[08] Router cache",
    body: issueBody(
      contract({
        nmoe: {
          issue: "08",
          slug: "router-cache",
          kind: "feature",
          risk: "warm",
          complexity: "S",
          depends_on: [],
          merge_hotspots: [],
        },
      }),
    ),
  });
}

describe("pull_request: finding the contract issue", () => {
  test.each<[string, Parameters<typeof world>[0], string]>([
    ["a closing keyword", { body: prBody({ links: "Fixes #7" }), headRef: "feature/allgather" }, "a closing keyword"],
    [
      "the attestation's issue id, matched against the open issues' contract ids (not their titles)",
      {
        body: prBody({ links: "see the design doc" }),
        headRef: "feature/allgather",
        issue: { title: "Fused all-gather" },
      },
      "the attestation's issue id",
    ],
    [
      "the branch name issue/<id>-<slug>",
      { body: "Fuses the all-gather.", headRef: "issue/07-fused-allgather" },
      "the branch name",
    ],
  ])("linked by %s", async (_name, o, via) => {
    world(o);
    const gh = await run(opened());
    expect(gh.lines).toEqual([...READS, "POST /check-runs", "POST /issues/12/comments"]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(row(check!.output.summary, "Contract found & valid")).toContain(
      `| ✅ | Contract found & valid | issue #7 (linked by ${via}), contract \`07\`, written by \`alice\` |`,
    );
  });

  test("a closing keyword for a closed issue is read with one extra call, and its contract does not count", async () => {
    world({ body: prBody({ links: "Fixes #7" }), headRef: "feature/allgather" });
    hub.repo.editIssue(7, { title: "Fused all-gather" });
    hub.repo.setIssueState(7, "closed");
    const gh = await run(opened());
    expect(gh.lines).toEqual([
      ...CACHED.slice(0, 6),
      "GET /issues/7",
      ...CACHED.slice(6),
      "POST /check-runs",
      "POST /issues/12/comments",
    ]);
    const check = gh.bodies<CheckRunBody>("POST", "/check-runs")[0]!;
    expect(check.conclusion).toBe("failure");
    expect(row(check.output.summary, "Contract found & valid")).toBe(
      "| ❌ | Contract found & valid | issue #7 (linked by a closing keyword) is closed, so its contract does not apply to a new verdict | reopen issue #7 if the work is still wanted, or link the open issue this PR implements |",
    );
  });

  test.each<[string, Parameters<typeof world>[0], string[]]>([
    [
      "the closing keyword and the attestation",
      { body: prBody({ links: "Fixes #8" }), headRef: "feature/allgather" },
      ["a closing keyword for #8 → #8", "the attestation's `issue: 07` → #7"],
    ],
    [
      "the attestation and the branch",
      { body: prBody({ issue: "08", links: "" }), headRef: "issue/07-fused-allgather" },
      ["the attestation's `issue: 08` → #8", "the branch `issue/07-fused-allgather` (id 07) → #7"],
    ],
  ])("disagreeing routes (%s) fail with a message naming both", async (_name, o, named) => {
    world(o);
    routerCacheIssue();
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check!.conclusion).toBe("failure");
    expect(row(check!.output.summary, "Contract found & valid")).toMatch(
      /^\| ❌ \| Contract found & valid \| no contract issue linked \| make the closing keyword, the attestation's `issue` and the branch name all point at the same issue \|/,
    );
    expect(check!.output.text).toContain("the routes to the contract issue disagree");
    // Issue references in problem text are defused with a zero-width space (no pings, no cross-references).
    expect(check!.output.text).not.toMatch(/#\d/);
    for (const n of named) expect(check!.output.text.replaceAll("\u200b", "")).toContain(n);
  });

  test("no route at all says how to link one", async () => {
    world({ body: "Fuses the all-gather.", headRef: "feature/allgather" });
    const gh = await run(opened());
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(row(check!.output.summary, "Contract found & valid")).toMatch(
      /no contract issue linked \| add `Fixes #<issue number>` to the PR body/,
    );
  });
});

const HEAD2 = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/** The world after PR #12 was opened and the bot answered it: its check run and sticky comment exist. */
async function answered(o: Seed = {}): Promise<{ app: TestApp; gh: Seen }> {
  world(o);
  const app = hub.app();
  const gh = await run(opened(), { app });
  return { app, gh };
}

describe("pull_request: writes only what changed", () => {
  test("an edit that changes nothing makes 0 writes: the check run's digest and the sticky comment already say it", async () => {
    const { app } = await answered();
    expect(ourCheck().output.text).toMatch(/<!-- merge-captain:digest [0-9a-f]{16} inputs [0-9a-f]{16} -->$/);
    const gh = await run(opened("edited"), { app });
    expect(gh.lines).toEqual(CACHED);
    expect(gh.writes).toBe(0);
  });

  test("a redelivery of the same delivery id makes no call at all", async () => {
    world();
    const app = hub.app();
    await run(opened(), { app, id: "delivery-same" });
    const gh = await run(opened(), { app, id: "delivery-same" });
    expect(gh.lines).toEqual([]);
    expect(gh.tokens).toBe(0);
  });

  test("an edit that changes the verdict updates the same check run and comment in place", async () => {
    const { app } = await answered();
    hub.repo.editPullRequest(12, { body: prBody({ tierA: [] }) });
    const gh = await run(opened("edited"), { app });
    expect(gh.lines).toEqual([...CACHED, `PATCH /check-runs/${ourCheck().id}`, `PATCH /issues/comments/${stickyId()}`]);
    expect(gh.bodies<CheckRunBody>("PATCH", `/check-runs/${ourCheck().id}`)[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Not ready: 1 criterion failed" },
    });
    expect(ourComments()).toHaveLength(1);
    expect(ourComments()[0]!.body).toContain("### ❌ merge-captain: Not ready: 1 criterion failed");
    // One fault, one red row: a missing Tier-A gate is the Tier-A row's, not the attestation row's too.
    const summary = gh.bodies<CheckRunBody>("PATCH", `/check-runs/${ourCheck().id}`)[0]!.output.summary;
    expect(row(summary, "Attestation valid")).toContain("✅");
    expect(row(summary, "Tier-A attested")).toContain("❌");
  });

  test("a push (synchronize) gets a new check run on the new head and edits the one comment", async () => {
    const { app } = await answered();
    push(HEAD2);
    const gh = await run(opened("synchronize"), { app });
    expect(gh.lines).toEqual([
      ...CACHED.slice(0, -1),
      `GET /commits/${HEAD2}/check-runs?check_name=merge-captain&filter=latest&per_page=100`,
      "POST /check-runs",
      `PATCH /issues/comments/${stickyId()}`,
    ]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check).toMatchObject({ head_sha: HEAD2, conclusion: "failure" });
    expect(row(check!.output.summary, "Attestation about this head")).toContain(`update pr_sha to ${HEAD2}`);
  });

  test("a check run written by another app with our name is not ours: we create our own", async () => {
    world();
    hub.repo.addCheckRun({
      name: "merge-captain",
      headSha: HEAD,
      conclusion: "success",
      output: { title: "Ready to merge", summary: "", text: "" },
      app: { id: 999, slug: "impostor", name: "impostor" },
    });
    const gh = await run(opened());
    expect(gh.lines.slice(-2)).toEqual(["POST /check-runs", "POST /issues/12/comments"]);
  });

  test("a title-only edit makes no call at all: no criterion reads the title", async () => {
    world();
    const gh = await run(pullRequestEvent("edited", { changed: "title", body: prBody() }));
    expect(gh.lines).toEqual([]);
    expect(gh.tokens).toBe(0);
  });

  test("a retargeted PR (base changed) is read again: the scope row reads its diff", async () => {
    const { app } = await answered();
    const gh = await run(pullRequestEvent("edited", { changed: "base", body: prBody() }), { app });
    // The contract's acceptance is remembered in the PR's ledger since the first event: not read again.
    expect(gh.lines).toEqual(CACHED);
    expect(gh.writes).toBe(0);
  });

  test.each(["opened", "edited", "synchronize"] as const)(
    "our own App's %s event makes no call at all",
    async (action) => {
      world();
      const gh = await run(pullRequestEvent(action, { body: prBody(), sender: aUser("merge-captain[bot]", "Bot") }));
      expect(gh.lines).toEqual([]);
      expect(gh.tokens).toBe(0);
    },
  );

  test.each(["opened", "synchronize"] as const)(
    "a PR %s by another bot (an agent App, Dependabot) gets its check like anyone's",
    async (action) => {
      world();
      const gh = await run(pullRequestEvent(action, { body: prBody(), sender: aUser("renovate[bot]", "Bot") }));
      expect(gh.lines.slice(0, READS.length)).toEqual(READS);
      expect(gh.bodies<CheckRunBody>("POST", "/check-runs")[0]).toMatchObject({
        name: "merge-captain",
        conclusion: "success",
      });
    },
  );

  test("a public-safety finding in the PR body adds the label; once removed, the label goes", async () => {
    const token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    const { app, gh: first } = await answered({ body: prBody() + `\n\nexport GH_TOKEN=${token}` });
    expect(first.lines.slice(-3)).toEqual(["POST /check-runs", "POST /issues/12/comments", "POST /issues/12/labels"]);
    expect(first.bodies("POST", "/issues/12/labels")).toEqual([{ labels: ["public-safety"] }]);
    expect(first.bodies<CheckRunBody>("POST", "/check-runs")[0]!.output.text).not.toContain(token);
    expect(ourComments()[0]!.body).not.toContain(token);
    hub.repo.editPullRequest(12, { body: prBody() });
    const gh = await run(pullRequestEvent("edited", { body: prBody(), labels: ["public-safety"] }), { app });
    expect(gh.lines.slice(-3)).toEqual([
      `PATCH /check-runs/${ourCheck().id}`,
      `PATCH /issues/comments/${stickyId()}`,
      "DELETE /issues/12/labels/public-safety",
    ]);
  });
});

describe("issues edited: the linked open PRs are re-checked", () => {
  const widened = contract({ scope: { allow: ["nmoe/router/**", "nmoe/csrc/"], deny: [] } });
  const ISSUE_READS = [
    "GET /contents/.github/merge-captain.yml",
    "GET /repos/acme/.github/contents/.github/merge-captain.yml",
    // Who edited it decides whether the new version counts: alice, who has write access.
    "GET /collaborators/alice/permission",
    "GET /contents/configs/gates/gates.toml?ref=main",
    "GET /issues/7/comments?per_page=100",
  ];

  test.each<[string, ContractShape, ContractShape, string, string]>([
    ["widening the scope turns a red PR green", contract(), widened, "failure", "success"],
    ["narrowing the scope turns a green PR red", widened, contract(), "success", "failure"],
  ])("%s", async (_name, before, after, was, now) => {
    const { app, gh: first } = await answered({
      files: [{ filename: "nmoe/csrc/allgather.cu", status: "modified" }],
      issue: { body: issueBody(before) },
    });
    expect(first.bodies<CheckRunBody>("POST", "/check-runs")[0]!.conclusion).toBe(was);
    const gh = await editContract(app, issueBody(after), issueBody(before));
    expect(gh.lines).toEqual([
      ...ISSUE_READS,
      "POST /issues/7/comments",
      // recheckLinkedPulls: which open PRs link to #7 (the registry and both lists are read once
      // per event), then each of them as on a PR event.
      "GET /pulls?state=open&per_page=100",
      "GET /issues?state=open&per_page=100",
      "GET /pulls/12",
      // The issue's new acceptance comes with the re-check: neither its comments nor a permission are read again.
      ...CACHED.slice(2).filter((l) => !l.includes("gates.toml") && !l.includes("state=open")),
      `PATCH /check-runs/${ourCheck().id}`,
      `PATCH /issues/comments/${stickyId()}`,
    ]);
    expect(gh.bodies<CheckRunBody>("PATCH", `/check-runs/${ourCheck().id}`)[0]!.conclusion).toBe(now);
    expect(hub.repo.checkRuns.size).toBe(1);
    expect(ourCheck().conclusion).toBe(now);
  });

  test("an edit that leaves the contract as it was re-checks nothing", async () => {
    const { app } = await answered();
    const edited = issueBody() + "\n\n### Notes (optional)\n\nMore context.";
    const gh = await editContract(app, edited);
    // No edit of the contract, so no permission for the editor; the issue had no record yet, so its author's decides.
    expect(gh.lines).toEqual([
      ...ISSUE_READS.filter((l) => !l.includes("permission")),
      "GET /collaborators/alice/permission",
      "POST /issues/7/comments",
    ]);
  });

  test("PRs linked to other issues are listed but not re-read or touched", async () => {
    const { app } = await answered({
      body: prBody({ issue: "08", links: "Fixes #8" }),
      headRef: "feature/router-cache",
    });
    routerCacheIssue();
    const gh = await editContract(app, issueBody(widened));
    expect(gh.lines).toEqual([
      ...ISSUE_READS,
      "POST /issues/7/comments",
      "GET /pulls?state=open&per_page=100",
      "GET /issues?state=open&per_page=100",
    ]);
  });
});

/**
 * What each kind of event costs, for the README. Reads and writes exclude the installation-token
 * exchange (once per installation and hour; Probot caches the token). The `lines` column pins the
 * calls themselves, so a change in cost shows which call appeared or went.
 */
describe("API calls per event", () => {
  type Scenario = () => Promise<Seen>;
  const flip = contract({ scope: { allow: ["nmoe/router/**", "nmoe/csrc/"], deny: [] } });
  const scenarios: Array<[string, number, number, Scenario]> = [
    [
      "pull_request.opened, no config file (looked up in the repo, then in acme/.github)",
      10,
      2,
      async () => {
        world();
        return run(opened());
      },
    ],
    [
      "pull_request.opened, the contract's issue holds its sealed record (the usual case: no permission read)",
      9,
      2,
      async () => {
        world();
        hub.repo.addComment(7, { body: acceptedIssueSticky(), user: hub.fake.state.bot });
        return run(opened());
      },
    ],
    [
      "pull_request.opened with .github/merge-captain.yml in the repo",
      9,
      2,
      async () => {
        world();
        hub.repo.putFile("main", ".github/merge-captain.yml", "labels:\n  public_safety: public-safety\n");
        return run(opened());
      },
    ],
    [
      "pull_request.opened with 250 changed files (one read per 100 files)",
      12,
      2,
      async () => {
        world({ files: inScope(250) });
        return run(opened());
      },
    ],
    [
      "pull_request.opened with 120 files out of scope (one write per 50 annotations)",
      11,
      4,
      async () => {
        world({
          files: Array.from({ length: 120 }, (_, i) => ({
            filename: `nmoe/csrc/k${i}.cu`,
            status: "modified" as const,
          })),
        });
        return run(opened());
      },
    ],
    [
      "pull_request.opened with 3000 changed files (files not listed)",
      9,
      2,
      async () => {
        world({ files: inScope(3000) });
        return run(opened());
      },
    ],
    [
      "pull_request.edited (body), verdict unchanged",
      8,
      0,
      async () => {
        const { app } = await answered();
        return run(opened("edited"), { app });
      },
    ],
    [
      "pull_request.edited (body), verdict changed",
      8,
      2,
      async () => {
        const { app } = await answered();
        hub.repo.editPullRequest(12, { body: prBody({ tierA: [] }) });
        return run(opened("edited"), { app });
      },
    ],
    [
      "pull_request.synchronize (new head)",
      8,
      2,
      async () => {
        const { app } = await answered();
        push(HEAD2);
        return run(opened("synchronize"), { app });
      },
    ],
    [
      "pull_request.reopened, nothing changed",
      8,
      0,
      async () => {
        const { app } = await answered();
        return run(pullRequestEvent("reopened", { body: prBody() }), { app });
      },
    ],
    [
      "pull_request.edited, title only",
      0,
      0,
      async () => {
        world();
        return run(pullRequestEvent("edited", { changed: "title", body: prBody() }));
      },
    ],
    [
      "pull_request.opened by another bot (judged like anyone's)",
      10,
      2,
      async () => {
        world();
        return run(pullRequestEvent("opened", { body: prBody(), sender: aUser("renovate[bot]", "Bot") }));
      },
    ],
    [
      "pull_request.opened by our own App",
      0,
      0,
      async () => {
        world();
        return run(pullRequestEvent("opened", { body: prBody(), sender: aUser("merge-captain[bot]", "Bot") }));
      },
    ],
    [
      "pull_request redelivered (same delivery id)",
      0,
      0,
      async () => {
        world();
        const app = hub.app();
        await run(opened(), { app, id: "again" });
        return run(opened(), { app, id: "again" });
      },
    ],
    [
      "issues.edited, contract changed, one linked open PR whose verdict flips",
      11,
      3,
      async () => {
        const { app } = await answered({ files: [{ filename: "nmoe/csrc/a.cu", status: "modified" }] });
        return editContract(app, issueBody(flip));
      },
    ],
    [
      "issues.edited, contract changed, no linked open PR",
      7,
      1,
      async () => {
        const { app } = await answered({ body: "No attestation.", headRef: "feature/x" });
        return editContract(app, issueBody(flip));
      },
    ],
  ];

  test.each(scenarios)("%s costs %i reads and %i writes", async (_name, reads, writes, scenario) => {
    const gh = await scenario();
    expect({ reads: gh.reads, writes: gh.writes }).toEqual({ reads, writes });
  });
});

describe("pull_request: the repository's own setup is broken", () => {
  test("an invalid config: one red check run that says so, nothing else read or written", async () => {
    world();
    hub.repo.putFile("main", ".github/merge-captain.yml", "labels: 5\n");
    const gh = await run(opened());
    expect(gh.lines).toEqual(["GET /contents/.github/merge-captain.yml", `GET ${CHECKS}`, "POST /check-runs"]);
    expect(gh.bodies<CheckRunBody>("POST", "/check-runs")[0]).toMatchObject({
      status: "completed",
      conclusion: "failure",
      output: { title: "Not verified: the merge-captain config is invalid" },
    });
  });

  test("a broken gate registry: not verified, never green", async () => {
    world();
    hub.repo.putFile("main", "configs/gates/gates.toml", '[gates."x"]\ntier = "z"\n');
    const gh = await run(opened());
    // With the registry broken the contract cannot be read as valid, so nobody's standing is looked up.
    expect(gh.lines).toEqual([...CACHED, "POST /check-runs", "POST /issues/12/comments"]);
    const [check] = gh.bodies<CheckRunBody>("POST", "/check-runs");
    expect(check!.conclusion).toBe("failure");
    // Design, failure rules: a registry that does not parse makes the answer "not verified" — no row blames the author.
    expect(check!.output.title).toMatch(/^Not verified: 6 criteri/);
    expect(check!.output.summary).not.toMatch(/^\| ❌ /m);
    // One wording in every row that needs the registry; its errors are listed once, under the first.
    const unverified =
      "the gate registry `configs/gates/gates.toml` on `main` is invalid, so this could not be checked | a maintainer fixes `configs/gates/gates.toml` on `main` |";
    for (const title of ["Contract found & valid", "Tier-A attested", "Scope", "Tier-B green on this head"])
      expect(row(check!.output.summary, title)).toBe(`| ❔ | ${title} | ${unverified}`);
    expect(check!.output.text.match(/^#### /gm)).toHaveLength(1);
    expect(check!.output.text).toContain("#### ❔ Contract found & valid");
  });

  test("a comment with our marker written by someone else is not our sticky: we post our own and leave theirs", async () => {
    world();
    hub.repo.addComment(12, {
      body: "<!-- merge-captain:pr v1 -->\n### ✅ merge-captain: Ready to merge",
      user: "octocat",
    });
    const impostor = hub.fake.state.addApp({ id: 999, slug: "impostor" });
    hub.repo.addComment(12, { body: "<!-- merge-captain:pr v1 -->\nforged", user: impostor });
    const gh = await run(opened());
    expect(gh.lines.slice(-1)).toEqual(["POST /issues/12/comments"]);
    expect(ourComments()).toHaveLength(1);
    expect(
      hub.repo
        .commentsOn(12)
        .slice(0, 2)
        .map((c) => c.body),
    ).toEqual([
      "<!-- merge-captain:pr v1 -->\n### ✅ merge-captain: Ready to merge",
      "<!-- merge-captain:pr v1 -->\nforged",
    ]);
  });
});
