import { describe, expect, test } from "@jest/globals";
import {
  decideHeartbeat,
  isUpdate,
  latestUpdate,
  ownersOf,
  remindedFor,
  type HeartbeatInput,
  type ThreadComment,
} from "../../../src/core/experiment/heartbeat.js";

const T0 = "2026-01-05T09:00:00Z";
const h = (hours: number) => new Date(Date.parse(T0) + hours * 3_600_000);
const iso = (hours: number) =>
  h(hours)
    .toISOString()
    .replace(/\.000Z$/, "Z");

const comment = (over: Partial<ThreadComment>): ThreadComment => ({
  id: 1,
  at: iso(1),
  login: "ada",
  bot: false,
  ours: false,
  ...over,
});

describe("who owns the thread, and which comments are updates", () => {
  test("the author and the assignees, case-insensitive, once each", () => {
    expect(ownersOf({ author: "Ada", assignees: ["lab-agent[bot]", "ada"] })).toEqual(["ada", "lab-agent[bot]"]);
  });

  const owners = ["ada", "lab-agent[bot]"];
  test.each<[string, Partial<ThreadComment>, "owners" | "humans", boolean]>([
    ["the author", { login: "ADA" }, "owners", true],
    ["an owning agent App (a bot)", { login: "lab-agent[bot]", bot: true }, "owners", true],
    ["a human who is not an owner", { login: "bob" }, "owners", false],
    ["… unless any human counts", { login: "bob" }, "humans", true],
    ["a bot that is not an owner, even with humans", { login: "renovate[bot]", bot: true }, "humans", false],
    ["this App, even were it an owner", { login: "lab-agent[bot]", bot: true, ours: true }, "humans", false],
  ])("%s → %p", (_name, over, from, want) => {
    expect(isUpdate(comment(over), owners, from)).toBe(want);
  });

  test("the newest update wins: the opening, the remembered one, or a later comment", () => {
    const opened = { at: iso(0), by: "ada" };
    const comments = [
      comment({ id: 2, at: iso(3), login: "bob" }),
      comment({ id: 3, at: iso(2), login: "ada" }),
      comment({ id: 4, at: iso(4), ours: true, login: "merge-captain[bot]", bot: true }),
    ];
    expect(latestUpdate(opened, comments, ["ada"], "owners")).toEqual({ at: iso(2), by: "ada" });
    expect(latestUpdate(opened, comments, ["ada"], "owners", { at: iso(2.5), by: "ada" })).toEqual({
      at: iso(2.5),
      by: "ada",
    });
    expect(latestUpdate(opened, comments, ["ada"], "humans")).toEqual({ at: iso(3), by: "bob" });
    expect(latestUpdate(opened, [], ["ada"], "owners")).toEqual(opened);
  });

  test("only our own reminders count as reminders, and only for this gap or later", () => {
    const c = [
      comment({ id: 5, ours: true, reminderFor: iso(0) }),
      comment({ id: 6, ours: false, reminderFor: iso(7) }), // a pasted marker
      comment({ id: 7, ours: true, reminderFor: iso(6) }),
    ];
    expect(remindedFor(c, iso(6))).toBe(iso(6));
    expect(remindedFor(c, iso(0))).toBe(iso(6));
    expect(remindedFor(c, iso(6.5))).toBeUndefined();
  });
});

describe("decideHeartbeat", () => {
  const base: HeartbeatInput = {
    lastUpdate: { at: T0, by: "ada" },
    reminded: undefined,
    staleLabel: false,
    cadenceHours: 6,
    now: h(1),
  };
  test.each<[string, Partial<HeartbeatInput>, string, boolean]>([
    ["1 h after the last update: nothing", {}, "none", false],
    ["5 h 59: nothing yet", { now: h(6 - 1 / 60) }, "none", false],
    ["6 h, silent: remind", { now: h(6) }, "remind", true],
    ["6 h, already reminded for this gap: nothing", { now: h(6), reminded: T0 }, "none", true],
    ["12 h, silent, reminded at 6 h: still one per gap", { now: h(12), reminded: T0, staleLabel: true }, "none", true],
    [
      "a reminder for an older gap does not count",
      { now: h(12), lastUpdate: { at: iso(5), by: "ada" }, reminded: T0 },
      "remind",
      true,
    ],
    [
      "an update after the reminder: clear the label",
      { now: h(8), lastUpdate: { at: iso(7), by: "ada" }, staleLabel: true },
      "clear",
      false,
    ],
    ["a stale label a person removed stays removed in the same gap", { now: h(9), reminded: T0 }, "none", true],
    ["a cadence of 3 h from the contract", { now: h(3), cadenceHours: 3 }, "remind", true],
    [
      "no heartbeat (cadence 0), a leftover label is cleared",
      { now: h(99), cadenceHours: 0, staleLabel: true },
      "clear",
      false,
    ],
  ])("%s", (_name, over, action, overdue) => {
    const d = decideHeartbeat({ ...base, ...over });
    expect({ action: d.action, overdue: d.overdue }).toEqual({ action, overdue });
  });

  test("the next update is due one cadence after the last", () => {
    expect(decideHeartbeat(base).dueAt).toBe(iso(6));
    expect(decideHeartbeat({ ...base, cadenceHours: 0 }).dueAt).toBeUndefined();
  });
});
