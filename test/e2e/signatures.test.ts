import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { UnthrottledOctokit } from "../../src/demo/octokit.js";
import { checkEnvironment, ledgerKeyFrom, startServer, StartupError, type StartedServer } from "../../src/server.js";
import { startFakeGitHub, type FakeGitHub } from "../../src/demo/fake-github/index.js";
import { issuesOpened, sendWebhook } from "../../src/demo/webhooks.js";
import { serverEnv, startAppAgainst } from "../support/app-server.js";

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
    ["a short LEDGER_KEY", { APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY: "k", LEDGER_KEY: "short" }, "LEDGER_KEY"],
    [
      "an APP_SLUG that is no slug",
      { APP_ID: "1", WEBHOOK_SECRET: "s", PRIVATE_KEY: "k", APP_SLUG: "x[bot]" },
      "APP_SLUG",
    ],
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

  test("the ledger key is derived (never the secret itself); LEDGER_KEY wins over the webhook secret", () => {
    const fromSecret = Buffer.from(ledgerKeyFrom({ WEBHOOK_SECRET: "s3cret" }));
    expect(fromSecret).toHaveLength(32);
    expect(fromSecret.toString("utf8")).not.toContain("s3cret");
    expect(Buffer.from(ledgerKeyFrom({ WEBHOOK_SECRET: "s3cret" }))).toEqual(fromSecret);
    expect(Buffer.from(ledgerKeyFrom({ WEBHOOK_SECRET: "other" }))).not.toEqual(fromSecret);
    const own = "k".repeat(32);
    expect(Buffer.from(ledgerKeyFrom({ WEBHOOK_SECRET: "s3cret", LEDGER_KEY: own }))).toEqual(
      Buffer.from(ledgerKeyFrom({ WEBHOOK_SECRET: "other", LEDGER_KEY: own })),
    );
  });

  test("the App's bot login comes from GET /app once at start-up, or from APP_SLUG with no call", async () => {
    // The reconciler's start-up run has calls of its own; only the start-up's own are counted here.
    const env = (over: Record<string, string> = {}) =>
      serverEnv(fake, secret, { RECONCILE_INTERVAL_MINUTES: "0", ...over });
    const opts = { port: 0, host: "127.0.0.1", Octokit: UnthrottledOctokit };
    let mark = fake.requests.mark();
    const asked = await startServer({ env: env(), ...opts });
    await asked.close();
    expect(fake.requests.since(mark).map((r) => `${r.method} ${r.route}`)).toEqual(["GET /app"]);
    mark = fake.requests.mark();
    const told = await startServer({ env: env({ APP_SLUG: "merge-captain" }), ...opts });
    await told.close();
    expect(fake.requests.since(mark)).toEqual([]);
    // Credentials GitHub refuses (here: another App's id) stop the server with the reason, not a stack trace.
    await expect(startServer({ env: env({ APP_ID: "999" }), ...opts })).rejects.toThrow(
      /could not ask GitHub for the App's slug \(GET \/app: .*\)\. Check APP_ID and the private key, or set APP_SLUG\./,
    );
  });
});
