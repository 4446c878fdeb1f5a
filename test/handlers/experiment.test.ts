/** Experiment issues over the webhook and the heartbeat, with a fake clock: the exact GitHub calls. */
import { afterAll, describe, expect, test } from "@jest/globals";
import nock from "nock";
import type { RepoClient } from "../../src/github/client.js";
import { heartbeatRepo, runHeartbeats } from "../../src/handlers/experiment.js";
import { installationRepos } from "../../src/github/installations.js";
import { createRuntimeFromEnv, type RuntimeFromEnv } from "../../src/runtime/redis.js";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.js";
import { startRedisServer, type RunningRedis } from "../support/redis-server.js";
import { needsRedisServer } from "../support/requirements.js";
import { aContract, fence, formBody, HEADING, toYaml } from "../core/contract/builders.js";
import {
  aComment,
  API,
  APP_ID,
  INSTALLATION_ID,
  OWNER,
  REPO,
  REPO_PATH,
  requestsWithNoInterceptor,
  sequentialIds,
  testApp,
  useStrictNock,
  type TestApp,
  BOT_LOGIN,
  LEDGER_KEY,
} from "../support/probot.js";
import { anIssue, aUser, issueCommentCreated, issuesEvent, repository } from "../support/payloads.js";
import { permission } from "../support/people.js";
import { config, registry } from "../support/repo-files.js";

useStrictNock();

let redis: RunningRedis | undefined;
const opened: RuntimeFromEnv[] = [];
afterAll(async () => {
  await Promise.all(opened.map((o) => o.close()));
  await redis?.stop();
});

const T0 = Date.parse("2026-11-23T10:00:00Z"); // anIssue's created_at
const HOUR = 3_600_000;
const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString().replace(/\.000Z$/, "Z");

const CONFIG = 'experiment:\n  title_prefix: "[EXP]"\n  sections: ["TL;DR", "Scope"]\n  logbook: ""\n';
const TITLE = "[EXP] Hidden capacity sweep";
const BODY = formBody([
  ["TL;DR", "- [exploratory] capacity 1.25 matches 1.5 at 8 M tokens\n- top-2 routing is enough"],
  ["Scope", "Router capacity only."],
]);
const STALE = "experiment: stale";

/** The app with a clock the test moves. */
function clockedApp(): TestApp & { setHours: (h: number) => void } {
  let now = T0;
  const app = testApp(createRuntime({ now: () => new Date(now), newId: sequentialIds() }));
  return Object.assign(app, { setHours: (h: number) => void (now = T0 + h * HOUR) });
}

async function clientOf(app: TestApp): Promise<RepoClient> {
  const octokit = await app.probot.auth(INSTALLATION_ID);
  return {
    octokit,
    owner: OWNER,
    repo: REPO,
    defaultBranch: "main",
    appId: APP_ID,
    botLogin: BOT_LOGIN,
    ledgerKey: LEDGER_KEY,
    sanitize: {},
    permissionCache: new Map(),
  };
}

const LIST = (p: string) =>
  p === `${REPO_PATH}/issues?state=open&labels=experiment&sort=created&direction=asc&per_page=100`;
const COMMENTS = `${REPO_PATH}/issues/7/comments?per_page=100`;

function listed(labels: string[]) {
  return [{ ...anIssue({ title: TITLE, body: BODY, labels }), assignees: [] }];
}

/** A comment of ours or someone's, created at `when`. */
function commentAt(id: number, body: string, when: string, by: "app" | "user" = "app", login = "octocat") {
  const c = aComment(id, body, by);
  return { ...c, created_at: when, updated_at: when, ...(by === "user" ? { user: { login, type: "User" } } : {}) };
}

/** Open the issue at T0 + 1 min and return the status comment the bot posted. */
async function openIssue(app: ReturnType<typeof clockedApp>): Promise<string> {
  app.setHours(1 / 60);
  let sticky = "";
  const calls = config(CONFIG)
    .get(COMMENTS)
    .reply(200, [])
    .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((sticky = b.body), true))
    .reply(201, aComment(500, "x"))
    .post(`${REPO_PATH}/issues/7/labels`, { labels: ["experiment"] })
    .reply(200, []);
  await app.receive("issues", issuesEvent("opened", { title: TITLE, body: BODY }));
  expect(calls.pendingMocks()).toEqual([]);
  return sticky;
}

describe("an experiment issue is opened", () => {
  test("status comment (sections, claims, next due) and the experiment label: 2 reads, 2 writes", async () => {
    const sticky = await openIssue(clockedApp());
    expect(sticky).toContain("<!-- merge-captain:experiment -->");
    expect(sticky).toContain("its title starts with `[EXP]`");
    expect(sticky).toContain("last update 2026-11-23 10:00 UTC by alice · next due by 2026-11-23 16:00 UTC");
    expect(sticky).toContain("**Sections:** ✅ `TL;DR`, `Scope`");
    expect(sticky).toContain("1 of 2 claims carry no confidence label");
    expect(sticky).toContain("top-2 routing is enough");
    expect(sticky).toMatch(/\n<!-- merge-captain:experiment v1 [A-Za-z0-9_-]+ -->\n$/);
  });

  test("a missing section is named, with the fix", async () => {
    const app = clockedApp();
    let sticky = "";
    config(CONFIG)
      .get(COMMENTS)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((sticky = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`)
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { title: TITLE, body: formBody([["TL;DR", "- [stable] x"]]) }));
    expect(sticky).toContain("**Sections:** ❌ missing `Scope` — add each as a `##` or `###` heading");
  });

  test("a `kind: experiment` contract makes one too: contract comment and experiment comment, each with its label", async () => {
    const app = clockedApp();
    const contract = aContract({
      nmoe: { issue: "MOE-HC", slug: "moe-hc", kind: "experiment", risk: "warm" },
      scope: { allow: ["moe/**", ".agents/logbooks/**"], require: [".agents/logbooks/{slug}.md"] },
      gates: { required: ["cpu:import"] },
    });
    const body = formBody([
      ["TL;DR", "- [replicated] capacity 1.25 is enough"],
      ["Scope", "Router."],
      ["Decision log", "- 11-20 [stable] keep top-2"],
      ["Negative results index", "- [replicated] aux loss 0.1 hurts"],
      ["Current baseline", "- [stable] val_loss 4.9413 at 8 M tokens"],
      ["Logbook", "[logbook](https://github.com/acme/nmoe/blob/research/moe-hc/.agents/logbooks/moe-hc.md)"],
      [HEADING, fence(toYaml(contract))],
    ]);
    const posted: string[] = [];
    // alice opened it with write access: her contract counts (one permission lookup).
    const calls = registry(permission("alice", "write", config(null)))
      .get(COMMENTS)
      .times(2)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => (posted.push(b.body), true))
      .times(2)
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["experiment"] })
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["contract: valid"] })
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { title: "MoE hidden capacity", body }));
    expect(calls.pendingMocks()).toEqual([]);
    const [experiment, contractComment] = posted;
    expect(experiment).toContain("its contract has `kind: experiment`");
    expect(experiment).toContain("**Logbook:** ✅ `.agents/logbooks/moe-hc.md`");
    expect(experiment).toContain("all 4 claims carry a confidence label");
    expect(contractComment).toContain("**Every PR must update:** `.agents/logbooks/{slug}.md`");
  });

  test("a plain issue costs only the config read, as before", async () => {
    const app = clockedApp();
    const calls = config(CONFIG);
    await app.receive("issues", issuesEvent("opened", { title: "Question", body: "How do I run it?" }));
    expect(calls.isDone()).toBe(true);
  });

  test("an issue that stops being an experiment loses the status and the labels", async () => {
    const app = clockedApp();
    let edited = "";
    const calls = config(CONFIG)
      .get(COMMENTS)
      .reply(200, [aComment(500, "<!-- merge-captain:experiment -->\nold")])
      .patch(`${REPO_PATH}/issues/comments/500`, (b: { body: string }) => ((edited = b.body), true))
      .reply(200, aComment(500, "x"))
      .delete(`${REPO_PATH}/issues/7/labels/experiment`)
      .reply(200, [])
      .delete(`${REPO_PATH}/issues/7/labels/experiment%3A%20stale`)
      .reply(200, []);
    await app.receive(
      "issues",
      issuesEvent("edited", {
        title: "Hidden capacity (done)",
        body: BODY,
        previousBody: BODY,
        labels: ["experiment", STALE],
      }),
    );
    expect(calls.pendingMocks()).toEqual([]);
    expect(edited).toContain("no longer an experiment issue");
  });
});

/** Where the per-issue lock lives: one process, or two instances sharing a real redis-server (when installed). */
const BACKENDS: [string, () => Promise<[Runtime, Runtime]>][] = [
  [
    "in memory: two runs in one process",
    async () => {
      const one = createRuntime({ now: () => new Date(T0 + 6.1 * HOUR) });
      return [one, one];
    },
  ],
];
if (needsRedisServer("the heartbeat tests on two Redis-backed instances").available)
  BACKENDS.push([
    "Redis: two instances sharing REDIS_URL",
    async () => {
      redis ??= await startRedisServer();
      const made = await Promise.all(
        [0, 1].map(() => createRuntimeFromEnv({ REDIS_URL: redis!.url }, { lock: { pollMs: 5, maxPollMs: 20 } })),
      );
      opened.push(...made);
      const now = () => new Date(T0 + 6.1 * HOUR);
      return [
        { ...made[0]!.runtime, now },
        { ...made[1]!.runtime, now },
      ];
    },
  ]);

describe("the heartbeat, with a fake clock", () => {
  test("silent for 6 h → one reminder (and the stale label); 12 h silent → still that one; an update → it clears", async () => {
    const app = clockedApp();
    const opened = await openIssue(app);

    // 5 h 59 min: not yet due — reads only.
    app.setHours(6 - 1 / 60);
    let calls = config(CONFIG)
      .get(LIST)
      .reply(200, listed(["experiment"]))
      .get(COMMENTS)
      .reply(200, [aComment(500, opened)]);
    expect(await heartbeatRepo(await clientOf(app), app.runtime)).toMatchObject({ issues: 1, reminded: 0 });
    expect(calls.pendingMocks()).toEqual([]);

    // 6 h: one reminder, naming the owner; the status says overdue; the stale label. 3 reads, 3 writes.
    app.setHours(6);
    let reminder = "";
    let status = "";
    calls = config(CONFIG)
      .get(LIST)
      .reply(200, listed(["experiment"]))
      .get(COMMENTS)
      .reply(200, [aComment(500, opened)])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((reminder = b.body), true))
      .reply(201, commentAt(501, "x", at(6)))
      .patch(`${REPO_PATH}/issues/comments/500`, (b: { body: string }) => ((status = b.body), true))
      .reply(200, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: [STALE] })
      .reply(200, []);
    expect(await heartbeatRepo(await clientOf(app), app.runtime)).toMatchObject({ issues: 1, reminded: 1 });
    expect(calls.pendingMocks()).toEqual([]);
    expect(reminder).toMatch(
      /^<!-- merge-captain:heartbeat 2026-11-23T10:00:00Z -->\n⏰ @alice: no update on this experiment for 6 h/,
    );
    expect(reminder).toContain("**status**, **blockers** and the **next ETA**");
    expect(status).toContain("⏰ **overdue** since 2026-11-23 16:00 UTC");
    expect(status).toContain("a reminder was posted");

    // 12 h, still silent: the same gap, so nothing is written.
    app.setHours(12);
    const thread = [aComment(500, status), commentAt(501, reminder, at(6))];
    calls = config(CONFIG)
      .get(LIST)
      .reply(200, listed(["experiment", STALE]))
      .get(COMMENTS)
      .reply(200, thread);
    expect(await heartbeatRepo(await clientOf(app), app.runtime)).toMatchObject({ issues: 1, reminded: 0 });
    expect(calls.pendingMocks()).toEqual([]);

    // 12 h 30: the owner posts an update: the status moves on and the stale label goes. 2 reads, 2 writes.
    app.setHours(12.5);
    let updated = "";
    calls = config(CONFIG)
      .get(COMMENTS)
      .reply(200, thread)
      .patch(`${REPO_PATH}/issues/comments/500`, (b: { body: string }) => ((updated = b.body), true))
      .reply(200, aComment(500, "x"))
      .delete(`${REPO_PATH}/issues/7/labels/experiment%3A%20stale`)
      .reply(200, []);
    await app.receive(
      "issue_comment",
      issueCommentCreated({ title: TITLE, body: BODY, labels: ["experiment", STALE], at: at(12.5), commentId: 502 }),
    );
    expect(calls.pendingMocks()).toEqual([]);
    expect(updated).toContain("last update 2026-11-23 22:30 UTC by alice · next due by 2026-11-24 04:30 UTC");

    // 18 h 30: a new gap, so a new reminder, about the new update.
    app.setHours(18.5);
    calls = config(CONFIG)
      .get(LIST)
      .reply(200, listed(["experiment"]))
      .get(COMMENTS)
      .reply(200, [
        aComment(500, updated),
        commentAt(501, reminder, at(6)),
        commentAt(502, "Status: …", at(12.5), "user", "alice"),
      ])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((reminder = b.body), true))
      .reply(201, commentAt(503, "x", at(18.5)))
      .patch(`${REPO_PATH}/issues/comments/500`)
      .reply(200, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: [STALE] })
      .reply(200, []);
    expect(await heartbeatRepo(await clientOf(app), app.runtime)).toMatchObject({ reminded: 1 });
    expect(calls.pendingMocks()).toEqual([]);
    expect(reminder).toContain("<!-- merge-captain:heartbeat 2026-11-23T22:30:00Z -->");
  });

  test("an update before the deadline: no reminder at 6 h", async () => {
    const app = clockedApp();
    const opened = await openIssue(app);
    app.setHours(5);
    let status = "";
    config(CONFIG)
      .get(COMMENTS)
      .reply(200, [aComment(500, opened)])
      .patch(`${REPO_PATH}/issues/comments/500`, (b: { body: string }) => ((status = b.body), true))
      .reply(200, aComment(500, "x"));
    await app.receive(
      "issue_comment",
      issueCommentCreated({ title: TITLE, body: BODY, labels: ["experiment"], at: at(5) }),
    );
    app.setHours(6);
    const calls = config(CONFIG)
      .get(LIST)
      .reply(200, listed(["experiment"]))
      .get(COMMENTS)
      .reply(200, [aComment(500, status), commentAt(3001, "Status: …", at(5), "user", "alice")]);
    expect(await heartbeatRepo(await clientOf(app), app.runtime)).toMatchObject({ issues: 1, reminded: 0 });
    expect(calls.pendingMocks()).toEqual([]);
  });

  test.each([
    ["a reviewer's question is not the owner's update", "owners", aUser("bob"), undefined, [], false],
    ["with `updates_from: humans` it is", "humans", aUser("bob"), undefined, [], true],
    ["an assignee is an owner", "owners", aUser("carol"), undefined, ["carol"], true],
    [
      "an agent App that is assigned is an owner (judged, never obeyed)",
      "owners",
      aUser("lab-agent[bot]", "Bot"),
      555,
      ["lab-agent[bot]"],
      true,
    ],
    ["another bot is never an update", "humans", aUser("renovate[bot]", "Bot"), 556, [], false],
  ] as const)("%s", async (_name, from, by, viaApp, assignees, counts) => {
    const app = clockedApp();
    const cfg = CONFIG + `  updates_from: ${from}\n`;
    const event = issueCommentCreated({
      title: TITLE,
      body: BODY,
      labels: ["experiment"],
      by,
      at: at(5),
      assignees: [...assignees],
      ...(viaApp === undefined ? {} : { viaApp }),
    });
    let status = "";
    const calls = counts
      ? config(cfg)
          .get(COMMENTS)
          .reply(200, [])
          .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((status = b.body), true))
          .reply(201, aComment(500, "x"))
      : // A non-update costs what any comment costs: the config read (bots' comments are scanned too).
        config(cfg);
    await app.receive("issue_comment", event);
    expect(calls.pendingMocks()).toEqual([]);
    const line = `last update 2026-11-23 15:00 UTC by ${by.login.replace(/\[/g, "\\[").replace(/\]/g, "\\]")}`;
    expect(status.includes(line)).toBe(counts);
  });

  test("our own comments never count, and cost nothing", async () => {
    const app = clockedApp();
    const requests = await requestsWithNoInterceptor(() =>
      app.receive(
        "issue_comment",
        issueCommentCreated({ title: TITLE, body: BODY, by: aUser("merge-captain[bot]", "Bot"), viaApp: APP_ID }),
      ),
    );
    expect(requests).toEqual([]);
  });

  test.each(BACKENDS)(
    "two heartbeats at the deadline (%s): the lock and the re-read inside it post one reminder",
    async (_name, runtimes) => {
      const app = clockedApp();
      const opened_ = await openIssue(app);
      const [first, second] = await runtimes();
      let reminder = "";
      let status = "";
      // Both read the config and the list; the thread is read once per run, in lock order.
      const scope = config(CONFIG, config(CONFIG))
        .get(LIST)
        .times(2)
        .reply(200, listed(["experiment"]))
        .get(COMMENTS)
        .reply(200, [aComment(500, opened_)])
        .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((reminder = b.body), true))
        .reply(201, commentAt(501, "x", at(6.1)))
        .patch(`${REPO_PATH}/issues/comments/500`, (b: { body: string }) => ((status = b.body), true))
        .reply(200, aComment(500, "x"))
        .post(`${REPO_PATH}/issues/7/labels`, { labels: [STALE] })
        .reply(200, [])
        .get(COMMENTS)
        .reply(200, () => [aComment(500, status), commentAt(501, reminder, at(6.1))]);
      const [a, b] = await Promise.all([
        heartbeatRepo(await clientOf(app), first),
        heartbeatRepo(await clientOf(app), second),
      ]);
      expect(scope.pendingMocks()).toEqual([]);
      expect(a.reminded + b.reminded).toBe(1);
    },
  );

  test("a long thread: page 1 holds the status comment, the rest is read with `since` (2 reads)", async () => {
    const app = clockedApp();
    const opened = await openIssue(app);
    app.setHours(7);
    const page1 = [
      aComment(500, opened),
      ...Array.from({ length: 99 }, (_, i) => commentAt(600 + i, "chatter", at(0.5), "user")),
    ];
    const calls = config(CONFIG)
      .get(LIST)
      .reply(200, listed(["experiment"]))
      .get(COMMENTS)
      .reply(200, page1, {
        link: `<${API}${REPO_PATH}/issues/7/comments?per_page=100&page=2>; rel="next", <${API}${REPO_PATH}/issues/7/comments?per_page=100&page=9>; rel="last"`,
      })
      .get(`${REPO_PATH}/issues/7/comments?since=2026-11-23T10%3A00%3A00Z&per_page=100`)
      .reply(200, [commentAt(1500, "Status: sweep done", at(6.5), "user", "alice")])
      .patch(`${REPO_PATH}/issues/comments/500`)
      .reply(200, aComment(500, "x"));
    expect(await heartbeatRepo(await clientOf(app), app.runtime)).toMatchObject({ reminded: 0 });
    expect(calls.pendingMocks()).toEqual([]);
  });

  test("runHeartbeats walks the App's installations and their repositories", async () => {
    const app = clockedApp();
    app.setHours(1);
    const calls = nock(API)
      .get("/app/installations?per_page=100")
      .reply(200, [{ id: INSTALLATION_ID, account: { login: OWNER }, suspended_at: null }])
      .get("/installation/repositories?per_page=100")
      .reply(200, { total_count: 2, repositories: [repository, { ...repository, name: "old", archived: true }] });
    config(CONFIG, calls).get(LIST).reply(200, []);
    const summary = await runHeartbeats(
      installationRepos((id) => app.probot.auth(id), { appId: APP_ID, botLogin: BOT_LOGIN, ledgerKey: LEDGER_KEY }),
      app.runtime,
    );
    expect(calls.pendingMocks()).toEqual([]);
    expect(summary).toEqual({
      repos: [{ repo: `${OWNER}/${REPO}`, issues: 0, reminded: 0, cleared: 0, failed: 0 }],
      failedRepos: 0,
    });
  });

  test("an API failure on one issue is counted and logged; the run goes on", async () => {
    const app = clockedApp();
    app.setHours(7);
    config(CONFIG)
      .get(LIST)
      .reply(200, [...listed(["experiment"]), { ...listed(["experiment"])[0]!, number: 8 }])
      .get(COMMENTS)
      .reply(502, { message: "Bad Gateway" })
      .get(`${REPO_PATH}/issues/8/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/8/comments`)
      .times(2)
      .reply(201, aComment(700, "x"))
      .post(`${REPO_PATH}/issues/8/labels`, { labels: [STALE] })
      .reply(200, []);
    const lines: string[] = [];
    const r = await heartbeatRepo(await clientOf(app), app.runtime, (l) => lines.push(l));
    expect(r).toMatchObject({ issues: 2, reminded: 1, failed: 1 });
    expect(lines).toEqual([`heartbeat: ${OWNER}/${REPO}#7 failed`]);
  });
});
