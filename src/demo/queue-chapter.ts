/** The demo's merge-queue chapter: two dependent PRs, the live merge plan, and GitHub's merge queue landing them in the planned order. */
import type { LoggedRequest } from "./fake-github/index.js";
import type { MergeGroupState } from "./fake-github/state.js";
import { PLAN_MARKER } from "../core/plan/render.js";
import { CACHE, EVICT, openWorkItemIssue, openWorkItemPull, QUEUE_CONFIG } from "./queue-fixtures.js";
import type { DemoWorld } from "./story.js";
import * as hooks from "./webhooks.js";

/** What a chapter needs from the story: its world, its step recorder and two of its checks. */
export interface ChapterKit {
  world: DemoWorld;
  step: (
    title: string,
    event: string,
    act: () => Promise<void>,
    expect: (writes: LoggedRequest[]) => string[],
  ) => Promise<void>;
  expectText: (writes: LoggedRequest[], ...needles: string[]) => string[];
  lastCheck: (sha: string, name: string) => { conclusion: string | null; output: { title: string | null } } | undefined;
}

export async function mergeQueueChapter({ world, step, expectText, lastCheck }: ChapterKit): Promise<void> {
  const { fake, repo, send } = world;
  const state = fake.state;
  const plan = () => [...repo.issues.values()].find((i) => !i.pull && (i.body ?? "").startsWith(PLAN_MARKER));
  const conclusion = (sha: string) => lastCheck(sha, "merge-captain")?.conclusion;
  const flushPlan = () => world.runtime.debounce.flush();
  const group = (g: MergeGroupState) => hooks.mergeGroupChecksRequested(state, repo, g, "mona");

  // A maintainer opts in on the default branch.
  repo.putFile("main", ".github/merge-captain.yml", QUEUE_CONFIG);
  const cacheItem = CACHE;
  const evictItem = { ...EVICT, dependsOn: [CACHE.id] };
  const cache = { issue: 0, pr: 0, sha: "c5".repeat(20) };
  const evict = { issue: 0, pr: 0, sha: "e6".repeat(20) };
  await step(
    "Work item 05 (no dependencies)",
    "issues.opened",
    async () => void (cache.issue = await openWorkItemIssue(world, cacheItem)),
    (ws) => expectText(ws, "contract valid"),
  );
  await step(
    "Work item 06 depends on 05",
    "issues.opened",
    async () => void (evict.issue = await openWorkItemIssue(world, evictItem)),
    (ws) => expectText(ws, "contract valid"),
  );
  await step(
    "The PR for 05: green",
    "pull_request.opened",
    async () => void (cache.pr = await openWorkItemPull(world, cacheItem, cache.issue, cache.sha)),
    () => (conclusion(cache.sha) === "success" ? [] : ["expected the PR for 05 to be green"]),
  );
  await step(
    "The PR for 06: red until 05 is done",
    "pull_request.opened",
    async () => void (evict.pr = await openWorkItemPull(world, evictItem, evict.issue, evict.sha)),
    (ws) => [
      ...expectText(ws, "Dependencies done"),
      ...(conclusion(evict.sha) === "failure" ? [] : ["expected the PR for 06 to wait for 05"]),
    ],
  );
  await step(
    "The merge plan issue: created once, pinned, the order with its reasons and the graph",
    "merge_plan.refresh",
    flushPlan,
    (ws) => [
      ...expectText(
        ws,
        "merge-captain: merge plan",
        `1. #${cache.pr} —`,
        `after #${cache.pr}: depends on \`05\``,
        "```mermaid",
        "pinIssue",
      ),
      ...(repo.pinned.includes(plan()?.number ?? -1) ? [] : ["expected the plan issue to be pinned"]),
    ],
  );
  const first = repo.enqueue(cache.pr);
  await step(
    "The PR for 05 joins the merge queue: its group's commit gets the merge-captain check",
    "merge_group.checks_requested",
    () => send("merge_group", group(first)),
    (ws) => [
      ...expectText(ws, `Ready to merge: #${cache.pr}`),
      ...(conclusion(first.headSha) === "success" ? [] : ["expected the merge group to be green"]),
    ],
  );
  const merged = repo.settleMergeQueue();
  await step(
    "The queue merges the PR for 05",
    "pull_request.closed",
    () => send("pull_request", hooks.pullRequestClosed(state, repo, cache.pr, "mona")),
    (ws) => [
      ...(merged.length === 1 && merged[0]?.kind === "merged" && merged[0].closedIssues[0] === cache.issue
        ? []
        : ["expected the queue to merge the first PR and close its issue"]),
      ...(ws.length === 0 ? [] : ["a merged PR changes nothing the bot writes (the plan follows later)"]),
    ],
  );
  await step(
    "GitHub closes issue 05: the PR for 06, which depends on it, is evaluated again and turns green",
    "issues.closed",
    () => send("issues", hooks.issuesClosed(state, repo, cache.issue, "mona")),
    () => (conclusion(evict.sha) === "success" ? [] : [`expected #${evict.pr} to turn green once 05 is done`]),
  );
  await step("The plan follows: the PR for 06 is next, its dependency done", "merge_plan.refresh", flushPlan, (ws) =>
    expectText(ws, `1. #${evict.pr} —`, "`05` is done"),
  );
  const second = repo.enqueue(evict.pr);
  await step(
    "The PR for 06 joins the queue on top of the merged 05: green",
    "merge_group.checks_requested",
    () => send("merge_group", group(second)),
    () => {
      const landed = repo.settleMergeQueue();
      return [
        ...(conclusion(second.headSha) === "success" ? [] : ["expected the second merge group to be green"]),
        ...(landed.length === 1 && repo.resolveRef("main")?.sha === second.headSha
          ? []
          : ["expected the queue to land the second PR on main"]),
      ];
    },
  );
  // Later chapters start from the default configuration.
  repo.commit("main", { ".github/merge-captain.yml": null }, { message: "Back to the default config" });
}
