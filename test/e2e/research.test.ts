/** The research story end to end over HTTP: experiment issues, PR rules, a metric gate, the heartbeat; its API calls pinned. */
import { beforeAll, describe, expect, test } from "@jest/globals";
import { run as demo } from "../../src/demo/command.js";
import { runResearchStory } from "../../src/demo/research.js";
import type { StoryResult } from "../../src/demo/story.js";
import { readmeApiTable } from "../support/readme.js";
import { runCli } from "../cli/fake-io.js";

let story: StoryResult;

const readmeTable = () => readmeApiTable("api-calls-research");

describe("the research story, end to end over HTTP", () => {
  beforeAll(async () => {
    story = await runResearchStory();
  }, 60_000);

  test("every step does what the story expects", () => {
    expect(story.steps.flatMap((s) => s.failures.map((f) => `${s.title}: ${f}`))).toEqual([]);
    expect(story.ok).toBe(true);
  });

  const writesContaining = (text: string) => story.transcript.filter((t) => JSON.stringify(t.body).includes(text));

  test("an experiment issue with a missing section: its status comment names the section and the fix", () => {
    // The first write is the status comment posted when the issue opened (later edits keep the line).
    const [status] = writesContaining("missing `Negative results index`");
    expect(status).toMatchObject({ method: "POST", route: "/repos/{owner}/{repo}/issues/{issue_number}/comments" });
    expect(JSON.stringify(status?.body)).toContain("— add each as a `##` or `###` heading with its content");
  });

  test("a PR missing its progress log: the merge-captain check fails on that row, naming the file", () => {
    const checks = writesContaining("❌ `.claude/implementation/progress.md`: not updated by this PR").filter(
      (t) => t.method === "POST" && t.route === "/repos/{owner}/{repo}/check-runs",
    );
    expect(checks).toHaveLength(1);
    expect(checks[0]?.body).toMatchObject({ name: "merge-captain", conclusion: "failure" });
  });

  // Pinned so that a change which adds API calls fails loudly; update the README table with it.
  // reads: GETs that count against the rate limit; 304: conditional reads answered from the ETag cache.
  test.each([
    [
      "An agent opens experiment issue #1: sections, logbook link, one claim without a confidence label",
      "issues.opened",
      5,
      1,
      4,
    ],
    ["A maintainer accepts experiment #1's contract: /accept", "issue_comment.created", 5, 2, 4],
    ["Experiment issue #2 lacks a section and its logbook: the bot names both", "issues.opened", 4, 2, 4],
    [
      "Work item #3 follows the three-step protocol: notes, a plan and a progress log with every PR",
      "issues.opened",
      3,
      2,
      2,
    ],
    [
      "A maintainer accepts work item #3, whose contract names the protected `.claude/` paths it writes",
      "issue_comment.created",
      4,
      3,
      4,
    ],
    [
      "PR #4 from research/moe-hc updates the logbook and writes under its own artifacts: waits for the metric gate",
      "pull_request.opened",
      8,
      1,
      2,
    ],
    ["PR #5 forgets its progress log: red, and the row names the file", "pull_request.opened", 8, 1, 2],
    ["A maintainer runs the experiment's metric gate on PR #4", "issue_comment.created", 7, 4, 7],
    [
      "The run completes: val_loss beats the fixed baseline, flags off reproduces it, PR #4 turns green",
      "workflow_run.completed",
      7,
      5,
      3,
    ],
    ["Six hours without an update: one reminder on each experiment issue, labelled stale", "heartbeat", 5, 2, 6],
    ["Twelve hours, still silent: the same gap, so no second reminder", "heartbeat", 5, 2, 0],
    [
      "The owner posts an update: the stale label goes, the next update is due in 6 h",
      "issue_comment.created",
      3,
      0,
      2,
    ],
  ])("API calls: %s", (title, event, reads, notModified, writes) => {
    const step = story.steps.find((s) => s.title === title);
    expect(
      step && { event: step.event, reads: step.reads, notModified: step.notModified, writes: step.writes },
    ).toEqual({ event, reads, notModified, writes });
    expect(readmeTable().get(title)).toEqual([reads, notModified, writes]);
  });
});

describe("merge-captain demo --story", () => {
  test("an unknown story is a usage error naming the stories", async () => {
    const r = await runCli(demo, ["--story", "bogus"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown story "bogus"; the stories are contracts, research');
  });
});
