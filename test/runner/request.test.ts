import { describe, expect, test } from "@jest/globals";
import { FLAGS as CLI } from "../../src/cli/commands/gates-run.js";
import { checkRequest, type RawRequest } from "../../src/runner/request.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const base: RawRequest = { registry: "gates.toml", bundle: "smoke" };

describe("checkRequest: one message naming the field and the fix", () => {
  test.each<[string, RawRequest, string]>([
    ["no registry", { bundle: "x" }, "--registry is required"],
    ["two selections", { ...base, tier: "a" }, "give exactly one of --bundle, --gate or --tier"],
    ["no selection", { registry: "g.toml", bundle: "", gates: [""] }, "give exactly one of --bundle, --gate or --tier"],
    ["single without a gate", { registry: "g.toml", bundle: "single" }, "--bundle `single` needs --gate"],
    ["a bad tier", { registry: "g.toml", tier: "c" }, '--tier must be a or b, not "c"'],
    [
      "a SHA alone",
      { ...base, headSha: SHA },
      "--head-sha and --dispatch-id go together (both bind the results to one dispatch)",
    ],
    [
      "a short SHA",
      { ...base, headSha: "0123456", dispatchId: "dsp-12345678" },
      "--head-sha must be a full 40-character lowercase hex SHA",
    ],
    [
      "a bad dispatch id",
      { ...base, headSha: SHA, dispatchId: "../../x" },
      "--dispatch-id must be 8–64 letters, digits or dashes",
    ],
    [
      "two baselines",
      { ...base, baselineWorktree: "b", baselineValue: "10" },
      "give --baseline-worktree or --baseline-value, not both",
    ],
    ["a zero baseline", { ...base, baselineValue: "0" }, "--baseline-value must be a positive number"],
    [
      "a budget in words",
      { ...base, budget: "ten" },
      "--budget must be a number of percent between -100 and 1000 (e.g. -10)",
    ],
    ["a long baseline ref", { ...base, baselineRef: "r".repeat(129) }, "--baseline-ref is longer than 128 characters"],
    [
      "a log file and a log dir",
      { ...base, logFile: "a.log", logDir: "/var/log" },
      "give --log-file or --log-dir, not both",
    ],
    [
      "a relative log dir",
      { ...base, logDir: "logs" },
      "--log-dir must be an absolute directory on the runner (outside the checkout)",
    ],
  ])("%s", (_name, raw, message) => {
    expect(checkRequest(raw, "/work/repo", CLI)).toEqual({ ok: false, message });
  });

  test("the action's names appear in the action's messages", () => {
    const names = { ...CLI, headSha: "head-sha", dispatchId: "dispatch-id" };
    expect(checkRequest({ ...base, headSha: SHA }, "/", names)).toEqual({
      ok: false,
      message: "head-sha and dispatch-id go together (both bind the results to one dispatch)",
    });
  });
});

describe("checkRequest: a good request", () => {
  test("paths resolve against the working directory; empty strings are absent", () => {
    const r = checkRequest(
      {
        registry: "gates.toml",
        bundle: "smoke",
        gates: [],
        tier: "",
        out: "out/results.json",
        headSha: SHA,
        dispatchId: "dsp-12345678",
        baselineWorktree: ".tier-b-baseline",
        baselineRef: "origin/main",
        budget: "-10",
        logDir: "/var/log/tier-b",
      },
      "/work/repo",
      CLI,
    );
    expect(r).toEqual({
      ok: true,
      value: {
        registry: "/work/repo/gates.toml",
        select: { bundle: "smoke" },
        out: "/work/repo/out/results.json",
        headSha: SHA,
        dispatchId: "dsp-12345678",
        baseline: { kind: "worktree", dir: "/work/repo/.tier-b-baseline" },
        baselineRef: "origin/main",
        budgetPct: -10,
        repoDir: "/work/repo",
        logFile: "/var/log/tier-b/tier-b-dsp-12345678.log",
      },
    });
  });

  test("`single` with a gate is a gate selection, as a Tier-B dispatch sends it", () => {
    const r = checkRequest({ registry: "g.toml", bundle: "single", gates: ["b200:x"] }, "/", CLI);
    expect(r).toMatchObject({ ok: true, value: { select: { gates: ["b200:x"] } } });
  });
});
