import { describe, expect, test } from "@jest/globals";
import { emptyLedger, type Ledger } from "../../../src/core/ledger/types.js";
import {
  decideCommander,
  hasWrite,
  isBotAccount,
  type CommanderFacts,
  type Permission,
} from "../../../src/core/trust/commander.js";
import { decideRefusalReply } from "../../../src/core/trust/explain-once.js";

const human = (over: Partial<CommanderFacts> = {}): CommanderFacts => ({
  bot: false,
  permission: "read",
  listed: false,
  teamMember: undefined,
  ...over,
});

describe("who may command the bot", () => {
  test.each<[string, CommanderFacts, ReturnType<typeof decideCommander>]>([
    ["an admin", human({ permission: "admin" }), { allowed: true, via: "permission" }],
    ["a maintainer", human({ permission: "maintain" }), { allowed: true, via: "permission" }],
    ["a writer", human({ permission: "write" }), { allowed: true, via: "permission" }],
    ["a triage user", human({ permission: "triage" }), { allowed: false, reason: "no-permission" }],
    ["a reader", human({ permission: "read" }), { allowed: false, reason: "no-permission" }],
    ["a stranger", human({ permission: "none" }), { allowed: false, reason: "no-permission" }],
    ["a reader the config lists", human({ listed: true }), { allowed: true, via: "listed" }],
    ["a reader in a configured team", human({ teamMember: true }), { allowed: true, via: "team" }],
    ["a reader not in any configured team", human({ teamMember: false }), { allowed: false, reason: "no-permission" }],
    ["a bot, whatever its permission", human({ bot: true, permission: "admin" }), { allowed: false, reason: "bot" }],
    ["a bot the config lists", human({ bot: true, listed: true }), { allowed: false, reason: "bot" }],
  ])("%s", (_name, facts, decision) => {
    expect(decideCommander(facts)).toEqual(decision);
  });

  test.each<[Permission, boolean]>([
    ["admin", true],
    ["maintain", true],
    ["write", true],
    ["triage", false],
    ["read", false],
    ["none", false],
  ])("%s has write: %s", (p, w) => {
    expect(hasWrite(p)).toBe(w);
  });

  test.each([
    [{ login: "renovate[bot]", type: "Bot" }, true],
    [{ login: "dependabot[bot]" }, true],
    [{ login: "octocat", type: "User" }, false],
    [{ login: "sneaky", type: "Bot" }, true],
  ])("isBotAccount(%j) is %s", (user, bot) => {
    expect(isBotAccount(user)).toBe(bot);
  });
});

describe("someone who may not command the bot gets one reply per PR, whatever they post", () => {
  const told = (...logins: string[]): Ledger => ({ ...emptyLedger(), refused: logins });
  test.each<[string, Ledger, string, boolean, string, Partial<Ledger>]>([
    ["a first command is explained", emptyLedger(), "Rex", false, "explain", { refused: ["rex"] }],
    [
      "a first /help is answered with the command list",
      emptyLedger(),
      "rex",
      true,
      "help",
      { refused: ["rex"], helped: true },
    ],
    [
      "/help once answered here is not repeated for another outsider",
      { ...emptyLedger(), helped: true },
      "ada",
      true,
      "explain",
      { refused: ["ada"], helped: true },
    ],
    [
      "anything after the reply is silent (logins compare case-insensitively)",
      told("rex"),
      "REX",
      false,
      "silent",
      { refused: ["rex"] },
    ],
    ["a /help after the reply is silent too", told("rex"), "rex", true, "silent", { refused: ["rex"] }],
    ["another person still gets their one reply", told("rex"), "ada", false, "explain", { refused: ["rex", "ada"] }],
  ])("%s", (_name, ledger, login, help, reply, after) => {
    const outcome = decideRefusalReply(ledger, login, help);
    expect(outcome.reply.kind).toBe(reply);
    expect(outcome.ledger).toMatchObject(after);
  });

  test("the list is bounded: the oldest are forgotten first", () => {
    let ledger = emptyLedger();
    for (let i = 0; i < 40; i++) ledger = decideRefusalReply(ledger, `user${i}`, false).ledger;
    expect(ledger.refused).toHaveLength(30);
    expect(ledger.refused![0]).toBe("user10");
  });
});
