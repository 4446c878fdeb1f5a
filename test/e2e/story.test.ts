import { describe, expect, test } from "@jest/globals";
import { redactedRules, rowsNotPassing, runStory, type StoryResult } from "../../src/demo/story.js";
import type { LoggedRequest } from "../../src/demo/fake-github/index.js";
import { readmeApiTable } from "../support/readme.js";

let story: StoryResult;
/** What `npm run demo` prints. */
const printed: string[] = [];

const readmeTable = () => readmeApiTable("api-calls");

describe("the demo story, end to end over HTTP", () => {
  test("every step does what the story expects", async () => {
    story = await runStory({ print: (line) => printed.push(line) });
    expect(story.steps.flatMap((s) => s.failures.map((f) => `${s.title}: ${f}`))).toEqual([]);
    expect(story.ok).toBe(true);
  }, 60_000);

  // Pinned so that a change which adds API calls fails loudly; update the README table with it.
  // reads: GETs that count against the rate limit; 304: conditional reads answered from the ETag cache.
  test.each([
    ["An agent opens issue #1 with a valid contract", "issues.opened", 4, 1, 2],
    ["A maintainer accepts the agent's contract: /accept", "issue_comment.created", 5, 2, 3],
    ["Issue #2 has a broken contract: the bot explains", "issues.opened", 3, 1, 2],
    ["PR #3: valid attestation, in-scope diff (waits only for Tier-B)", "pull_request.opened", 8, 1, 2],
    ["PR #4 touches a denied path: red, with the file and the pattern", "pull_request.opened", 7, 2, 2],
    ["A read-only user asks for Tier-B: refused", "issue_comment.created", 4, 0, 2],
    ["A maintainer asks for Tier-B: one dispatch, pinned to the head", "issue_comment.created", 9, 4, 4],
    ["The same command delivered again: no second dispatch", "issue_comment.created", 3, 2, 0],
    ["GitHub queues the run", "workflow_run.requested", 4, 6, 1],
    [
      "The environment asks the app (custom protection rule): approved for the pinned head",
      "deployment_protection_rule.requested",
      3,
      3,
      1,
    ],
    ["The run starts", "workflow_run.in_progress", 3, 7, 1],
    ["The run completes; its results mention an internal host and a token", "workflow_run.completed", 6, 7, 3],
    ["A new push to PR #3: the Tier-B results are now stale", "pull_request.synchronize", 10, 1, 3],
    ["Work item 05 (no dependencies)", "issues.opened", 2, 2, 2],
    ["Work item 06 depends on 05", "issues.opened", 1, 3, 2],
    ["The PR for 05: green", "pull_request.opened", 6, 2, 2],
    ["The PR for 06: red until 05 is done", "pull_request.opened", 6, 2, 2],
    [
      "The merge plan issue: created once, pinned, the order with its reasons and the graph",
      "merge_plan.refresh",
      6,
      1,
      2,
    ],
    [
      "The PR for 05 joins the merge queue: its group's commit gets the merge-captain check",
      "merge_group.checks_requested",
      5,
      3,
      1,
    ],
    ["The queue merges the PR for 05", "pull_request.closed", 0, 1, 0],
    [
      "GitHub closes issue 05: the PR for 06, which depends on it, is evaluated again and turns green",
      "issues.closed",
      5,
      4,
      2,
    ],
    ["The plan follows: the PR for 06 is next, its dependency done", "merge_plan.refresh", 2, 5, 1],
    ["The PR for 06 joins the queue on top of the merged 05: green", "merge_group.checks_requested", 4, 4, 1],
    ["PR #10 was opened while no webhook arrived: the next reconciler run judges it", "reconciler", 12, 7, 2],
    ["The reconciler again, nothing changed: list reads answered 304, no write", "reconciler", 2, 6, 0],
  ])("API calls: %s", (title, event, reads, notModified, writes) => {
    const step = story.steps.find((s) => s.title === title);
    expect(
      step && { event: step.event, reads: step.reads, notModified: step.notModified, writes: step.writes },
    ).toEqual({ event, reads, notModified, writes });
    expect(readmeTable().get(title)).toEqual([reads, notModified, writes]);
  });

  test("the transcript holds every write, and none of them leaks the results' host or token", () => {
    expect(story.transcript.length).toBe(story.steps.reduce((n, s) => n + s.writes, 0));
    const text = JSON.stringify(story.transcript);
    expect(text).not.toContain("cluster.local");
    expect(text).not.toContain("ghp_Zx9Yw8");
  });

  test("the console shows, under each check run, the rows that are not ✅ (PR #3 waits for Tier-B, which also measures perf)", () => {
    const out = printed.join("\n");
    expect(out).toContain(
      [
        "▶ PR #3: valid attestation, in-scope diff (waits only for Tier-B)  [pull_request.opened: 8 reads + 1 × 304, 2 writes]",
        "    check run merge-captain: completed/failure — Not ready: 2 criteria failed",
        "        ❌ Tier-B green on this head: 1 required Tier-B gate has not passed on this head: `b200:train_8x20`",
        "        ❌ Perf within budget: no perf result for `perf:delta` on this head",
      ].join("\n"),
    );
    expect(out).toContain("        ❌ Scope: 1 of 2 files out of scope");
  });

  test("the results step names what the sanitizer found in the results file (rule names), and the values appear nowhere", () => {
    const step = story.steps.find((s) => s.event === "workflow_run.completed")!;
    expect(step.keptOut).toEqual(["internal-host", "github-token"]);
    expect(printed.join("\n")).toContain(
      "    found in the input and kept out of every write: internal-host, github-token (rule names, not values)",
    );
    expect(printed.join("\n")).not.toMatch(/cluster\.local|ghp_Zx9Yw8/);
  });
});

describe("reading the bot's writes for the console", () => {
  const write = (body: unknown): LoggedRequest =>
    ({
      method: "PATCH",
      route: "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}",
      path: "/x",
      body,
    }) as LoggedRequest;

  test("rowsNotPassing: only the merge-captain table's rows that are not ✅, as plain text", () => {
    const summary = [
      "|  | Criterion | Result | Next step |",
      "| --- | --- | --- | --- |",
      "| ✅ | Scope | 3 changed files in scope |  |",
      "| ❌ | Attestation valid | \\<sha\\> placeholder \\| left in | fill it |",
      "| ❔ | Tier-A attested | the gate registry is invalid | a maintainer fixes it |",
    ].join("\n");
    expect(rowsNotPassing(write({ name: "merge-captain", output: { summary } }))).toEqual([
      "❌ Attestation valid: <sha> placeholder | left in",
      "❔ Tier-A attested: the gate registry is invalid",
    ]);
    expect(rowsNotPassing(write({ name: "Tier-B: hot_path", output: { summary } }))).toEqual([]);
  });

  test("redactedRules: the rules behind placeholders in the writes, once each", () => {
    const writes = [
      write({ body: "at [redacted:internal-host] and [redacted:internal-host]" }),
      write({ text: "[redacted:github-token]" }),
    ];
    expect(redactedRules(writes)).toEqual(["internal-host", "github-token"]);
  });
});
