import { describe, expect, test } from "@jest/globals";
import { groupMembers, parseQueueRef, type GroupCommit } from "../../../src/core/queue/members.js";
import { narrow } from "../../support/narrow.js";

const sha = (c: string) => c.repeat(40).slice(0, 40);

describe("parseQueueRef", () => {
  test.each([
    [
      "GitHub's merge_group head_ref",
      `refs/heads/gh-readonly-queue/main/pr-104-${sha("9")}`,
      { baseBranch: "main", lastPr: 104 },
    ],
    [
      "a base branch with slashes",
      `refs/heads/gh-readonly-queue/release/2.0/pr-7-${sha("a")}`,
      { baseBranch: "release/2.0", lastPr: 7 },
    ],
    ["without refs/heads/ (push events)", `gh-readonly-queue/main/pr-3-${sha("b")}`, { baseBranch: "main", lastPr: 3 }],
    ["a normal branch", "refs/heads/issue/07-router", undefined],
    ["no SHA", "refs/heads/gh-readonly-queue/main/pr-3", undefined],
    ["PR number 0", `refs/heads/gh-readonly-queue/main/pr-0-${sha("b")}`, undefined],
    ["an upper-case SHA (GitHub writes lower case)", `refs/heads/gh-readonly-queue/main/pr-3-${sha("B")}`, undefined],
    ["absurdly long", `refs/heads/gh-readonly-queue/${"x/".repeat(300)}pr-3-${sha("b")}`, undefined],
  ])("%s", (_name, ref, expected) => {
    expect(parseQueueRef(ref)).toEqual(expected);
  });
});

const ref = { baseBranch: "main", lastPr: 5 };
const candidates = [
  { number: 3, headSha: sha("3") },
  { number: 4, headSha: sha("4") },
  { number: 5, headSha: sha("5") },
  { number: 9, headSha: sha("9") },
];
const commit = (s: string, message: string, parents: string[]): GroupCommit => ({ sha: s, message, parents });
const BASE = sha("0");

describe("groupMembers", () => {
  test.each<[string, string, GroupCommit[], { pr: number; sha: string }[], number[]]>([
    [
      "merge method: the chain of GitHub's merge commits, each with the PR head as its second parent",
      sha("e"),
      // Chronological, as the compare API lists them: the PRs' own commits are older than the queue's.
      [
        commit(sha("4"), "Kernel", [BASE]),
        commit(sha("3"), "Router cache", [BASE]),
        commit(sha("c"), "Merge pull request #3 from acme/issue/03-cache\n\nRouter cache", [BASE, sha("3")]),
        commit(sha("d"), "Merge pull request #4 from acme/issue/04-kernel", [sha("c"), sha("4")]),
        commit(sha("5"), "Docs", [BASE]),
        commit(sha("e"), "Merge pull request #5 from acme/issue/05-docs", [sha("d"), sha("5")]),
      ],
      [],
      [3, 4, 5],
    ],
    [
      "squash method: one commit per PR whose title ends with (#N)",
      sha("d"),
      [commit(sha("c"), "Router cache (#4)", [BASE]), commit(sha("d"), "Docs (#5)\n\nbody", [sha("c")])],
      [],
      [4, 5],
    ],
    [
      "rebase method: the PRs' own messages, each entry found by its queue ref",
      sha("f"),
      [
        commit(sha("1"), "first half", [BASE]),
        commit(sha("2"), "second half", [sha("1")]),
        commit(sha("f"), "docs", [sha("2")]),
      ],
      [
        { pr: 3, sha: sha("2") },
        { pr: 5, sha: sha("f") },
      ],
      [3, 5],
    ],
    [
      "a squash title quoting a PR that is not open does not add it",
      sha("d"),
      [commit(sha("c"), "Revert of (#77)", [BASE]), commit(sha("d"), "Docs (#5)", [sha("c")])],
      [],
      [5],
    ],
    [
      "commits off the first-parent chain (a PR's own history) do not reorder the queue",
      sha("e"),
      [
        commit(sha("a"), "Merge pull request #9 from acme/old (merged into the PR branch)", [BASE, sha("9")]),
        commit(sha("4"), "Kernel", [sha("a")]),
        commit(sha("d"), "Merge pull request #4 from acme/issue/04-kernel", [BASE, sha("4")]),
        commit(sha("e"), "Docs (#5)", [sha("d")]),
      ],
      [],
      [4, 5],
    ],
    [
      "the ref's PR is last even when no commit names it",
      sha("c"),
      [commit(sha("c"), "Router cache (#9)", [BASE])],
      [],
      [9, 5],
    ],
    ["an empty range is the ref's PR alone", sha("c"), [], [], [5]],
  ])("%s", (_name, headSha, commits, queueRefs, prs) => {
    expect(groupMembers({ ref, headSha, commits, truncated: false, queueRefs, candidates })).toEqual({ ok: true, prs });
  });

  test("a range the compare API cut short is 'cannot tell', never a shorter group", () => {
    const r = groupMembers({
      ref,
      headSha: sha("5"),
      commits: [commit(sha("5"), "x", [])],
      truncated: true,
      queueRefs: [],
      candidates,
    });
    expect(narrow(r, "ok", false).problem.code).toBe("queue.too-many-commits");
  });
});
