import { expect, test } from "@jest/globals";
import { labelNames } from "../../src/github/labels.js";

test.each([
  [
    "webhook label objects",
    [{ name: "contract: valid" }, { name: "public-safety" }],
    ["contract: valid", "public-safety"],
  ],
  ["plain strings (some endpoints)", ["bug", "help wanted"], ["bug", "help wanted"]],
  ["blanks, nulls and nameless objects dropped", [{ name: "" }, null, {}, { name: null }, "x"], ["x"]],
  ["no labels at all", undefined, []],
])("labelNames: %s", (_name, labels, names) => {
  expect(labelNames(labels)).toEqual(names);
});
