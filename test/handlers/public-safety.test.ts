import { describe, expect, test } from "@jest/globals";
import { aContract, fence, formBody, HEADING, toYaml } from "../core/contract/builders.js";
import { aComment, REPO_PATH, testApp, INSTALLATION_ID, useStrictNock } from "../support/probot.js";
import { aUser, issuesEvent, repository } from "../support/payloads.js";
import { permission } from "../support/people.js";
import { config, registry } from "../support/repo-files.js";

const TOKEN = ["ghp_", "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"].join("");

function body(contract = aContract()): string {
  return formBody([[HEADING, fence(toYaml(contract))]]);
}

function commentEvent(
  action: "created" | "edited",
  id: number,
  text: string,
  labels: string[] = [],
  previous = "before",
) {
  return {
    action,
    issue: {
      number: 7,
      title: "[12] Router cache",
      body: "",
      state: "open",
      labels: labels.map((name, i) => ({ id: i, name })),
      user: aUser("alice"),
    },
    comment: { ...aComment(id, text, "user"), user: aUser("bob") },
    ...(action === "edited" ? { changes: { body: { from: previous } } } : {}),
    repository,
    sender: aUser("bob"),
    installation: { id: INSTALLATION_ID },
  };
}

useStrictNock();

describe("the sanitizer is the last step before every write", () => {
  test("a parser error that echoes a token is posted with the token redacted", async () => {
    const app = testApp();
    let posted = "";
    const calls = registry(config(null))
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((posted = b.body), true))
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`)
      .reply(200, []);
    const leaky = aContract({ nmoe: { issue: "12", slug: TOKEN, kind: "feature", risk: "warm" } });
    await app.receive("issues", issuesEvent("opened", { body: body(leaky) }));
    expect(calls.pendingMocks()).toEqual([]);
    expect(posted).toContain("contract invalid");
    expect(posted).toContain("[redacted:github-token]");
    expect(posted).not.toContain(TOKEN);
  });

  test("a label built from repo config input is sanitized before it is sent", async () => {
    const app = testApp();
    let labels: string[] = [];
    registry(permission("alice", "write", config("labels:\n  contract_valid: 'ok via 10.1.2.3'\n")))
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`)
      .reply(201, aComment(500, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, (b: { labels: string[] }) => ((labels = b.labels), true))
      .reply(200, []);
    await app.receive("issues", issuesEvent("opened", { body: body() }));
    expect(labels).toHaveLength(1);
    expect(labels[0]).not.toContain("10.1.2.3");
    expect(labels[0]).toContain("[redacted:");
  });
});

describe("public-safety scan of comments", () => {
  test("a credential in a comment: warning by rule and line, the label, and (when configured) the comment minimised", async () => {
    const app = testApp();
    let sticky = "";
    let minimized = "";
    const calls = config("public_safety:\n  minimize_leaks: true\n")
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((sticky = b.body), true))
      .reply(201, aComment(900, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["public-safety"] })
      .reply(200, [])
      .post("/graphql", (b: { variables: { id: string } }) => ((minimized = b.variables.id), true))
      .reply(200, { data: { minimizeComment: { minimizedComment: { isMinimized: true } } } });
    const leaky = `here you go:\n\nexport GITHUB_TOKEN=${TOKEN}`;
    await app.receive("issue_comment", commentEvent("created", 41, leaky));
    expect(calls.pendingMocks()).toEqual([]);
    expect(sticky).toContain("comment 41, line 3");
    expect(sticky).toContain("`github-token`");
    expect(sticky).not.toContain(TOKEN);
    expect(minimized).toBe("IC_41");

    // The comment is edited clean: the warning and the label go away.
    let edited = "";
    const clean = config("public_safety:\n  minimize_leaks: true\n")
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [aComment(900, sticky)])
      .patch(`${REPO_PATH}/issues/comments/900`, (b: { body: string }) => ((edited = b.body), true))
      .reply(200, aComment(900, "x"))
      .delete(`${REPO_PATH}/issues/7/labels/public-safety`)
      .reply(200, []);
    await app.receive(
      "issue_comment",
      commentEvent("edited", 41, "here you go: (token removed)", ["public-safety"], leaky),
    );
    expect(clean.pendingMocks()).toEqual([]);
    expect(edited).not.toContain("Public safety");
  });

  test("an ordinary comment costs only the config read (its internal domains are part of the scan), no write", async () => {
    const app = testApp();
    const calls = config(null);
    await app.receive("issue_comment", commentEvent("created", 42, "LGTM, thanks!"));
    expect(calls.pendingMocks()).toEqual([]);
  });

  test("a host under a configured internal domain is caught, though no built-in rule knows it", async () => {
    const app = testApp();
    let sticky = "";
    const calls = config("public_safety:\n  internal_domains: [acme-infra.net]\n")
      .get(`${REPO_PATH}/issues/7/comments?per_page=100`)
      .reply(200, [])
      .post(`${REPO_PATH}/issues/7/comments`, (b: { body: string }) => ((sticky = b.body), true))
      .reply(201, aComment(901, "x"))
      .post(`${REPO_PATH}/issues/7/labels`, { labels: ["public-safety"] })
      .reply(200, []);
    await app.receive("issue_comment", commentEvent("created", 43, "logs are on build7.acme-infra.net"));
    expect(calls.pendingMocks()).toEqual([]);
    expect(sticky).toContain("comment 43, line 1");
    expect(sticky).not.toContain("acme-infra.net");
  });

  test("an edit that changes nothing about findings writes nothing", async () => {
    const app = testApp();
    const calls = config(null);
    await app.receive("issue_comment", commentEvent("edited", 44, "typo fixed", [], "tpyo fixed"));
    expect(calls.pendingMocks()).toEqual([]);
  });
});
