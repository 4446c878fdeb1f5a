import { describe, expect, test } from "@jest/globals";
import { titleCriterion } from "../../../src/core/verdict/criteria/title.js";
import type { PullFacts } from "../../../src/core/verdict/types.js";

/** The title criterion reads nothing but the title. */
const titled = (title: string) => ({ pr: { number: 1, headSha: "a".repeat(40), draft: false, title } }) as PullFacts;

describe("the title criterion: a warning when the title says the work is unfinished", () => {
  test.each([
    ["WIP: fused all-gather", "warn", "the title says `WIP`"],
    ["[WIP] fused all-gather", "warn", "the title says `WIP`"],
    ["wip router cache", "warn", "the title says `wip`"],
    ["Router cache (do not merge)", "warn", "the title says `do not merge`"],
    ["DO-NOT-MERGE: experiment", "warn", "the title says `DO-NOT-MERGE`"],
    ["DNM: experiment", "warn", "the title says `DNM`"],
    ["Fused all-gather", "pass", "does not say it is unfinished"],
    // Words that merely contain the letters are not a marker.
    ["Wipe the cache on reload", "pass", "does not say it is unfinished"],
    ["Do not merge duplicate gate ids", "warn", "the title says `Do not merge`"],
  ])("%s → %s", (title, status, summary) => {
    expect(titleCriterion.evaluate(titled(title))).toMatchObject({ status, summary });
  });
});
