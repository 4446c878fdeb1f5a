import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { checkEnvironment, StartupError, type StartedServer } from "../../src/server.js";
import { startFakeGitHub, type FakeGitHub } from "../../src/demo/fake-github/index.js";
import { issuesOpened, sendWebhook } from "../../src/demo/webhooks.js";
import { startAppAgainst } from "../support/app-server.js";

let fake: FakeGitHub;
let app: StartedServer;
const secret = "s3cret-for-tests";

beforeAll(async () => {
  fake = await startFakeGitHub({ log: () => {} });
  app = await startAppAgainst(fake, secret);
});
afterAll(async () => {
  await app.close();
  await fake.close();
});

describe("webhook signatures, end to end", () => {
  const issueWithContract = () => {
    const repo = fake.state.repo("acme", "sig") ?? fake.state.addRepo({ owner: "acme", name: "sig" });
    const issue = repo.openIssue({
      title: "[01] x",
      body: "### Agent Contract (YAML, required)\n\n```yaml\nnmoe: {issue: 01, kind: docs, risk: cold}\nscope: {allow: [docs/**]}\ngates: {required: []}\n```",
    });
    return issuesOpened(fake.state, repo, issue.number);
  };

  test.each([["wrong-signature"], ["no-signature"], ["reserialized-body"]] as const)(
    "a %s delivery is refused and no handler runs",
    async (tamper) => {
      const mark = fake.requests.mark();
      const res = await sendWebhook(app.webhookUrl, secret, "issues", issueWithContract(), { tamper });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(fake.requests.since(mark)).toEqual([]);
    },
  );

  test("a correctly signed delivery is handled (the bot calls GitHub)", async () => {
    const mark = fake.requests.mark();
    const res = await sendWebhook(app.webhookUrl, secret, "issues", issueWithContract());
    expect(res.status).toBe(200);
    expect(fake.requests.writes(mark).length).toBeGreaterThan(0);
  });

  test("the health endpoint answers without a signature", async () => {
    expect((await fetch(app.url + "/healthz")).status).toBe(200);
  });
});

describe("startup", () => {
  test.each([
    ["no webhook secret", { APP_ID: "1", PRIVATE_KEY: "k" }, "WEBHOOK_SECRET"],
    ["no app id", { WEBHOOK_SECRET: "s", PRIVATE_KEY: "k" }, "APP_ID"],
    ["no private key", { APP_ID: "1", WEBHOOK_SECRET: "s" }, "PRIVATE_KEY"],
  ])("refuses to start with %s", (_name, env, named) => {
    expect(() => checkEnvironment(env)).toThrow(StartupError);
    expect(() => checkEnvironment(env)).toThrow(named);
  });

  test("a PRIVATE_KEY_PATH that does not exist is named with the problem, not 'privateKey option is required'", () => {
    const env = { APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY_PATH: "./no-such-key.pem" };
    expect(() => checkEnvironment(env)).toThrow(
      /^merge-captain cannot start: PRIVATE_KEY_PATH=\.\/no-such-key\.pem \(.*no-such-key\.pem\): no such file/,
    );
  });
});
