import { describe, expect, test } from "@jest/globals";
import {
  cancelReply,
  dispatchRefusedReply,
  duplicateReply,
  unconfirmedDispatchReply,
} from "../../../src/core/tierb/replies.js";
import { aDispatch } from "../../fixtures/tierb/builders.js";

describe("the replies to /tier-b and /tier-b cancel", () => {
  const queued = aDispatch({ state: "queued" });
  const running = aDispatch({ state: "in_progress" });
  test.each([
    ["nothing queued or running", [], [], "Nothing to cancel: no Tier-B run on this PR is queued."],
    ["one queued", [queued], [], "Cancelled 1 queued Tier-B run."],
    [
      "two queued, one running",
      [queued, queued],
      [running],
      "Cancelled 2 queued Tier-B runs. 1 already running is not stopped.",
    ],
    ["only running ones", [], [running, running], "Cancelled 0 queued Tier-B runs. 2 already running are not stopped."],
  ])("cancel: %s", (_name, cancel, stillRunning, text) => {
    expect(cancelReply({ cancel, running: stillRunning })).toBe(text);
  });

  test.each([
    [
      "queued, no run yet",
      aDispatch({ state: "queued", bundle: "smoke" }),
      /^Tier-B `smoke` on `[0-9a-f]{7}` is already queued\.$/,
    ],
    [
      "running, with its run",
      aDispatch({
        state: "in_progress",
        bundle: "single",
        singleGate: "b200:x",
        runUrl: "https://github.com/o/r/actions/runs/9",
      }),
      /^Tier-B `single b200:x` on `[0-9a-f]{7}` is already running \(run https:\/\/github\.com\/o\/r\/actions\/runs\/9\)\.$/,
    ],
  ])("duplicate: %s", (_name, d, text) => {
    expect(duplicateReply(d)).toMatch(text);
  });

  test.each([
    [502, "⚠️ GitHub did not confirm the Tier-B dispatch (HTTP 502)."],
    [undefined, "⚠️ GitHub did not confirm the Tier-B dispatch. If"],
  ])("an unconfirmed dispatch (HTTP %s) says so and how to recover", (status, start) => {
    expect(unconfirmedDispatchReply(status)).toContain(start);
    expect(unconfirmedDispatchReply(status)).toContain("`/tier-b cancel` and ask again");
  });

  test("a refused dispatch names the workflow and the status", () => {
    expect(dispatchRefusedReply("tier-b.yml", 422)).toMatch(
      /^😕 GitHub refused to start the Tier-B workflow `tier-b.yml` \(HTTP 422\)\./,
    );
  });
});
