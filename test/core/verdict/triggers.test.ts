import { describe, expect, test } from "@jest/globals";
import { CRITERIA, touches } from "../../../src/core/verdict/evaluate.js";
import { ALL_TRIGGERS, pullRequestTriggers, type PullRequestEvent } from "../../../src/core/verdict/triggers.js";
import type { Criterion, Trigger } from "../../../src/core/verdict/types.js";

const from = { from: "old" };

describe("pullRequestTriggers: what a pull_request event can have changed", () => {
  test.each<[string, PullRequestEvent, readonly Trigger[]]>([
    ["opened", { action: "opened" }, ALL_TRIGGERS],
    ["reopened", { action: "reopened" }, ALL_TRIGGERS],
    ["ready_for_review", { action: "ready_for_review" }, ALL_TRIGGERS],
    ["a push", { action: "synchronize" }, ["pr.head"]],
    [
      "a body edit (it may link another contract)",
      { action: "edited", changes: { body: from } },
      ["pr.body", "contract"],
    ],
    ["a title edit", { action: "edited", changes: { title: from } }, ["pr.title"]],
    ["a retarget", { action: "edited", changes: { base: { ref: from } } }, ["pr.base"]],
    [
      "title and body at once",
      { action: "edited", changes: { title: from, body: from } },
      ["pr.body", "contract", "pr.title"],
    ],
    ["an edit GitHub sent no changes for", { action: "edited" }, []],
  ])("%s", (_name, event, expected) => {
    expect(pullRequestTriggers(event)).toEqual(expected);
  });
});

/** A criterion for the table below that reads only what `triggers` says. */
function reading(...triggers: Trigger[]): Criterion {
  return {
    id: "probe",
    title: "Probe",
    triggers,
    evaluate: () => ({ id: "probe", title: "Probe", status: "pass", summary: "", details: [] }),
  };
}

describe("touches: does the event concern any criterion?", () => {
  test.each<[string, PullRequestEvent, boolean]>([
    ["opened", { action: "opened" }, true],
    ["a push", { action: "synchronize" }, true],
    ["a body edit", { action: "edited", changes: { body: from } }, true],
    ["a retarget", { action: "edited", changes: { base: { ref: from } } }, true],
    // No criterion reads the title, so a title-only edit costs no API call at all.
    ["a title-only edit", { action: "edited", changes: { title: from } }, false],
  ])("with today's criteria: %s → %s", (_name, event, expected) => {
    expect(touches(pullRequestTriggers(event))).toBe(expected);
  });

  test("a criterion that reads the title makes a title edit count, with no change in the handler", () => {
    const titleEdit = pullRequestTriggers({ action: "edited", changes: { title: from } });
    expect(touches(titleEdit, [...CRITERIA, reading("pr.title")])).toBe(true);
    expect(touches(titleEdit, [reading("pr.body", "pr.head")])).toBe(false);
  });

  test("every criterion declares what it reads (one that declares nothing would never be re-evaluated)", () => {
    expect(CRITERIA.filter((c) => c.triggers.length === 0).map((c) => c.id)).toEqual([]);
  });
});
