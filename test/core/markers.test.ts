import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  criteriaMarker,
  defuseMarkers,
  digestMarker,
  hasCommentSyntax,
  opensWith,
  opensWithMarker,
  PLAN_ISSUE,
  readCriteriaMarker,
  stateMarker,
  trailingDigest,
  trailingInputs,
  trailingState,
  visiblePart,
} from "../../src/core/markers.js";

describe("defuseMarkers: no text can open an HTML comment", () => {
  test.each([
    ["an opener", "a <!-- b", "a <\u200b!-- b"],
    ["a whole forged marker", "<!-- merge-captain:safety x -->", "<\u200b!-- merge-captain:safety x -->"],
    ["an empty comment", "<!---->", "<\u200b!---->"],
    ["a Mermaid arrow, which has nothing to close", "c0 --> c1", "c0 --> c1"],
    ["plain text", "nothing to see", "nothing to see"],
  ])("%s", (_name, input, expected) => {
    expect(defuseMarkers(input)).toBe(expected);
  });

  test("for any text: no comment syntax is left, it reads the same without the breaks, and defusing twice changes nothing", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("<!--", "-->", "--!>", "-", "<", "!", ">")), {
          maxLength: 12,
        }),
        (parts) => {
          const text = parts.join("");
          const out = defuseMarkers(text);
          expect(hasCommentSyntax(out)).toBe(false);
          expect(out.replace(/\u200b/g, "")).toBe(text.replace(/\u200b/g, ""));
          expect(defuseMarkers(out)).toBe(out);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("markers are read only where the bot writes them", () => {
  const state = stateMarker("e30", "A".repeat(43));

  test.each([
    ["on the last line", `text\n\n${state}\n`, 2],
    ["on the last line with trailing spaces", `text\n${state}  \n\n`, 2],
    ["above other text", `${state}\nmore`, undefined],
    ["inside a line", `quote: ${state}`, undefined],
    ["a v1 marker on the last line (read for migration)", "x\n<!-- merge-captain:state v1 e30= -->", 1],
    ["the old issue safety marker (read for migration)", "x\n<!-- merge-captain:safety e30 -->", "safety"],
    ["a state marker not in the bot's form", "x\n<!-- merge-captain:state v2 not-base64! -->", "garbled"],
    ["no marker", "just text", undefined],
  ])("a state marker %s", (_name, body, version) => {
    expect(trailingState(body)?.version).toBe(version);
  });

  test("the sticky marker counts only as the whole first line", () => {
    expect(opensWith("<!-- merge-captain:pr v1 -->\nbody", "pr")).toBe(true);
    expect(opensWith("<!-- merge-captain:pr v1 -->", "pr")).toBe(true);
    expect(opensWith("hi <!-- merge-captain:pr v1 -->", "pr")).toBe(false);
    expect(opensWith("<!-- merge-captain:pr v1 --> and more", "pr")).toBe(false);
    expect(opensWith("<!-- merge-captain:issue -->\n", "pr")).toBe(false);
  });

  test("the visible part is what lies between the two markers", () => {
    expect(visiblePart(`<!-- merge-captain:pr v1 -->\n### hi\n\ntext\n\n${state}\n`, "pr")).toBe("### hi\n\ntext");
    expect(visiblePart("<!-- merge-captain:issue -->\nonly text", "issue")).toBe("only text");
  });

  test("the check run digest counts only on the text's last line", () => {
    const d = digestMarker("0123456789abcdef");
    expect(trailingDigest(`summary\n\n${d}`)).toBe("0123456789abcdef");
    expect(trailingDigest(`${d}\nuser text after it`)).toBeUndefined();
    expect(trailingDigest(`a file named ${d}`)).toBeUndefined();
    expect(trailingDigest(null)).toBeUndefined();
  });

  test("the verdict-inputs key rides on the digest line, and only there", () => {
    const d = digestMarker("0123456789abcdef", "fedcba9876543210");
    expect(d).toBe("<!-- merge-captain:digest 0123456789abcdef inputs fedcba9876543210 -->");
    expect([trailingDigest(`summary\n\n${d}`), trailingInputs(`summary\n\n${d}`)]).toEqual([
      "0123456789abcdef",
      "fedcba9876543210",
    ]);
    expect(trailingInputs(`summary\n\n${digestMarker("0123456789abcdef")}`)).toBeUndefined();
    // A key pasted into user text above the bot's own last line is not the check's key.
    expect(trailingInputs(`${d}\n\n${digestMarker("0123456789abcdef")}`)).toBeUndefined();
  });
});

describe("the merge plan's markers", () => {
  test("the criteria marker round-trips, and counts only as the check text's first line", () => {
    const m = criteriaMarker({ fail: ["depends-on"], pending: [], unverified: ["scope"] });
    expect(readCriteriaMarker(`${m}\n\ndetails`)).toEqual({ fail: ["depends-on"], pending: [], unverified: ["scope"] });
    expect(readCriteriaMarker(`details\n${m}`)).toBeUndefined();
    expect(readCriteriaMarker(`user text ${m}`)).toBeUndefined();
    expect(readCriteriaMarker("<!-- merge-captain:criteria v1 fail=Evil pending= unverified= -->")).toBeUndefined();
  });

  test("ids that are not ours never make it into the marker", () => {
    expect(criteriaMarker({ fail: ["ok-id", "--> hi", "UPPER"], pending: [], unverified: [] })).toBe(
      "<!-- merge-captain:criteria v1 fail=ok-id pending= unverified= -->",
    );
  });

  test("the plan issue opens with its marker as the whole first line", () => {
    expect(opensWithMarker(`${PLAN_ISSUE}\n## plan`, PLAN_ISSUE)).toBe(true);
    expect(opensWithMarker(`${PLAN_ISSUE} and more`, PLAN_ISSUE)).toBe(false);
  });
});
