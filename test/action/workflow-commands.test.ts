import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { annotation, commandsOff, escapeData, formatOutputs, getInput } from "../../src/action/workflow-commands.js";

describe("getInput", () => {
  test.each([
    ["head-sha", { "INPUT_HEAD-SHA": " abc \n" }, "abc"],
    ["log dir", { INPUT_LOG_DIR: "/var/log" }, "/var/log"],
    ["registry", {}, ""],
  ])("%s", (name, env, expected) => {
    expect(getInput(env, name)).toBe(expected);
  });
});

describe("annotations cannot be broken out of", () => {
  test("a newline in a message cannot start a second command", () => {
    expect(annotation("error", "bad\n::add-mask::x 100%")).toBe("::error::bad%0A::add-mask::x 100%25\n");
  });
  test("escaped data never contains a raw line break", () => {
    fc.assert(fc.property(fc.string(), (s) => !/[\r\n]/.test(escapeData(s))));
  });
});

describe("formatOutputs", () => {
  test("each value sits between a delimiter line that does not occur in it", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z-]{1,10}$/), fc.string()), (outputs) => {
        const text = formatOutputs(outputs);
        for (const [name, value] of Object.entries(outputs)) {
          const m = new RegExp(`^${name}<<(ghadelimiter_[0-9a-f]{16})$`, "m").exec(text);
          expect(m).not.toBeNull();
          expect(value).not.toContain(m![1]);
          expect(text).toContain(`${name}<<${m![1]}\n${value}\n${m![1]}\n`);
        }
      }),
    );
  });
});

describe("commandsOff", () => {
  test("a fresh token each time, resumed by exactly that token", () => {
    const a = commandsOff();
    const b = commandsOff();
    expect(a.off).toMatch(/^::stop-commands::merge-captain-[0-9a-f]{32}\n$/);
    expect(a.on).toBe(`::${a.off.slice("::stop-commands::".length, -1)}::\n`);
    expect(a.off).not.toBe(b.off);
  });
});
