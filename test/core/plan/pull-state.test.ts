import { describe, expect, test } from "@jest/globals";
import { pullNotRead, pullStateOf } from "../../../src/core/plan/pull-state.js";

describe("a PR's standing in the merge plan", () => {
  test.each<[string, ReturnType<typeof pullStateOf>, ReturnType<typeof pullStateOf>]>([
    [
      "past the read limit: not verified, never green",
      pullNotRead(100),
      { state: "unverified", summary: "not read: more than 100 open PRs" },
    ],
    [
      "no check on its head yet: waiting",
      pullStateOf(undefined),
      { state: "waiting", summary: "no merge-captain check on its head yet" },
    ],
    [
      "a green check",
      pullStateOf({ status: "completed", conclusion: "success", title: "Ready to merge", text: null }),
      { state: "green", summary: "Ready to merge" },
    ],
  ])("%s", (_name, got, want) => {
    expect(got).toEqual(want);
  });
});
