import { describe, expect, test } from "@jest/globals";
import type nock from "nock";
import { aContract, fence, formBody, HEADING, toYaml } from "../core/contract/builders.js";
import { aComment, REPO_PATH, requestsWithNoInterceptor, testApp, useStrictNock } from "../support/probot.js";
import { aUser, issuesEvent } from "../support/payloads.js";
import { permission } from "../support/people.js";
import { config, REGISTRY_PATH, registry } from "../support/repo-files.js";

function contractBody(contract = aContract()): string {
  return formBody([
    ["Summary (what + why)", "Cache router decisions."],
    [HEADING, fence(toYaml(contract))],
    ["Notes (optional)", ""],
  ]);
}

/** No repo config anywhere: the repo and the owner's `.github` repo both answer 404. */
const noConfig = (scope?: nock.Scope) => config(null, scope);

useStrictNock();

describe("issues opened / edited", () => {
  test("a valid contract by a maintainer gets one sticky comment with its summary and the `contract: valid` label", async () => {
    const app = testApp();
    let posted = "";
    const calls = registry(permission("alice", "maintain", noConfig()))
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [aComment(1, "<!-- merge-captain:issue --> pasted by someone", "user")])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["contract: valid"] })
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { body: contractBody() }));
    expect(calls.pendingMocks()).toEqual([]);
    expect(posted).toContain("<!-- merge-captain:issue -->");
    expect(posted).toContain("✅ merge-captain: contract valid");
    expect(posted).toContain("`nmoe/router/**`");
    expect(posted).toContain("`b200:step_1x10` (Tier-B)");
    expect(posted).toMatch(/\*\*Accepted:\*\* contract `[0-9a-f]{12}`, written by `alice`, who has write access\./);
  });

  test.each([
    ["a read-only user", "read", "alice"],
    ["a triage user (may edit issues, not push)", "triage", "alice"],
  ] as const)("a valid contract by %s waits for a maintainer's /accept", async (_name, level, login) => {
    const app = testApp();
    let posted = "";
    const calls = registry(permission(login, level, noConfig()))
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["contract: needs acceptance"] })
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { body: contractBody() }));
    expect(calls.pendingMocks()).toEqual([]);
    expect(posted).toContain("### ⏳ merge-captain: contract valid, awaiting acceptance");
    expect(posted).toContain("was written by `alice`, who has no write access");
    expect(posted).toMatch(/comments `\/accept` here \(or `\/accept [0-9a-f]{12}`/);
  });

  /** A bot opens issue #7 with a valid contract; returns what the bot posted once every expected call was made. */
  async function botOpensContract(login: string, configured: ReturnType<typeof noConfig>, label: string) {
    const app = testApp();
    let posted = "";
    const bot = aUser(login, "Bot");
    const calls = registry(configured)
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: [label] })
      .reply(200, []);
    const event = issuesEvent("opened", { body: contractBody(), sender: bot });
    await app.receive("issues", { ...event, issue: { ...event.issue, user: bot } });
    expect(calls.pendingMocks()).toEqual([]);
    return posted;
  }

  test("an issue opened by a bot is judged like anyone's: its contract waits for /accept, and no permission is read", async () => {
    const posted = await botOpensContract("copilot-swe-agent[bot]", noConfig(), "contract: needs acceptance");
    expect(posted).toContain("awaiting acceptance");
    expect(posted).toContain("`copilot-swe-agent[bot]`");
  });

  test("a bot the config trusts writes contracts that count without /accept", async () => {
    const posted = await botOpensContract(
      "planner[bot]",
      config('policy:\n  trusted_bots: ["planner[bot]"]\n'),
      "contract: valid",
    );
    expect(posted).toContain("written by `planner[bot]`, a bot this repository trusts");
  });

  test("an edit updates the same comment and flips the labels", async () => {
    const app = testApp();
    let edited = "";
    const broken = contractBody(aContract({ scoep: { allow: [] } }));
    const calls = registry(noConfig())
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [aComment(500, "<!-- merge-captain:issue -->\n### ✅ merge-captain: contract valid")])
      .patch(`${REPO_PATH}/issues/comments/500`, (b: { body: string }) => ((edited = b.body), true))
      .reply(200, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["contract: invalid"] })
      .reply(200, [])
      .delete(`${REPO_PATH}/issues/7/labels/contract%3A%20valid`)
      .reply(200, []);
    await app.receive(
      "issues",
      issuesEvent("edited", { body: broken, previousBody: broken, labels: ["contract: valid"] }),
    );
    expect(calls.isDone()).toBe(true);
    expect(edited).toContain("❌ merge-captain: contract invalid");
    expect(edited).toContain("did you mean `scope`?");
  });

  test("an edit that changes nothing makes no write", async () => {
    const app = testApp();
    const body = contractBody();
    // First learn what the bot writes, then replay the same event with that comment in place.
    let posted = "";
    registry(permission("alice", "write", noConfig()))
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`)
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { body }));
    // The replay reads the acceptance from the sticky's sealed ledger: no permission lookup, no write.
    const replay = registry(noConfig())
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [aComment(500, posted)]);
    await app.receive("issues", issuesEvent("edited", { body, previousBody: body, labels: ["contract: valid"] }));
    expect(replay.isDone()).toBe(true);
  });

  test("a plain issue gets nothing beyond reading the config", async () => {
    const app = testApp();
    const calls = noConfig();
    await app.receive("issues", issuesEvent("opened", { title: "Question", body: "How do I run the tests?" }));
    expect(calls.isDone()).toBe(true);
  });

  test("events our own App sent are ignored without a single call", async () => {
    const app = testApp();
    const requests = await requestsWithNoInterceptor(() =>
      app.receive(
        "issues",
        issuesEvent("edited", { body: contractBody(), previousBody: "", sender: aUser("merge-captain[bot]", "Bot") }),
      ),
    );
    expect(requests).toEqual([]);
  });

  test("a broken registry on the default branch is reported, never guessed", async () => {
    const app = testApp();
    let posted = "";
    const calls = permission("alice", "write", noConfig())
      .get((p) => REGISTRY_PATH.test(p))
      .reply(200, '[gates."x"]\ntier = "z"\n', { "content-type": "application/vnd.github.raw" })
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"));
    await app.receive("issues", issuesEvent("opened", { body: contractBody() }));
    expect(calls.isDone()).toBe(true);
    expect(posted).toContain("contract not checked");
  });

  test("a token pasted into the issue adds the public-safety label and a warning that does not quote it", async () => {
    const app = testApp();
    let posted = "";
    const token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
    registry(permission("alice", "write", noConfig()))
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["contract: valid", "public-safety"] })
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { body: contractBody() + `\n\nuse ${token}` }));
    expect(posted).toContain("Public safety");
    expect(posted).not.toContain(token);
  });
});
