/**
 * The demo story: a fake GitHub, the real app started as in production, signed webhooks over
 * HTTP. Each step checks what the bot did; the transcript lists every write it made.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { UnthrottledOctokit } from "./octokit.js";
import { plainText } from "../core/render/markdown.js";
import { CHECK_NAME, ICON } from "../core/render/verdict.js";
import { scan } from "../core/sanitize/sanitize.js";
import { RUN_NAME_TEMPLATE } from "../core/tierb/runs.js";
import { startServer, type ServerOptions, type StartedServer } from "../server.js";
import { Debouncer } from "../runtime/debounce.js";
import { createRuntime, type Runtime } from "../runtime/runtime.js";
import { startFakeGitHub, type FakeGitHub, type FakeRepo, type LoggedRequest } from "./fake-github/index.js";
import * as hooks from "./webhooks.js";
import { mergeQueueChapter } from "./queue-chapter.js";
import {
  attestation,
  openAttestedPull,
  BROKEN_ISSUE,
  LEAKED_HOST,
  LEAKED_TOKEN_PREFIX,
  OWNER,
  REPO,
  REPO_FILES,
  resultsFile,
  VALID_ISSUE,
} from "./fixtures.js";

export interface StepRecord {
  title: string;
  /** The webhook event (`issues.opened`), for the API-call accounting. */
  event: string;
  /** Reads that count against the rate limit (every GET answered other than 304). */
  reads: number;
  /** Conditional reads answered 304 Not Modified from the ETag cache: free of rate limit. */
  notModified: number;
  writes: number;
  /** What the bot wrote, one readable line each; under a `merge-captain` check run, its rows that are not ✅. */
  actions: string[];
  /** Sanitizer rules whose placeholders (`[redacted:<rule>]`) are in what the bot wrote: names, never values. */
  redacted: string[];
  /** Sanitizer rules that fired on what the story fed the bot in this step and that no write repeats. */
  keptOut: string[];
  failures: string[];
}

export interface StoryResult {
  steps: StepRecord[];
  /** Every write request the app made: method, route template, JSON body. */
  transcript: { method: string; route: string; body: unknown }[];
  ok: boolean;
}

/** The rows of a `merge-captain` check run's table that are not ✅, as plain text; none for other writes. */
export function rowsNotPassing(r: LoggedRequest): string[] {
  const b = (r.body ?? {}) as { name?: unknown; output?: { summary?: unknown } };
  if (b.name !== CHECK_NAME || typeof b.output?.summary !== "string") return [];
  return b.output.summary.split("\n").flatMap((line) => {
    // `| icon | title | summary | next step |`; cells escape their own pipes as `\|`.
    const cells = line.split(/(?<!\\) \| /).map((c) => c.trim().replace(/^\|/, "").replace(/\|$/, "").trim());
    const [icon, title, summary] = cells;
    if (cells.length < 3 || !icon || icon === ICON.pass || !Object.values(ICON).includes(icon)) return [];
    return [`${icon} ${plainText(title ?? "")}: ${plainText(summary ?? "")}`];
  });
}

const PLACEHOLDER = /\[redacted:([a-z0-9-]{1,40})\]/g;

/** The rules whose placeholders appear in these writes, each once. */
export function redactedRules(writes: readonly LoggedRequest[]): string[] {
  const text = writes.map((w) => JSON.stringify(w.body ?? "")).join("\n");
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

const APP_ID = 1;
const INSTALLATION_ID = 1;

/** One line per write, for people. */
export function describeWrite(r: LoggedRequest): string {
  const b = (r.body ?? {}) as Record<string, unknown>;
  const first = (s: unknown) =>
    String(s ?? "")
      .split("\n")
      .find((l) => l.trim() !== "" && !l.startsWith("<!--")) ?? "";
  const key = `${r.method} ${r.route}`;
  switch (key) {
    case "POST /repos/{owner}/{repo}/issues/{issue_number}/comments":
      return `comment on #${r.path.split("/")[5]}: ${first(b["body"])}`;
    case "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}":
      return `edit comment ${r.path.split("/").pop()}: ${first(b["body"])}`;
    case "POST /repos/{owner}/{repo}/issues/{issue_number}/labels":
      return `label #${r.path.split("/")[5]} +${JSON.stringify(b["labels"])}`;
    case "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}":
      return `label #${r.path.split("/")[5]} -${decodeURIComponent(r.path.split("/").pop() ?? "")}`;
    case "POST /repos/{owner}/{repo}/check-runs":
    case "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}": {
      const out = (b["output"] ?? {}) as Record<string, unknown>;
      return `check run ${String(b["name"] ?? r.path.split("/").pop())}: ${String(b["status"] ?? "")}${b["conclusion"] ? "/" + String(b["conclusion"]) : ""} — ${String(out["title"] ?? "")}${Array.isArray(out["annotations"]) ? ` (${out["annotations"].length} annotations)` : ""}`;
    }
    case "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches":
      return `dispatch ${r.path.split("/")[6]} on ${String(b["ref"])} with ${JSON.stringify(b["inputs"])}`;
    case "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions":
      return `react ${String(b["content"])} to comment ${r.path.split("/")[6]}`;
    case "POST /repos/{owner}/{repo}/issues":
      return `open issue "${String(b["title"])}": ${first(b["body"])}`;
    case "PATCH /repos/{owner}/{repo}/issues/{issue_number}":
      return `edit issue #${r.path.split("/")[5]}: ${first(b["body"])}`;
    case "POST /graphql":
      return `GraphQL ${/\b(pinIssue|minimizeComment)\b/.exec(String(b["query"]))?.[1] ?? "request"}`;
    case "POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule":
      return `protection rule for run ${r.path.split("/")[6]}: ${String(b["state"])} — ${String(b["comment"] ?? "")}`;
    default:
      return `${r.method} ${r.route}`;
  }
}

export interface DemoWorld {
  fake: FakeGitHub;
  app: StartedServer;
  repo: FakeRepo;
  secret: string;
  /** The app's runtime: its debouncer runs deferred work (the merge plan) only when the story flushes it. */
  runtime: Runtime;
  /** Sign and send a webhook to the app; throws unless it answers 2xx. */
  send: <E extends Parameters<typeof hooks.sendWebhook>[2]>(
    event: E,
    payload: Parameters<typeof hooks.sendWebhook<E>>[3],
  ) => Promise<void>;
  close(): Promise<void>;
}

export interface DemoWorldOptions {
  /** More environment for the server (e.g. RECONCILE_* budgets, METRICS=1). */
  env?: Record<string, string>;
  /** Probot's own Octokit, throttle and retries on, as production runs (default: unthrottled, as the story wants). */
  throttled?: boolean;
  /** Per-request latency of the fake GitHub. */
  latencyMs?: number;
  /** Called with the fake before the server starts (e.g. to add PRs the start-up reconciler finds). */
  before?: (fake: FakeGitHub, repo: FakeRepo) => void;
  /** Passed to the server (see `ServerOptions.writeQueue`). */
  writeQueue?: ServerOptions["writeQueue"];
  /** Start the heartbeat's timer (with a long interval: the story calls `app.heartbeat.runNow()`). */
  heartbeat?: boolean;
  /** One clock for the fake GitHub's timestamps and the app's `now()`, so a story can let hours pass. */
  clock?: () => Date;
  /** The repository's files on its default branch (default: the contracts story's). */
  files?: Record<string, string>;
}

/** The fake GitHub with the demo repository, and the real server pointed at it. */
export async function startDemoWorld(opts: DemoWorldOptions = {}): Promise<DemoWorld> {
  const fake = await startFakeGitHub({
    app: { id: APP_ID, slug: "merge-captain" },
    installationId: INSTALLATION_ID,
    log: () => {},
    ...(opts.latencyMs === undefined ? {} : { latencyMs: opts.latencyMs }),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const repo = fake.state.addRepo({ owner: OWNER, name: REPO, files: opts.files ?? REPO_FILES });
  repo.setPermission("mona", "write");
  repo.setPermission("rex", "read");
  repo.setPermission("ada", "read");
  repo.addWorkflow({
    file: "tier-b.yml",
    name: "Tier-B",
    runName: RUN_NAME_TEMPLATE,
    inputs: {
      pr_number: { required: true },
      bundle: { required: true },
      single_gate: {},
      baseline_ref: {},
      perf_budget_pct: {},
      head_sha: { required: true },
      dispatch_id: { required: true },
      merge_group_ref: {},
    },
  });
  opts.before?.(fake, repo);
  const secret = randomBytes(16).toString("hex");
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const host = new URL(fake.url).host;
  // Deferred work waits for an explicit flush, so every API call lands in the step that caused it.
  const runtime = createRuntime({
    debounce: new Debouncer({ delayMs: 24 * 60 * 60 * 1000 }),
    ...(opts.clock ? { now: opts.clock } : {}),
  });
  // Exactly the production entry point, configured from an environment; only the API host differs.
  const app = await startServer({
    env: {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: key,
      WEBHOOK_SECRET: secret,
      GHE_HOST: host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "fatal",
      // The heartbeat's timer stays off: a story that needs it calls `app.heartbeat` itself.
      HEARTBEAT_INTERVAL_S: opts.heartbeat === true ? "3600" : "0",
      ...opts.env,
    },
    port: 0,
    host: "127.0.0.1",
    // Probot's throttle makes each write wait ≥ 1 s and retries hide faults; the story wants neither.
    ...(opts.throttled ? {} : { Octokit: UnthrottledOctokit }),
    ...(opts.writeQueue ? { writeQueue: opts.writeQueue } : {}),
    runtime,
  });
  // The reconciler's start-up run: finished before the story begins, so each step counts only its own calls.
  await app.reconcileNow();
  return {
    fake,
    app,
    repo,
    secret,
    runtime,
    send: async (event, payload) => {
      const res = await hooks.sendWebhook(app.webhookUrl, secret, event, payload);
      if (res.status >= 300) throw new Error(`the app answered ${res.status} to ${event}`);
    },
    close: async () => {
      runtime.debounce.cancel();
      await app.close();
      await fake.close();
    },
  };
}

/** How a story records its steps: the calls each one made, what it wrote, and what it expected. */
export interface StorySteps {
  steps: StepRecord[];
  step: (
    title: string,
    event: string,
    act: () => Promise<void>,
    expect: (writes: LoggedRequest[]) => string[],
    /** Text with secrets the story hands the bot in this step: which rules fire on it is printed, never the text. */
    secrets?: string,
  ) => Promise<void>;
  /** The needles no write's JSON body contains, each as a failure line. */
  expectText: (writes: LoggedRequest[], ...needles: string[]) => string[];
  bodies: (writes: LoggedRequest[]) => string[];
  /** The result once the story is over: every write (token exchanges left out) and whether every step held. */
  finish: () => StoryResult;
}

export function storySteps(fake: FakeGitHub, print: (line: string) => void): StorySteps {
  const steps: StepRecord[] = [];
  const isToken = (r: LoggedRequest) =>
    r.route === "POST /app/installations/{installation_id}/access_tokens" || r.route.includes("access_tokens");
  const isWrite = (r: LoggedRequest) => ["POST", "PATCH", "PUT", "DELETE"].includes(r.method);
  const step: StorySteps["step"] = async (title, event, act, expect, secrets) => {
    const mark = fake.requests.mark();
    await act();
    const all = fake.requests.since(mark).filter((r) => !isToken(r));
    const writes = all.filter(isWrite);
    const redacted = redactedRules(writes);
    const notModified = all.filter((r) => r.status === 304).length;
    const record: StepRecord = {
      title,
      event,
      reads: all.length - writes.length - notModified,
      notModified,
      writes: writes.length,
      actions: writes.flatMap((w) => [describeWrite(w), ...rowsNotPassing(w).map((row) => `    ${row}`)]),
      redacted,
      keptOut: [...new Set(scan(secrets ?? "").map((f) => f.rule))].filter((rule) => !redacted.includes(rule)),
      failures: expect(writes),
    };
    steps.push(record);
    print(
      `\n▶ ${title}  [${event}: ${record.reads} reads${record.notModified > 0 ? ` + ${record.notModified} × 304` : ""}, ${record.writes} writes]`,
    );
    for (const a of record.actions) print(`    ${a}`);
    if (record.redacted.length > 0) print(`    redacted by the sanitizer: ${record.redacted.join(", ")}`);
    if (record.keptOut.length > 0)
      print(
        `    found in the input and kept out of every write: ${record.keptOut.join(", ")} (rule names, not values)`,
      );
    for (const f of record.failures) print(`    ✗ ${f}`);
  };
  const bodies = (ws: LoggedRequest[]) => ws.map((w) => JSON.stringify(w.body ?? ""));
  const expectText = (ws: LoggedRequest[], ...needles: string[]) =>
    needles
      .filter((n) => !bodies(ws).some((b) => b.includes(n)))
      .map((n) => `expected the bot to write ${JSON.stringify(n)}`);
  const finish = (): StoryResult => {
    const transcript = fake.requests.entries
      .filter((r) => isWrite(r) && !isToken(r))
      .map((r) => ({ method: r.method, route: r.route, body: r.body ?? null }));
    return { steps, transcript, ok: steps.every((s) => s.failures.length === 0) };
  };
  return { steps, step, expectText, bodies, finish };
}

export async function runStory(opts: { print?: (line: string) => void } = {}): Promise<StoryResult> {
  const print = opts.print ?? (() => {});
  const world = await startDemoWorld();
  const { fake, repo, send } = world;
  const { step, expectText, bodies, finish } = storySteps(fake, print);
  const lastCheck = (sha: string, name: string) =>
    repo
      .checkRunsFor(sha)
      .filter((c) => c.name === name)
      .at(-1);

  try {
    // Chapter 1: contracts.
    const valid = repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "ada" });
    await step(
      "An agent opens issue #1 with a valid contract",
      "issues.opened",
      () => send("issues", hooks.issuesOpened(fake.state, repo, valid.number)),
      // ada has read access only: her contract is valid, but policy only once a maintainer accepts it.
      (ws) => expectText(ws, "contract valid, awaiting acceptance", "contract: needs acceptance"),
    );
    // Chapter 1b: an outsider's contract needs /accept.
    const accept = repo.addComment(valid.number, { body: "Scope and gates look right.\n\n/accept", user: "mona" });
    await step(
      "A maintainer accepts the agent's contract: /accept",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, accept.id)),
      (ws) => [
        ...expectText(ws, "accepted by `mona` with `/accept`", "contract: valid"),
        ...(repo.issue(valid.number).labels.includes("contract: needs acceptance")
          ? ["expected the needs-acceptance label to go"]
          : []),
      ],
    );
    const broken = repo.openIssue({ title: "[02] Router tidy", body: BROKEN_ISSUE, user: "ada" });
    await step(
      "Issue #2 has a broken contract: the bot explains",
      "issues.opened",
      () => send("issues", hooks.issuesOpened(fake.state, repo, broken.number)),
      (ws) => expectText(ws, "contract invalid", "did you mean `scope`", "contract: invalid"),
    );

    // Chapter 2: PRs are attestations.
    const baseSha = repo.resolveRef("main")!.sha;
    const goodSha = "a1".repeat(20);
    const good = repo.openPullRequest({
      title: "Fused all-gather",
      user: "ada",
      head: { ref: "issue/01-fused-allgather", sha: goodSha },
      files: [{ filename: "moelab/comm/allgather.py", content: "def allgather(x):\n    return fused(x)\n" }],
      body: attestation("01", goodSha, baseSha, valid.number),
    });
    await step(
      "PR #3: valid attestation, in-scope diff (waits only for Tier-B)",
      "pull_request.opened",
      () => send("pull_request", hooks.pullRequestOpened(fake.state, repo, good.number)),
      (ws) => {
        const c = lastCheck(goodSha, "merge-captain");
        return [
          ...expectText(ws, "Tier-B green on this head"),
          ...(c?.conclusion === "failure" && (c.output.summary ?? "").includes("✅ | Scope")
            ? []
            : ["expected scope ✅ and Tier-B still missing"]),
        ];
      },
    );
    const badSha = "b2".repeat(20);
    const bad = repo.openPullRequest({
      title: "Kernel tweak",
      user: "ada",
      head: { ref: "issue/01-kernel", sha: badSha },
      files: [
        { filename: "moelab/comm/allgather.py", content: "x\n" },
        { filename: "moelab/csrc/kernel.cu", content: "// changed\n" },
      ],
      body: attestation("01", badSha, baseSha, valid.number),
    });
    await step(
      "PR #4 touches a denied path: red, with the file and the pattern",
      "pull_request.opened",
      () => send("pull_request", hooks.pullRequestOpened(fake.state, repo, bad.number)),
      (ws) => {
        const c = lastCheck(badSha, "merge-captain");
        return [
          ...expectText(ws, "moelab/csrc/kernel.cu", "moelab/csrc/**"),
          ...(c?.conclusion === "failure" ? [] : ["expected the merge-captain check to fail"]),
        ];
      },
    );

    // Chapter 3: Tier-B.
    const refused = repo.addComment(good.number, { body: "/tier-b hot_path", user: "rex" });
    await step(
      "A read-only user asks for Tier-B: refused",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, refused.id)),
      (ws) => [
        ...expectText(ws, "needs write access"),
        ...(repo.dispatches.length === 0 ? [] : ["no dispatch expected"]),
      ],
    );
    const asked = repo.addComment(good.number, { body: "Looks right.\n\n/tier-b hot_path", user: "mona" });
    await step(
      "A maintainer asks for Tier-B: one dispatch, pinned to the head",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, asked.id)),
      (ws) => [
        ...expectText(ws, "Tier-B: hot_path", "in flight"),
        ...(repo.dispatches.length === 1 && repo.dispatches[0]!.inputs["head_sha"] === goodSha
          ? []
          : ["expected exactly one dispatch for the head SHA"]),
      ],
    );
    await step(
      "The same command delivered again: no second dispatch",
      "issue_comment.created",
      () => send("issue_comment", hooks.issueCommentCreated(fake.state, repo, asked.id)),
      () => (repo.dispatches.length === 1 ? [] : ["a redelivery dispatched again"]),
    );
    const run = repo.run(repo.dispatches[0]!.runId!);
    await step(
      "GitHub queues the run",
      "workflow_run.requested",
      () => send("workflow_run", hooks.workflowRunRequested(fake.state, repo, run.id)),
      () => [],
    );
    repo.requestDeploymentReview(run.id, "b200-gates");
    await step(
      "The environment asks the app (custom protection rule): approved for the pinned head",
      "deployment_protection_rule.requested",
      () =>
        send(
          "deployment_protection_rule",
          hooks.deploymentProtectionRuleRequested(fake.state, repo, run.id, "b200-gates"),
        ),
      (ws) => expectText(ws, "approved"),
    );
    repo.setRunStatus(run.id, "in_progress");
    await step(
      "The run starts",
      "workflow_run.in_progress",
      () => send("workflow_run", hooks.workflowRunInProgress(fake.state, repo, run.id)),
      () => [],
    );
    const results = resultsFile(goodSha, repo.dispatches[0]!.inputs["dispatch_id"]!);
    repo.completeWorkflowRun(run.id, {
      conclusion: "success",
      artifactName: "tier-b-results",
      artifactFiles: { "tier_b_results.json": results },
    });
    await step(
      "The run completes; its results mention an internal host and a token",
      "workflow_run.completed",
      () => send("workflow_run", hooks.workflowRunCompleted(fake.state, repo, run.id)),
      (ws) => {
        const leaked = bodies(ws).filter((b) => b.includes(LEAKED_HOST) || b.includes(LEAKED_TOKEN_PREFIX));
        const c = lastCheck(goodSha, "merge-captain");
        return [
          ...(leaked.length === 0 ? [] : ["the bot posted the internal host or the token"]),
          ...expectText(ws, "b200:train_8x20"),
          ...(c?.conclusion === "success"
            ? []
            : [`expected PR #3 to be green now, the check says: ${c?.output.title ?? "nothing"}`]),
        ];
      },
      results,
    );

    // Chapter 4: a push after the run makes its results stale (kept and shown, no longer counted).
    const pushed = repo.pushToPullRequest(good.number, {
      sha: "f6".repeat(20),
      files: [{ filename: "moelab/comm/allgather.py", content: "def allgather(x):\n    return fused(x, chunks=4)\n" }],
    });
    await step(
      "A new push to PR #3: the Tier-B results are now stale",
      "pull_request.synchronize",
      () => send("pull_request", hooks.pullRequestSynchronize(fake.state, repo, good.number, pushed)),
      (ws) => {
        const c = lastCheck(pushed.after, "merge-captain");
        return [
          ...expectText(ws, "stale"),
          ...(c?.conclusion === "failure" ? [] : ["expected the new head to need a new Tier-B run"]),
        ];
      },
    );

    // Chapter 5: two dependent PRs merged through GitHub's merge queue, in the order the merge plan gives.
    await mergeQueueChapter({ world, step, expectText, lastCheck });

    // Chapter 6: no lost work. A PR whose webhook never arrived is judged by the next reconciler run.
    const lost = openAttestedPull(repo, valid.number, "fused-allgather-2");
    await step(
      `PR #${lost.number} was opened while no webhook arrived: the next reconciler run judges it`,
      "reconciler",
      () => world.app.reconcileNow(),
      (ws) => [
        ...expectText(ws, "Tier-B green on this head"),
        ...(lastCheck(lost.sha, "merge-captain") ? [] : [`expected a merge-captain check on PR #${lost.number}`]),
      ],
    );
    // The run after reads back the lists its own writes changed; the one after that finds nothing new.
    await world.app.reconcileNow();
    await step(
      "The reconciler again, nothing changed: list reads answered 304, no write",
      "reconciler",
      () => world.app.reconcileNow(),
      (ws) => (ws.length === 0 ? [] : [`expected no write, got ${ws.length}`]),
    );
  } finally {
    await world.close();
  }
  return finish();
}
