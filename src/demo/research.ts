/**
 * The research story (`merge-captain demo --story research`): experiment issues, branch and
 * companion-file rules on PRs, a metric gate with a fixed baseline, and the heartbeat over a
 * day of fake time — the same fake GitHub and the same production server as the main story.
 */
import type { LoggedRequest } from "./fake-github/index.js";
import {
  EXPERIMENT_ISSUE,
  experimentResults,
  INCOMPLETE_EXPERIMENT_ISSUE,
  PROTOCOL_ISSUE,
  RESEARCH_FILES,
  researchAttestation,
} from "./research-fixtures.js";
import { startDemoWorld, storySteps, type StoryResult } from "./story.js";
import * as hooks from "./webhooks.js";

const HOUR = 3_600_000;

/** The fake's clock and the app's `now()`: one second per reading, and hours when the story says so. */
function storyClock(): { now: () => Date; advance: (ms: number) => void } {
  let t = Date.parse("2025-06-02T09:00:00Z");
  return { now: () => new Date((t += 1000)), advance: (ms) => void (t += ms) };
}

export async function runResearchStory(opts: { print?: (line: string) => void } = {}): Promise<StoryResult> {
  const print = opts.print ?? (() => {});
  const clock = storyClock();
  const world = await startDemoWorld({ heartbeat: true, clock: clock.now, files: RESEARCH_FILES });
  const { fake, repo, send, app } = world;
  const { step, expectText, finish } = storySteps(fake, print);
  const lastCheck = (sha: string) =>
    repo
      .checkRunsFor(sha)
      .filter((c) => c.name === "merge-captain")
      .at(-1);
  const summaryOf = (sha: string) => lastCheck(sha)?.output.summary ?? "";
  const labelsOf = (n: number) => repo.issue(n).labels;
  const heartbeat = async () => {
    if (!app.heartbeat) throw new Error("the heartbeat timer is off");
    await app.heartbeat.runNow();
  };

  try {
    // Chapter 1: experiment issues.
    const moe = repo.openIssue({ title: "MoE hidden capacity (MOE-HC)", body: EXPERIMENT_ISSUE, user: "ada" });
    await step(
      "An agent opens experiment issue #1: sections, logbook link, one claim without a confidence label",
      "issues.opened",
      () => send("issues", hooks.issuesOpened(fake.state, repo, moe.number)),
      (ws) => [
        ...expectText(ws, "merge-captain: experiment", "next due by 2025-06-02 15:00 UTC", "top-2 routing is enough"),
        // ada has read access only: the contract is policy once a maintainer accepts it.
        ...expectText(ws, "**Logbook:** ✅ `.agents/logbooks/moe-hc.md`", "experiment", "contract: needs acceptance"),
      ],
    );
    const acceptMoe = repo.addComment(moe.number, { body: "/accept", user: "mona" });
    await step(
      "A maintainer accepts experiment #1's contract: /accept",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, acceptMoe.id)),
      (ws) => expectText(ws, "accepted by `mona` with `/accept`", "contract: valid"),
    );
    const lr = repo.openIssue({ title: "MoE LR schedule (MOE-LR)", body: INCOMPLETE_EXPERIMENT_ISSUE, user: "ada" });
    await step(
      "Experiment issue #2 lacks a section and its logbook: the bot names both",
      "issues.opened",
      () => send("issues", hooks.issuesOpened(fake.state, repo, lr.number)),
      (ws) => expectText(ws, "missing `Negative results index`", "does not link to `.agents/logbooks/moe-lr.md`"),
    );
    const lora = repo.openIssue({ title: "[LORA-7] LoRA adapter", body: PROTOCOL_ISSUE, user: "ada" });
    await step(
      "Work item #3 follows the three-step protocol: notes, a plan and a progress log with every PR",
      "issues.opened",
      () => send("issues", hooks.issuesOpened(fake.state, repo, lora.number)),
      (ws) => expectText(ws, "**Every PR must update:** `.claude/research/*`, `.claude/plans/*`"),
    );
    const acceptLora = repo.addComment(lora.number, { body: "/accept", user: "mona" });
    await step(
      "A maintainer accepts work item #3, whose contract names the protected `.claude/` paths it writes",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, acceptLora.id)),
      (ws) => expectText(ws, "accepted by `mona` with `/accept`", "contract: valid"),
    );

    // Chapter 2: branch, path and companion-file rules on PRs.
    const expSha = "e1".repeat(20);
    const exp = repo.openPullRequest({
      title: "MOE-HC-002: capacity 1.25",
      user: "ada",
      head: { ref: "research/moe-hc", sha: expSha },
      files: [
        { filename: "moelab/router/capacity.py", content: "CAPACITY = 1.25\n" },
        { filename: ".agents/logbooks/moe-hc.md", content: "# MOE-HC logbook (issue #1)\n\n## MOE-HC-002\n…\n" },
        { filename: "experiments/moe-hc/MOE-HC-002.json", content: '{"capacity": 1.25}\n' },
      ],
      body: researchAttestation("MOE-HC", expSha, "Capacity 1.25 (MOE-HC-002), logbook updated."),
    });
    await step(
      "PR #4 from research/moe-hc updates the logbook and writes under its own artifacts: waits for the metric gate",
      "pull_request.opened",
      () => send("pull_request", hooks.pullRequestOpened(fake.state, repo, exp.number)),
      () => {
        const s = summaryOf(expSha);
        const want = [
          "✅ | Branch | `research/moe-hc` matches `research/moe-hc`",
          "✅ | Required files | the required file is updated",
          "✅ | Artifact paths",
          "✅ | Read-only paths",
          "⏳ | Metrics vs baseline | `eval:val_loss_8m` not run on this head yet",
        ];
        return want.filter((w) => !s.includes(w)).map((w) => `expected the check to show ${JSON.stringify(w)}`);
      },
    );
    const loraSha = "f2".repeat(20);
    const pr = repo.openPullRequest({
      title: "LoRA adapter",
      user: "ada",
      head: { ref: "lora/adapter", sha: loraSha },
      files: [
        { filename: ".claude/research/adapters.md", content: "# notes\n" },
        { filename: ".claude/plans/adapter.md", content: "# plan\n" },
        { filename: "lora/train.py", content: "def train():\n    return adapter()\n" },
      ],
      body: researchAttestation("LORA-7", loraSha, "LoRA adapter."),
    });
    await step(
      "PR #5 forgets its progress log: red, and the row names the file",
      "pull_request.opened",
      () => send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number)),
      () => {
        const s = summaryOf(loraSha);
        return lastCheck(loraSha)?.conclusion === "failure" &&
          s.includes("❌ | Required files | 1 of 3 required files not updated: `.claude/implementation/progress.md`")
          ? []
          : [`expected the required-files row to fail on the progress log, the check says: ${s.slice(0, 300)}`];
      },
    );

    // Chapter 3: the metric gate — a fixed baseline, a direction, a flags-off run.
    const asked = repo.addComment(exp.number, { body: "/tier-b experiment", user: "mona" });
    await step(
      "A maintainer runs the experiment's metric gate on PR #4",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, asked.id)),
      (ws) => [
        ...expectText(ws, "rocket", "Tier-B: experiment"),
        ...(repo.dispatches.length === 1 ? [] : ["expected one dispatch"]),
      ],
    );
    const run = repo.run(repo.dispatches[0]!.runId!);
    repo.completeWorkflowRun(run.id, {
      conclusion: "success",
      artifactName: "tier-b-results",
      artifactFiles: { "tier_b_results.json": experimentResults(expSha, repo.dispatches[0]!.inputs["dispatch_id"]!) },
    });
    await step(
      "The run completes: val_loss beats the fixed baseline, flags off reproduces it, PR #4 turns green",
      "workflow_run.completed",
      () => send("workflow_run", hooks.workflowRunCompleted(fake.state, repo, run.id)),
      (ws) => [
        ...expectText(ws, "`val_loss` 4.901 vs baseline 4.941 (−0.8115 %): better; lower is better"),
        ...(lastCheck(expSha)?.conclusion === "success"
          ? []
          : [`expected PR #4 to be green, the check says: ${lastCheck(expSha)?.output.title ?? "nothing"}`]),
      ],
    );

    // Chapter 4: the heartbeat.
    clock.advance(6 * HOUR);
    const before = repo.commentsOn(moe.number).length;
    await step(
      "Six hours without an update: one reminder on each experiment issue, labelled stale",
      "heartbeat",
      heartbeat,
      (ws: LoggedRequest[]) => [
        ...expectText(ws, "⏰ @ada: no update on this experiment for 6 h"),
        ...(labelsOf(moe.number).includes("experiment: stale") && labelsOf(lr.number).includes("experiment: stale")
          ? []
          : ["expected both experiment issues to be labelled stale"]),
        ...(labelsOf(lora.number).includes("experiment: stale") ? ["the work item is not an experiment"] : []),
        ...(repo.commentsOn(moe.number).length === before + 1 ? [] : ["expected exactly one new comment on #1"]),
      ],
    );
    clock.advance(6 * HOUR);
    await step("Twelve hours, still silent: the same gap, so no second reminder", "heartbeat", heartbeat, (ws) =>
      ws.length === 0 ? [] : [`expected no writes, got ${ws.length}`],
    );
    const update = repo.addComment(moe.number, {
      body: "Status: MOE-HC-003 sweep at 60 %. Blockers: none. Next ETA: 14:00 UTC.",
      user: "ada",
    });
    await step(
      "The owner posts an update: the stale label goes, the next update is due in 6 h",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, update.id)),
      () =>
        labelsOf(moe.number).includes("experiment: stale")
          ? ["expected the stale label to be gone from #1"]
          : labelsOf(lr.number).includes("experiment: stale")
            ? []
            : ["#2 had no update and should stay stale"],
    );
  } finally {
    await world.close();
  }
  return finish();
}
