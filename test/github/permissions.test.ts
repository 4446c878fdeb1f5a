/** Permission lookups: read from the API, one per user per event (the client carries the answers), failures not remembered. */
import { describe, expect, test } from "@jest/globals";
import nock from "nock";
import { UnthrottledOctokit } from "../../src/demo/octokit.js";
import type { RepoClient } from "../../src/github/client.js";
import { getPermission } from "../../src/github/permissions.js";
import { API, REPO_PATH, useStrictNock } from "../support/probot.js";

useStrictNock();

function client(): RepoClient {
  return {
    octokit: new UnthrottledOctokit({ auth: "ghs_test" }),
    owner: "acme",
    repo: "nmoe",
    defaultBranch: "main",
    appId: 1,
    botLogin: "merge-captain[bot]",
    ledgerKey: new Uint8Array(32),
    sanitize: {},
    permissionCache: new Map(),
  };
}

describe("getPermission", () => {
  test("one call per user per event, whatever the login's case", async () => {
    const scope = nock(API)
      .get(`${REPO_PATH}/collaborators/mona/permission`)
      .reply(200, { permission: "write", role_name: "maintain" });
    const c = client();
    expect(await getPermission(c, "mona")).toBe("maintain");
    expect(await getPermission(c, "Mona")).toBe("maintain");
    expect(scope.isDone()).toBe(true);
  });

  test("a new event (a new client) asks again", async () => {
    nock(API).get(`${REPO_PATH}/collaborators/mona/permission`).times(2).reply(200, { permission: "read" });
    expect(await getPermission(client(), "mona")).toBe("read");
    expect(await getPermission(client(), "mona")).toBe("read");
  });

  test("a failed lookup is not remembered: the event fails, and asking again asks GitHub again", async () => {
    nock(API)
      .get(`${REPO_PATH}/collaborators/mona/permission`)
      .reply(502, { message: "Bad Gateway" })
      .get(`${REPO_PATH}/collaborators/mona/permission`)
      .reply(200, { permission: "admin" });
    const c = client();
    await expect(getPermission(c, "mona")).rejects.toThrow();
    expect(await getPermission(c, "mona")).toBe("admin");
  });

  test.each([
    ["a 404 (not a collaborator of a private repo)", 404, {}, "none"],
    ["triage, which the legacy field reads as read", 200, { permission: "read", role_name: "triage" }, "triage"],
    ["an unknown legacy value", 200, { permission: "weird" }, "none"],
  ])("%s", async (_name, status, body, expected) => {
    nock(API).get(`${REPO_PATH}/collaborators/rex/permission`).reply(status, body);
    expect(await getPermission(client(), "rex")).toBe(expected);
  });
});
