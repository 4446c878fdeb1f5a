import { describe, expect, test } from "@jest/globals";
import { nextLookup, type LookupAnswer } from "../../../src/core/verdict/dependencies.js";

const none: LookupAnswer = { kind: "none" };
const closed = (number: number): LookupAnswer => ({ kind: "found", number, state: "closed" });
const open = (number: number): LookupAnswer => ({ kind: "found", number, state: "open" });

describe("nextLookup: the order in which an id no open issue carries is looked up", () => {
  test.each<[string, string, LookupAnswer[], ReturnType<typeof nextLookup>]>([
    ["an id: first its title", "03a", [], { lookup: { kind: "title-search", id: "03a" } }],
    ["a numeric id: its title first, too", "12", [], { lookup: { kind: "title-search", id: "12" } }],
    [
      "a numeric id no title carries: then the issue number",
      "12",
      [none],
      { lookup: { kind: "issue-number", number: 12 } },
    ],
    ["found by title, closed: done", "03a", [closed(41)], { fact: { id: "03a", state: "done", issue: 41 } }],
    ["found by title, open: still open", "03a", [open(41)], { fact: { id: "03a", state: "open", issue: 41 } }],
    ["found by number, closed: done", "12", [none, closed(12)], { fact: { id: "12", state: "done", issue: 12 } }],
    ["an id nothing carries: missing", "03a", [none], { fact: { id: "03a", state: "missing" } }],
    ["a number that is no issue either: missing", "12", [none, none], { fact: { id: "12", state: "missing" } }],
    // Search has its own rate limit; a failure is "not verified", and the number is not tried instead.
    ["the search failed: unknown, never missing", "12", [{ kind: "failed" }], { fact: { id: "12", state: "unknown" } }],
  ])("%s", (_name, id, answers, expected) => {
    expect(nextLookup(id, answers)).toEqual(expected);
  });
});
