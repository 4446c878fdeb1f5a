import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { parseBranchId } from "../../../src/core/linking/branch.js";
import { parseClosingRefs } from "../../../src/core/linking/closing-refs.js";
import { linkContract, type LinkFacts, type OpenIssue } from "../../../src/core/linking/link.js";

const REPO = "noumena/nmoe";

describe("parseClosingRefs", () => {
  test.each<[string, string, number[]]>([
    ["Fixes #12", "Fixes #12", [12]],
    [
      "every keyword, any case",
      "close #1 closes #2 CLOSED #3 fix #4 Fixes #5 fixed #6 resolve #7 Resolves #8 resolved #9",
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    ],
    ["a colon after the keyword", "Fixes: #12", [12]],
    ["the same repo by name", "Closes noumena/nmoe#7", [7]],
    ["the same repo, other case", "Closes Noumena/NMOE#7", [7]],
    ["the same repo by URL", "Resolves https://github.com/noumena/nmoe/issues/9", [9]],
    ["another repo", "Fixes other/repo#3 and fixes https://github.com/other/repo/issues/4", []],
    ["repeats counted once", "Fixes #3. Also fixes #3.", [3]],
    ["a reference with no keyword", "See #12, related to #13", []],
    ["a keyword inside a word", "prefixes #12 and unresolved #13", []],
    ["a number glued to letters", "Fixes #12abc", []],
    ["the template's empty link", "## Links\n- Fixes: #\n", []],
    ["inside a code fence", "```\nFixes #1\n```\nFixes #2", [2]],
    ["inside a tilde fence", "~~~md\nFixes #1\n~~~\n", []],
    ["inside inline code", "Write `Fixes #1` to link; this one fixes #2", [2]],
    ["inside double-backtick code", "``Fixes #1 ` `` fixes #2", [2]],
    ["inside an HTML comment", "<!-- Fixes #1 -->\nFixes #2", [2]],
    ["after an unclosed HTML comment", "Fixes #2 <!-- Fixes #1", [2]],
    ["a lone backtick does not hide the rest", "it's a ` tick. Fixes #4", [4]],
    ["CRLF line endings", "Summary\r\nFixes #5\r\n", [5]],
  ])("%s", (_name, body, expected) => {
    expect(parseClosingRefs(body, REPO)).toEqual(expected);
  });

  test("no body", () => {
    expect(parseClosingRefs(null, REPO)).toEqual([]);
  });

  const prose = fc.string({ maxLength: 200 }).filter((s) => !/[`<~#]/.test(s));

  test("property: never throws, and finds a ref embedded in arbitrary prose", () => {
    fc.assert(
      fc.property(
        prose,
        prose,
        fc.integer({ min: 1, max: 99999 }),
        fc.constantFrom("Fixes", "closes", "RESOLVED", "fix:"),
        (before, after, n, keyword) => {
          const refs = parseClosingRefs(`${before}\n${keyword} #${n}\n${after}`, REPO);
          expect(refs).toContain(n);
        },
      ),
    );
  });

  test("property: never throws on any input", () => {
    fc.assert(
      fc.property(
        fc.string({
          maxLength: 500,
          unit: fc.constantFrom("`", "<", "!", "-", ">", "#", "1", "F", "i", "x", "e", "s", " ", "\n", "~", "/"),
        }),
        (body) => {
          expect(Array.isArray(parseClosingRefs(body, REPO))).toBe(true);
        },
      ),
    );
  });
});

describe("parseBranchId", () => {
  test.each<[string, string | undefined]>([
    ["issue/03a-attention", "03a"],
    ["refs/heads/issue/07-fused-allgather", "07"],
    ["issue/12", "12"],
    ["issue/03a-multi-word-slug", "03a"],
    ["feature/03a-attention", undefined],
    ["issue/", undefined],
    ["my-issue/03a-x", undefined],
  ])("%s → %s", (ref, expected) => {
    expect(parseBranchId(ref)).toBe(expected);
  });
});

describe("linkContract", () => {
  const open: OpenIssue[] = [
    { number: 12, title: "[07] Fused all-gather", contractId: "07" },
    { number: 14, title: "[03a] Attention", contractId: "03a" },
    { number: 15, title: "[03b] Attention, part two" },
    { number: 16, title: "Untitled" },
  ];
  const facts = (over: Partial<LinkFacts>): LinkFacts => ({
    body: "",
    repoFullName: REPO,
    attestationIssue: undefined,
    branch: undefined,
    openIssues: open,
    ...over,
  });

  test.each<[string, Partial<LinkFacts>, number, string]>([
    ["a closing keyword alone", { body: "Fixes #12" }, 12, "closing-keyword"],
    ["a closing keyword for an issue not in the open list", { body: "Fixes #99" }, 99, "closing-keyword"],
    ["the attestation id alone", { attestationIssue: "7" }, 12, "attestation"],
    ["the attestation id through the title prefix", { attestationIssue: "03b" }, 15, "attestation"],
    ["the branch alone", { branch: "issue/03a-attention" }, 14, "branch"],
    [
      "all three agree",
      { body: "Closes #14", attestationIssue: "03a", branch: "issue/03A-attention" },
      14,
      "closing-keyword",
    ],
    ["attestation and branch agree", { attestationIssue: "07", branch: "issue/07-x" }, 12, "attestation"],
    [
      "a closing keyword for an unlisted issue and an attestation id no open issue carries",
      { body: "Fixes #99", attestationIssue: "42" },
      99,
      "closing-keyword",
    ],
  ])("%s", (_name, over, issue, via) => {
    expect(linkContract(facts(over))).toMatchObject({ ok: true, issue, via });
  });

  test.each<[string, Partial<LinkFacts>, string, RegExp]>([
    [
      "nothing to go on",
      {},
      "link.not-found",
      /no closing keyword, no attestation `issue` and no `issue\/<id>-<slug>` branch/,
    ],
    [
      "an attestation id no open issue carries",
      { attestationIssue: "42" },
      "link.not-found",
      /the attestation's `issue: 42` matches no open issue/,
    ],
    ["two closing keywords", { body: "Fixes #12\nCloses #14" }, "link.ambiguous-closing", /closes #12 and #14/],
    [
      "closing keyword and attestation disagree",
      { body: "Fixes #12", attestationIssue: "03a" },
      "link.disagree",
      /closing keyword for #12 → #12; the attestation's `issue: 03a` → #14/,
    ],
    [
      "attestation and branch disagree",
      { attestationIssue: "07", branch: "issue/03a-attention" },
      "link.disagree",
      /`issue: 07` → #12; the branch `issue\/03a-attention` \(id 03a\) → #14/,
    ],
    [
      "the linked issue carries another id than the attestation's",
      { body: "Fixes #12", attestationIssue: "42" },
      "link.disagree",
      /`issue: 42` → no open issue/,
    ],
    [
      "two open issues carry the same id",
      { attestationIssue: "07", openIssues: [...open, { number: 20, title: "[07] copy", contractId: "07" }] },
      "link.duplicate-id",
      /#12 and #20/,
    ],
  ])("%s", (_name, over, code, message) => {
    const r = linkContract(facts(over));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.code).toBe(code);
    expect(r.problem.message).toMatch(message);
    expect(r.problem.hint).toBeTruthy();
  });

  test("sources say what each route pointed at", () => {
    const r = linkContract(facts({ body: "Fixes #14", attestationIssue: "03a", branch: "issue/03a-x" }));
    expect(r.sources.map((s) => [s.via, s.issue])).toEqual([
      ["closing-keyword", 14],
      ["attestation", 14],
      ["branch", 14],
    ]);
  });
});
