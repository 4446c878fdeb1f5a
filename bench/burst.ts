/**
 * A burst of PR evaluations with the real server (Probot's throttle on) against a fake GitHub that
 * answers every call after a latency: time-to-check for each PR, and time-to-dispatch of a
 * `/tier-b` typed into the burst — with the write queue's priorities, and, as the baseline in the
 * same run, with one that treats every write alike (first come, first served, as before).
 */
import { openAttestedPull, VALID_ISSUE } from "../src/demo/fixtures.js";
import { startDemoWorld } from "../src/demo/story.js";
import * as hooks from "../src/demo/webhooks.js";
import type { WritePriority } from "../src/github/priority.js";
import { WriteQueue } from "../src/runtime/write-queue.js";
import type { BenchReport } from "./run.js";

const PULLS = Number(process.env["BURST_PULLS"] ?? 16);
const LATENCY_MS = Number(process.env["BURST_LATENCY_MS"] ?? 100);
/** When the maintainer's command arrives, after the burst's webhooks. */
const COMMAND_AFTER_MS = 3000;

/** The baseline: every write at one priority, so the throttle's next slot goes to the oldest write. */
class FirstComeFirstServed extends WriteQueue {
  override admit(key: string, _priority: WritePriority, spacingMs?: number): Promise<void> {
    return super.admit(key, "refresh", spacingMs);
  }
}

interface Measured {
  toCheck: number[];
  toDispatch: number;
  allDone: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(writeQueue: WriteQueue | undefined): Promise<Measured> {
  const w = await startDemoWorld({ throttled: true, latencyMs: LATENCY_MS, ...(writeQueue ? { writeQueue } : {}) });
  try {
    // Written by a maintainer (mona has write access in the demo world), so the contract is policy without an /accept.
    const issue = w.repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "mona" }).number;
    // The PR the maintainer asks about is judged before the burst (its sticky comment exists).
    const target = openAttestedPull(w.repo, issue, "asked");
    await w.send("pull_request", hooks.pullRequestOpened(w.fake.state, w.repo, target.number));
    const pulls = Array.from({ length: PULLS }, (_, i) => openAttestedPull(w.repo, issue, `burst-${i}`));
    const start = Date.now();
    const deliveries = pulls.map((p) =>
      hooks.sendWebhook(
        w.app.webhookUrl,
        w.secret,
        "pull_request",
        hooks.pullRequestOpened(w.fake.state, w.repo, p.number),
      ),
    );
    await sleep(COMMAND_AFTER_MS);
    const asked = w.repo.addComment(target.number, { body: "/tier-b hot_path", user: "mona" });
    const commentAt = Date.now();
    const command = hooks.sendWebhook(
      w.app.webhookUrl,
      w.secret,
      "issue_comment",
      hooks.issueCommentCreated(w.fake.state, w.repo, asked.id),
    );
    await Promise.all([...deliveries, command]);
    // Probot answers 202 after 9 s and keeps working: wait for the work itself.
    while (w.app.runtime.work.inFlight().length > 0) await sleep(100);
    const log = w.fake.requests.entries;
    const created = (sha: string) =>
      log.find(
        (r) =>
          r.method === "POST" &&
          r.route === "/repos/{owner}/{repo}/check-runs" &&
          (r.body as { head_sha?: string; name?: string }).head_sha === sha &&
          (r.body as { name?: string }).name === "merge-captain",
      )?.at ?? Number.NaN;
    const dispatched = log.find((r) => r.route.endsWith("/dispatches"))?.at;
    if (dispatched === undefined) {
      // A benchmark that cannot see the dispatch measures nothing: say what the bot answered instead.
      const replies = log
        .filter((r) => r.method === "POST" && r.route === "/repos/{owner}/{repo}/issues/{issue_number}/comments")
        .map((r) => ((r.body as { body?: string }).body ?? "").split("\n")[0]);
      throw new Error(`the /tier-b was not dispatched; the bot's comments began: ${replies.join(" | ")}`);
    }
    return {
      toCheck: pulls.map((p) => (created(p.sha) - start) / 1000).sort((a, b) => a - b),
      toDispatch: (dispatched - commentAt) / 1000,
      allDone: (Math.max(...log.map((r) => r.at)) - start) / 1000,
    };
  } finally {
    await w.close();
  }
}

const s = (x: number): string => `${x.toFixed(1)} s`;

export async function bench(): Promise<BenchReport> {
  const prioritised = await measure(undefined);
  const baseline = await measure(new FirstComeFirstServed());
  const row = (name: string, m: Measured): string =>
    `${name}: checks after ${s(m.toCheck[0]!)} … ${s(m.toCheck[Math.floor(m.toCheck.length / 2)]!)} (median) … ${s(m.toCheck.at(-1)!)}; /tier-b dispatched ${s(m.toDispatch)} after the comment; all writes done after ${s(m.allDone)}`;
  return {
    title: `a burst of ${PULLS} PRs opened at once, a /tier-b ${COMMAND_AFTER_MS / 1000} s in (throttle on, ${LATENCY_MS} ms per call)`,
    lines: [
      row("priorities      ", prioritised),
      row("first come, first served (baseline)", baseline),
      `time to dispatch, priorities / baseline: ${(prioritised.toDispatch / baseline.toDispatch).toFixed(2)}x (issue #14 asks for ≤ 6 s)`,
      `time to the last check, priorities / baseline: ${(prioritised.toCheck.at(-1)! / baseline.toCheck.at(-1)!).toFixed(2)}x`,
    ],
  };
}
