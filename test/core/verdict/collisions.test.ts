import { expect, test } from "@jest/globals";
import { hotspotCollisions } from "../../../src/core/verdict/collisions.js";

test.each([
  ["no hotspots of our own", [], [{ pr: 3, hotspots: ["a.py"] }], []],
  [
    "another PR names the same file",
    ["a.py", "b.py"],
    [
      { pr: 3, hotspots: ["a.py"] },
      { pr: 4, hotspots: ["c.py"] },
    ],
    [{ path: "a.py", prs: [3] }],
  ],
  [
    "several PRs share one file",
    ["a.py"],
    [
      { pr: 3, hotspots: ["a.py"] },
      { pr: 5, hotspots: ["x", "a.py"] },
    ],
    [{ path: "a.py", prs: [3, 5] }],
  ],
])("%s", (_name, mine, others, expected) => {
  expect(hotspotCollisions(mine, others)).toEqual(expected);
});
