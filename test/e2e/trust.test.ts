// Issue #10, end to end: the real server against the fake GitHub over HTTP, trying what an
// outsider (read access), a triage user, or someone with write access but no Environment
// approval would try. Each case: never green, the reason named on the check, no token in any
// request body, at most one reply.
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { startDemoWorld, type DemoWorld } from "../../src/demo/story.js";
import { attestation, resultsFile, VALID_ISSUE } from "../../src/demo/fixtures.js";
import { RUN_NAME_TEMPLATE } from "../../src/core/tierb/runs.js";
import * as hooks from "../../src/demo/webhooks.js";
import type { LoggedRequest } from "../../src/demo/fake-github/index.js";

let world: DemoWorld;
let mark = 0;
beforeEach(async () => {
  world = await startDemoWorld();
  world.repo.setPermission("tom", "triage");
  mark = world.fake.requests.mark();
});
afterEach(async () => {
  await world.close();
});

/** A credential an attacker might paste anywhere: no request the bot makes may ever carry it. */
const TOKEN = ["ghp_", "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz2Xc4Vb6N"].join("");

interface ContractOptions {
  id: string;
  allow: string[];
  deny?: string[];
  required: string[];
  hotspots?: string[];
}

/** An issue body in nmoe's form, with the contract under its heading. */
function contractIssue(o: ContractOptions, notes = "_No response_"): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
  const yaml = [
    "nmoe:",
    `  issue: "${o.id}"`,
    "  kind: feature",
    "  risk: warm",
    `  merge_hotspots: ${list(o.hotspots ?? [])}`,
    "scope:",
    `  allow: ${list(o.allow)}`,
    `  deny: ${list(o.deny ?? [])}`,
    "gates:",
    `  required: ${list(o.required)}`,
  ].join("\n");
  return `### Summary (what + why)\n\nA change.\n\n### Agent Contract (YAML, required)\n\n\`\`\`yaml\n${yaml}\n\`\`\`\n\n### Notes (optional)\n\n${notes}`;
}

function writes(): LoggedRequest[] {
  return world.fake.requests.writes(mark);
}

/** What every case must hold for everything the bot wrote: no token, no second reply to anyone. */
function expectNoLeakAndAtMostOneReply(): void {
  const sent = JSON.stringify(writes().map((w) => w.body ?? null));
  expect(sent).not.toContain(TOKEN);
  expect(sent).not.toMatch(/gh[psu]_[A-Za-z0-9]{20,}/);
  const replies = writes().filter(
    (w) =>
      w.method === "POST" &&
      w.route === "/repos/{owner}/{repo}/issues/{issue_number}/comments" &&
      !/^<!-- merge-captain:(?:pr v1|issue) -->/.test(String((w.body as { body?: string } | undefined)?.body ?? "")),
  );
  expect(replies.length).toBeLessThanOrEqual(1);
}

function check(sha: string) {
  return world.repo
    .checkRunsFor(sha)
    .filter((c) => c.name === "merge-captain")
    .at(-1);
}

/** The table row of a criterion in the check's summary. */
function row(sha: string, title: string): string {
  return (check(sha)?.output.summary ?? "").split("\n").find((l) => l.includes(`| ${title} |`)) ?? `(no row ${title})`;
}

function expectNeverGreen(sha: string): void {
  const c = check(sha);
  expect(c).toBeDefined();
  expect(c!.conclusion).not.toBe("success");
  expect(c!.output.title).not.toBe("Ready to merge");
}

function sticky(number: number): string {
  return (
    world.repo
      .commentsOn(number)
      .find((c) => c.user.login === "merge-captain[bot]" && c.body.startsWith("<!-- merge-captain:"))?.body ?? ""
  );
}

/** A dispatch that never ran, with every gate passing on `sha`: what a hand-edited ledger would claim. */
function forgedDispatch(pr: number, sha: string) {
  return {
    id: "f0r9ed00-0000-4000-8000-000000000001",
    pr,
    sha,
    bundle: "hot_path",
    requester: "mona",
    requestedAt: "2025-06-02T09:00:00Z",
    state: "completed",
    conclusion: "success",
    results: {
      outcome: "valid",
      gates: [
        { id: "b200:smoke_1x10", status: "pass", rc: 0 },
        { id: "b200:train_8x20", status: "pass", rc: 0 },
        { id: "perf:delta", status: "pass", metrics: { baseline: 100, result: 101 } },
      ],
    },
  };
}

/**
 * Put `marker` where the ledger stands in the bot's sticky on PR `number`, as anyone with write
 * access can by editing the comment; no webhook is sent. Returns the comment's id and the edit.
 */
function replaceLedger(number: number, marker: string) {
  const bots = world.repo
    .commentsOn(number)
    .find((c) => c.user.login === "merge-captain[bot]" && c.body.startsWith("<!-- merge-captain:pr v1 -->"))!;
  const edited = bots.body.replace(/<!-- merge-captain:state v[12] [^\n]* -->\n?$/, marker + "\n");
  expect(edited).not.toBe(bots.body);
  return { id: bots.id, ...world.repo.editComment(bots.id, edited) };
}

async function openIssue(user: string, body: string, title = "[09] A change") {
  const issue = world.repo.openIssue({ title, body, user });
  await world.send("issues", hooks.issuesOpened(world.fake.state, world.repo, issue.number));
  return issue;
}

async function openPull(
  user: string,
  issue: { number: number },
  id: string,
  files: string[],
  sha: string,
  sender: string = user,
) {
  const { repo, fake } = world;
  const pr = repo.openPullRequest({
    title: "A change",
    user,
    head: { ref: `issue/${id}-change`, sha },
    files: files.map((filename) => ({ filename, content: "// changed\n" })),
    body: attestation(id, sha, repo.resolveRef("main")!.sha, issue.number),
  });
  await world.send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number, sender));
  return pr;
}

async function comment(number: number, user: string, body: string) {
  const c = world.repo.addComment(number, { body, user });
  await world.send("issue_comment", hooks.issueCommentCreated(world.fake.state, world.repo, c.id));
  return c;
}

async function editIssue(number: number, body: string, sender: string) {
  const { changes } = world.repo.editIssue(number, { body });
  await world.send("issues", hooks.issuesEdited(world.fake.state, world.repo, number, changes, sender));
}

describe("1. an outsider's own contract", () => {
  test("a read-only user's `**` contract with no gates, and a PR rewriting the Tier-B workflow, the registry and a path another contract denies: never green", async () => {
    await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather"); // denies moelab/csrc/**
    const theirs = await openIssue("rex", contractIssue({ id: "09", allow: ["**"], required: [] }, `key ${TOKEN}`));
    expect(world.repo.issue(theirs.number).labels).toContain("contract: needs acceptance");
    expect(sticky(theirs.number)).toContain("awaiting acceptance");

    const sha = "e1".repeat(20);
    await openPull(
      "rex",
      theirs,
      "09",
      [".github/workflows/tier-b.yml", "configs/gates/gates.toml", "moelab/csrc/kernel.cu"],
      sha,
    );
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toContain(
      `the contract in issue #${theirs.number} is not accepted: \`rex\` wrote it without write access`,
    );
    expect(row(sha, "Contract found & valid")).toContain("a maintainer reviews the contract and comments `/accept`");
    expect(row(sha, "Protected paths")).toContain("❌");
    expect(row(sha, "Protected paths")).toContain("`.github/workflows/tier-b.yml`");
    expect(row(sha, "Protected paths")).toContain("`configs/gates/gates.toml`");
    expect(check(sha)!.output.text).toContain("the contract does not name it");
    expectNoLeakAndAtMostOneReply();
  });

  test("linking a closed issue: its contract is not a contract for a new verdict", async () => {
    const closed = await openIssue("mona", contractIssue({ id: "10", allow: ["**"], required: [] }));
    world.repo.setIssueState(closed.number, "closed");
    const sha = "e2".repeat(20);
    await openPull("rex", closed, "10", ["moelab/anything.py"], sha);
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toContain(
      `issue #${closed.number} (linked by a closing keyword) is closed, so its contract does not apply to a new verdict`,
    );
    expect(row(sha, "Contract found & valid")).toContain(`reopen issue #${closed.number} if the work is still wanted`);
    expectNoLeakAndAtMostOneReply();
  });

  test("closing a contract issue re-checks the PRs still linked to it", async () => {
    const issue = await openIssue("mona", contractIssue({ id: "11", allow: ["moelab/**"], required: ["cpu:import"] }));
    const sha = "e3".repeat(20);
    await openPull("ada", issue, "11", ["moelab/x.py"], sha);
    expect(check(sha)!.conclusion).toBe("success");
    world.repo.setIssueState(issue.number, "closed");
    await world.send("issues", hooks.issuesClosed(world.fake.state, world.repo, issue.number, "mona"));
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toContain("is closed");
  });
});

describe("2. loosening after review", () => {
  const reviewed = contractIssue({ id: "12", allow: ["moelab/comm/**"], required: ["cpu:import", "b200:train_8x20"] });
  const loosened = contractIssue({ id: "12", allow: ["**"], required: ["cpu:import"] });
  const files = ["moelab/comm/allgather.py", "moelab/router.py"];

  test("a triage user widens the maintainer's scope to `**` and drops the Tier-B gate: the linked PR is re-checked and stays red", async () => {
    const issue = await openIssue("mona", reviewed, "[12] Router");
    const sha = "c1".repeat(20);
    await openPull("ada", issue, "12", files, sha);
    expectNeverGreen(sha);
    await editIssue(issue.number, loosened, "tom");
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toMatch(
      new RegExp(
        `the contract in issue #${issue.number} changed since it was accepted \\(by \`tom\`, \\d{4}-\\d{2}-\\d{2}\\)`,
      ),
    );
    expect(row(sha, "Contract found & valid")).toContain("comments `/accept` on issue");
    expect(sticky(issue.number)).toContain("contract changed since acceptance");
    expect(sticky(issue.number)).toContain("was changed by `tom`");
    expect(world.repo.issue(issue.number).labels).toContain("contract: needs acceptance");
    expectNoLeakAndAtMostOneReply();
  });

  test("the issue's read-only author edits the contract a maintainer accepted: changed since acceptance", async () => {
    const issue = await openIssue("ada", reviewed, "[12] Router");
    await comment(issue.number, "mona", "/accept");
    expect(world.repo.issue(issue.number).labels).toEqual(["contract: valid"]);
    const sha = "c2".repeat(20);
    await openPull("ada", issue, "12", files, sha);
    await editIssue(issue.number, loosened, "ada");
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toContain("changed since it was accepted (by `ada`");
    expectNoLeakAndAtMostOneReply();
  });

  test("a missed webhook cannot help: the hash no acceptance covers is caught at the next evaluation", async () => {
    const issue = await openIssue("mona", reviewed, "[12] Router");
    const sha = "c3".repeat(20);
    const pr = await openPull("ada", issue, "12", files, sha);
    world.repo.editIssue(issue.number, { body: loosened }); // no issues.edited delivered
    const pushed = world.repo.pushToPullRequest(pr.number, {
      sha: "c4".repeat(20),
      files: files.map((filename) => ({ filename, content: "y\n" })),
    });
    world.repo.editPullRequest(pr.number, {
      body: attestation("12", pushed.after, world.repo.resolveRef("main")!.sha, issue.number),
    });
    await world.send("pull_request", hooks.pullRequestSynchronize(world.fake.state, world.repo, pr.number, pushed));
    expectNeverGreen(pushed.after);
    expect(row(pushed.after, "Contract found & valid")).toContain(
      "changed since it was accepted (the bot did not see who changed it)",
    );
  });

  test("reverting to the accepted version, or a maintainer's own edit, counts again with no extra step", async () => {
    const issue = await openIssue("mona", reviewed, "[12] Router");
    const sha = "c5".repeat(20);
    await openPull("ada", issue, "12", ["moelab/comm/allgather.py"], sha);
    await editIssue(issue.number, loosened, "tom");
    expect(row(sha, "Contract found & valid")).toContain("❌");
    await editIssue(issue.number, reviewed, "tom"); // back to what mona wrote
    expect(row(sha, "Contract found & valid")).toContain("✅");
    expect(row(sha, "Contract found & valid")).toContain("written by `mona`");
    await editIssue(issue.number, loosened, "mona"); // a maintainer loosens it herself
    expect(row(sha, "Contract found & valid")).toContain("last edited by `mona`");
    expect(check(sha)!.conclusion).toBe("success");
  });
});

describe("3. a lazy `**`", () => {
  const files = [
    ".github/workflows/tier-b.yml",
    "configs/gates/gates.toml",
    ".github/merge-captain.yml",
    "moelab/x.py",
  ];

  test("a maintainer's `allow: [\"**\"]` does not open the Tier-B workflow, the registry or the bot's config", async () => {
    const issue = await openIssue("mona", contractIssue({ id: "13", allow: ["**"], required: ["cpu:import"] }));
    const sha = "d1".repeat(20);
    await openPull("ada", issue, "13", files, sha);
    expectNeverGreen(sha);
    const protectedRow = row(sha, "Protected paths");
    expect(protectedRow).toContain("3 protected files changed");
    for (const f of [".github/workflows/tier-b.yml", "configs/gates/gates.toml", ".github/merge-captain.yml"])
      expect(protectedRow).toContain(`\`${f}\``);
    expect(protectedRow).not.toContain("moelab/x.py");
    expect(check(sha)!.output.text).toContain("`**` or `*` alone never does");
    expectNoLeakAndAtMostOneReply();
  });

  test("naming each protected file in the contract, as its maintainer, opens exactly those files", async () => {
    const named = contractIssue({
      id: "13",
      allow: [".github/workflows/tier-b.yml", "configs/gates/gates.toml", ".github/merge-captain.yml", "moelab/**"],
      required: ["cpu:import"],
    });
    const issue = await openIssue("mona", named);
    expect(sticky(issue.number)).toContain("**Names protected paths:**");
    const sha = "d2".repeat(20);
    await openPull("ada", issue, "13", files, sha);
    expect(row(sha, "Protected paths")).toContain("✅");
    expect(row(sha, "Protected paths")).toContain("named by the accepted contract");
    expect(check(sha)!.conclusion).toBe("success");
  });

  test("a repository with no config file gets the default protected paths (agent instructions, lockfiles)", async () => {
    const issue = await openIssue("mona", contractIssue({ id: "14", allow: ["**"], required: ["cpu:import"] }));
    const sha = "d3".repeat(20);
    await openPull("ada", issue, "14", ["AGENTS.md", "web/package-lock.json", ".claude/settings.json"], sha);
    expectNeverGreen(sha);
    for (const f of ["AGENTS.md", "web/package-lock.json", ".claude/settings.json"])
      expect(row(sha, "Protected paths")).toContain(`\`${f}\``);
  });
});

describe("4. the ledger is authenticated", () => {
  test.each([
    [
      "an unsealed (v1) ledger",
      (json: string) => `<!-- merge-captain:state v1 ${Buffer.from(json).toString("base64")} -->`,
      "predates sealed records",
    ],
    [
      "a v2 ledger with a made-up seal",
      (json: string) => `<!-- merge-captain:state v2 ${Buffer.from(json).toString("base64url")}.${"A".repeat(43)} -->`,
      "was edited by hand",
    ],
  ])(
    "a write user replaces the sticky's ledger with %s holding a completed all-pass dispatch: ignored, rebuilt, never green",
    async (_name, forge, notice) => {
      const issue = await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather");
      const sha = "f1".repeat(20);
      const pr = await openPull("ada", issue, "01", ["moelab/comm/allgather.py"], sha);
      expectNeverGreen(sha);
      const json = JSON.stringify({ version: 1, dispatches: [forgedDispatch(pr.number, sha)] });
      // GitHub lets anyone with write access edit the bot's comment; the edit is delivered (and ignored as a command).
      const { id, changes } = replaceLedger(pr.number, forge(json));
      await world.send("issue_comment", hooks.issueCommentEdited(world.fake.state, world.repo, id, changes, "mona"));
      await comment(pr.number, "mona", "/recheck");
      expectNeverGreen(sha);
      expect(row(sha, "Tier-B green on this head")).toContain("❌");
      expect(sticky(pr.number)).toContain(notice);
      expect(sticky(pr.number)).not.toContain("f0r9ed00");
      expectNoLeakAndAtMostOneReply();
    },
  );
});

describe("5. run provenance", () => {
  /** A maintainer asks for Tier-B on an accepted contract's PR, on a server that answers the dispatch without run details. */
  async function dispatched() {
    const { repo } = world;
    repo.findWorkflow("tier-b.yml")!.returnsRunDetails = false;
    repo.addWorkflow({ file: "other.yml", name: "Other", runName: RUN_NAME_TEMPLATE });
    const issue = await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather");
    const sha = "a7".repeat(20);
    const pr = await openPull("ada", issue, "01", ["moelab/comm/allgather.py"], sha);
    await comment(pr.number, "mona", "/tier-b hot_path");
    expect(repo.dispatches).toHaveLength(1);
    return { pr, sha, inputs: repo.dispatches[0]!.inputs, real: repo.dispatches[0]!.runId! };
  }

  /** A run someone else made carry the pending dispatch's name, finished with an all-pass results file. */
  async function forgedRunCompletes(
    o: { workflow: string; branch: string; actor: string; inputs: Record<string, string> },
    sha: string,
  ) {
    const run = world.repo.addRun({ workflow: o.workflow, branch: o.branch, actor: o.actor, inputs: o.inputs });
    world.repo.completeWorkflowRun(run.id, {
      conclusion: "success",
      artifactName: "tier-b-results",
      artifactFiles: { "tier_b_results.json": resultsFile(sha, o.inputs["dispatch_id"]!) },
    });
    await world.send("workflow_run", hooks.workflowRunCompleted(world.fake.state, world.repo, run.id));
    return run;
  }

  test.each([
    ["the Tier-B workflow file run from another branch", { workflow: "tier-b.yml", branch: "attacker", actor: "mona" }],
    [
      "another workflow on the default branch whose run name carries the dispatch id",
      { workflow: "other.yml", branch: "main", actor: "mona" },
    ],
    [
      "the Tier-B workflow run by hand on the default branch",
      { workflow: "tier-b.yml", branch: "main", actor: "mona" },
    ],
  ])("%s: ignored, its artifact not counted", async (_name, how) => {
    const { sha, inputs, real } = await dispatched();
    const forged = await forgedRunCompletes({ ...how, inputs }, sha);
    expectNeverGreen(sha);
    // Still waiting for the run the bot dispatched (queued), never passed by the forged one.
    expect(row(sha, "Tier-B green on this head")).toMatch(
      /^\| ⏳ \| Tier-B green on this head \| 1 required Tier-B gate has not passed/,
    );
    // The real run is still the dispatch's: its events are tracked as before.
    await world.send("workflow_run", hooks.workflowRunRequested(world.fake.state, world.repo, real));
    const tierB = world.repo.checkRunsFor(sha).filter((c) => c.name === "Tier-B: hot_path");
    expect(tierB).toHaveLength(1);
    expect(tierB[0]!.detailsUrl).toContain(`/actions/runs/${real}`);
    expect(tierB[0]!.detailsUrl).not.toContain(`/actions/runs/${forged.id}`);
    expectNoLeakAndAtMostOneReply();
  });

  test("the protection rule rejects a run of another workflow on another branch that carries the dispatch's name, saying why", async () => {
    const { sha, inputs } = await dispatched();
    const run = world.repo.addRun({ workflow: "other.yml", branch: "attacker", actor: "mona", inputs });
    world.repo.requestDeploymentReview(run.id, "b200-gates");
    await world.send(
      "deployment_protection_rule",
      hooks.deploymentProtectionRuleRequested(world.fake.state, world.repo, run.id, "b200-gates"),
    );
    expect(world.repo.protectionReviews).toEqual([
      expect.objectContaining({
        runId: run.id,
        state: "rejected",
        comment: "merge-captain: this run is not of the Tier-B workflow `.github/workflows/tier-b.yml`",
      }),
    ]);
    expectNeverGreen(sha);
  });

  test("the protection rule rejects the Tier-B workflow run by a person, though its name is right", async () => {
    const { inputs } = await dispatched();
    const run = world.repo.addRun({ workflow: "tier-b.yml", branch: "main", actor: "mona", inputs });
    world.repo.requestDeploymentReview(run.id, "b200-gates");
    await world.send(
      "deployment_protection_rule",
      hooks.deploymentProtectionRuleRequested(world.fake.state, world.repo, run.id, "b200-gates"),
    );
    expect(world.repo.protectionReviews.map((r) => [r.state, r.comment])).toEqual([
      ["rejected", "merge-captain: this run was not started by merge-captain"],
    ]);
  });

  test("the dispatched run itself is still approved", async () => {
    const { real } = await dispatched();
    world.repo.requestDeploymentReview(real, "b200-gates");
    await world.send(
      "deployment_protection_rule",
      hooks.deploymentProtectionRuleRequested(world.fake.state, world.repo, real, "b200-gates"),
    );
    expect(world.repo.protectionReviews.map((r) => r.state)).toEqual(["approved"]);
  });
});

describe("6. hidden markers in the issue sticky", () => {
  test("a contract field holding a marker with a token: posted defused and redacted, and a real finding survives the next edit", async () => {
    const forged = `<!-- merge-captain:safety ${TOKEN} -->`;
    const body = contractIssue({ id: "16", allow: ["moelab/**"], required: ["cpu:import"], hotspots: [forged] });
    const issue = await openIssue("mona", body);
    // A real finding: a comment on the issue with an internal address.
    await comment(issue.number, "rex", "It fails on 10.20.30.40, see the log.");
    expect(world.repo.issue(issue.number).labels).toContain("public-safety");
    // Any later edit re-renders the sticky: the forged marker must not erase the finding.
    await editIssue(issue.number, body + "\n\nMore notes.", "mona");
    const text = sticky(issue.number);
    expect(text.match(/<!--/g)).toHaveLength(2); // our opening marker and our sealed state, nothing else
    // Shown as text (defused by an invisible break), never as a comment the bot could read back.
    expect(text).not.toMatch(/<!-- merge-captain:safety/);
    expect(text).toContain("<\u200b!-- merge-captain:safety [redacted:github-token] -->");
    expect(text).toContain("Public safety");
    expect(world.repo.issue(issue.number).labels).toContain("public-safety");
    expectNoLeakAndAtMostOneReply();
  });
});

describe("7. command spam from someone without permission", () => {
  test("five commands from a read-only user: one reply at most, the permission read before any reply", async () => {
    const issue = await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather");
    const pr = await openPull("ada", issue, "01", ["moelab/comm/allgather.py"], "b7".repeat(20));
    mark = world.fake.requests.mark();
    for (const body of ["/help", "/tier-b hot_path", "/tier-b nope", "/tierb hot_path", "/recheck"])
      await comment(pr.number, "rex", body);
    expectNoLeakAndAtMostOneReply();
    expect(world.fake.requests.count("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", mark)).toBe(5);
    expect(writes().length).toBeLessThanOrEqual(3); // one reply, one 😕, the ledger remembering it
    expect(world.repo.dispatches).toEqual([]);
  });
});

describe("bots: judged, never obeyed, and never triggering the bot itself", () => {
  test("a PR opened and pushed by an agent App gets its check on each head; its /tier-b is refused", async () => {
    const agent = world.fake.state.addApp({ id: 4711, slug: "devin-ai-integration" });
    const issue = await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather");
    const sha = "b1".repeat(20);
    const pr = await openPull(agent.login, issue, "01", ["moelab/comm/allgather.py"], sha, agent.login);
    expect(check(sha)).toBeDefined();
    const pushed = world.repo.pushToPullRequest(pr.number, {
      sha: "b2".repeat(20),
      files: [{ filename: "moelab/comm/allgather.py", content: "z\n" }],
    });
    await world.send(
      "pull_request",
      hooks.pullRequestSynchronize(world.fake.state, world.repo, pr.number, pushed, agent.login),
    );
    expect(check(pushed.after)).toBeDefined();
    mark = world.fake.requests.mark();
    await comment(pr.number, agent.login, "/tier-b hot_path");
    expect(world.repo.dispatches).toEqual([]);
    expect(world.fake.requests.count("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission", mark)).toBe(0);
    expect(world.repo.commentsOn(pr.number).at(-1)!.body).toContain("never takes commands from a bot");
  });

  test("an agent App's contract issue is judged and waits for a maintainer's /accept", async () => {
    const agent = world.fake.state.addApp({ id: 4712, slug: "copilot-swe-agent" });
    const issue = await openIssue(
      agent.login,
      contractIssue({ id: "17", allow: ["moelab/**"], required: ["cpu:import"] }),
    );
    expect(world.repo.issue(issue.number).labels).toEqual(["contract: needs acceptance"]);
    await comment(issue.number, "mona", "/accept");
    expect(world.repo.issue(issue.number).labels).toEqual(["contract: valid"]);
  });

  test("the bot's own comments trigger nothing", async () => {
    const issue = await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather");
    const own = world.repo.commentsOn(issue.number).find((c) => c.user.login === "merge-captain[bot]")!;
    const before = world.fake.requests.mark();
    await world.send("issue_comment", hooks.issueCommentCreated(world.fake.state, world.repo, own.id));
    expect(world.fake.requests.since(before).filter((r) => !r.route.includes("access_tokens"))).toEqual([]);
  });
});

describe("the reconciler judges by the same rules as the webhooks", () => {
  test("an outsider's contract and PR that no webhook announced: the reconciler's check is never green, and says why", async () => {
    const { repo } = world;
    const theirs = repo.openIssue({
      title: "[09] A change",
      body: contractIssue({ id: "09", allow: ["**"], required: [] }),
      user: "rex",
    });
    const sha = "d1".repeat(20);
    repo.openPullRequest({
      title: "A change",
      user: "rex",
      head: { ref: "issue/09-change", sha },
      files: [{ filename: ".github/workflows/tier-b.yml", content: "on: push\n" }],
      body: attestation("09", sha, repo.resolveRef("main")!.sha, theirs.number),
    });
    await world.app.reconcileNow();
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toContain(
      `the contract in issue #${theirs.number} is not accepted: \`rex\` wrote it without write access`,
    );
    expect(row(sha, "Protected paths")).toContain("`.github/workflows/tier-b.yml`");
    expectNoLeakAndAtMostOneReply();
  });

  test("a contract loosened with no webhook: the reconciler sees the inputs change and a hash no acceptance covers", async () => {
    const reviewed = contractIssue({ id: "12", allow: ["moelab/comm/**"], required: ["cpu:import"] });
    const issue = await openIssue("mona", reviewed, "[12] Router");
    const sha = "d2".repeat(20);
    await openPull("ada", issue, "12", ["moelab/router.py"], sha);
    expectNeverGreen(sha);
    world.repo.editIssue(issue.number, { body: contractIssue({ id: "12", allow: ["**"], required: ["cpu:import"] }) });
    await world.app.reconcileNow();
    expectNeverGreen(sha);
    expect(row(sha, "Contract found & valid")).toContain("changed since it was accepted");
  });

  test("a hand-edited ledger holding a completed all-pass run: the reconciler ignores it and says so", async () => {
    const issue = await openIssue("mona", VALID_ISSUE, "[01] Fused all-gather");
    const sha = "d3".repeat(20);
    const pr = await openPull("ada", issue, "01", ["moelab/comm/allgather.py"], sha);
    const forged = JSON.stringify({ version: 2, dispatches: [forgedDispatch(pr.number, sha)] });
    replaceLedger(
      pr.number,
      `<!-- merge-captain:state v2 ${Buffer.from(forged).toString("base64url")}.${"A".repeat(43)} -->`,
    );
    // No webhook for the edit; the PR's body changes too, so its inputs differ and the reconciler re-judges it.
    world.repo.editPullRequest(pr.number, { body: `${world.repo.issue(pr.number).body ?? ""}\nThanks!\n` });
    await world.app.reconcileNow();
    expectNeverGreen(sha);
    expect(row(sha, "Tier-B green on this head")).toContain("❌");
    expect(sticky(pr.number)).toContain("was edited by hand");
    expect(sticky(pr.number)).not.toContain("f0r9ed00");
  });
});
