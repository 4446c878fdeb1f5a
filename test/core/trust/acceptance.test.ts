import { describe, expect, test } from "@jest/globals";
import { readContract } from "../../../src/core/contract/read.js";
import { emptyLedger, type Ledger } from "../../../src/core/ledger/types.js";
import type { Contract } from "../../../src/core/schemas/contract.generated.js";
import {
  acceptedByWriteUser,
  contractAuthority,
  contractHash,
  recordIssueEvent,
  type Actor,
  type AuthorityInput,
  type IssueEvent,
} from "../../../src/core/trust/acceptance.js";
import { aContract, fence, formBody, HEADING, toYaml } from "../contract/builders.js";

function parsed(yaml: string): Contract {
  const r = readContract(formBody([[HEADING, fence(yaml)]]), { heading: HEADING, headerKey: "nmoe", allIssues: false });
  if (r.status !== "valid") throw new Error("expected a valid contract");
  return r.contract;
}

describe("the contract's hash names its meaning, not its text", () => {
  const base = toYaml(aContract());
  test.each([
    ["re-indented and with comments", base.replace(/^/gm, "") + "# a comment\n"],
    [
      "keys in another order",
      toYaml({
        gates: aContract().gates,
        scope: aContract().scope,
        contract: aContract().contract,
        nmoe: aContract().nmoe,
      }),
    ],
    ["as flow YAML", JSON.stringify(aContract())],
  ])("the same contract %s has the same hash", (_name, yaml) => {
    expect(contractHash(parsed(yaml))).toBe(contractHash(parsed(base)));
  });

  test.each([
    ["a widened scope", aContract({ scope: { allow: ["**"] } })],
    ["a dropped gate", aContract({ gates: { required: ["cpu:import"] } })],
    ["a new deny", aContract({ scope: { allow: ["nmoe/router/**"], deny: ["nmoe/csrc/**", "x/**"] } })],
    ["a size limit", aContract({ scope: { allow: ["nmoe/router/**"], deny: ["nmoe/csrc/**"], max_files: 3 } })],
  ])("%s changes the hash", (_name, changed) => {
    expect(contractHash(parsed(toYaml(changed)))).not.toBe(contractHash(parsed(base)));
  });
});

const H1 = "1".repeat(64);
const H2 = "2".repeat(64);
const AT = "2026-01-02T03:04:05Z";
const writer: Actor = { login: "mona", bot: false, write: true, trustedBot: false };
const reader: Actor = { login: "rex", bot: false, write: false, trustedBot: false };
const agent: Actor = { login: "agent[bot]", bot: true, write: false, trustedBot: false };
const trusted: Actor = { login: "planner[bot]", bot: true, write: false, trustedBot: true };
const accepted = (hash: string, by = "mona", via: "author" | "edit" | "command" = "author"): Ledger => ({
  ...emptyLedger(),
  acceptances: [{ hash, by, at: AT, via }],
});

describe("what an issue event records", () => {
  test.each<[string, Ledger, IssueEvent, Partial<Ledger>]>([
    [
      "a write user opens it: accepted as its author",
      emptyLedger(),
      { kind: "opened", actor: writer, hash: H1, at: AT },
      { acceptances: [{ hash: H1, by: "mona", at: AT, via: "author" }] },
    ],
    [
      "a reader opens it: nothing accepted",
      emptyLedger(),
      { kind: "opened", actor: reader, hash: H1, at: AT },
      { acceptances: undefined, change: undefined },
    ],
    [
      "a bot opens it: nothing accepted",
      emptyLedger(),
      { kind: "opened", actor: agent, hash: H1, at: AT },
      { acceptances: undefined },
    ],
    [
      "a trusted bot opens it: accepted as trusted",
      emptyLedger(),
      { kind: "opened", actor: trusted, hash: H1, at: AT },
      { acceptances: [{ hash: H1, by: "planner[bot]", at: AT, via: "trusted-bot" }] },
    ],
    [
      "a write user edits it: the new version is accepted",
      accepted(H1),
      { kind: "edited", actor: writer, hash: H2, previous: H1, at: AT },
      {
        acceptances: [
          { hash: H1, by: "mona", at: AT, via: "author" },
          { hash: H2, by: "mona", at: AT, via: "edit" },
        ],
      },
    ],
    [
      "a reader edits it: a change, not an acceptance",
      accepted(H1),
      { kind: "edited", actor: reader, hash: H2, previous: H1, at: AT },
      { acceptances: [{ hash: H1, by: "mona", at: AT, via: "author" }], change: { hash: H2, by: "rex", at: AT } },
    ],
    [
      "an edit that left the contract alone records nothing",
      accepted(H1),
      { kind: "edited", actor: reader, hash: H1, previous: H1, at: AT },
      { change: undefined },
    ],
    [
      "/accept accepts, and settles the change it covers",
      { ...accepted(H1), change: { hash: H2, by: "rex", at: AT } },
      { kind: "accept", by: "mona", hash: H2, at: AT },
      {
        change: undefined,
        acceptances: [
          { hash: H1, by: "mona", at: AT, via: "author" },
          { hash: H2, by: "mona", at: AT, via: "command" },
        ],
      },
    ],
  ])("%s", (_name, ledger, event, expected) => {
    const r = recordIssueEvent(ledger, event);
    const before = { acceptances: ledger.acceptances, change: ledger.change };
    expect({ acceptances: r.acceptances, change: r.change }).toEqual({ ...before, ...expected });
  });

  test("accepting the same hash again keeps one entry (the newest), and the list is bounded", () => {
    let ledger = emptyLedger();
    for (let i = 0; i < 25; i++)
      ledger = recordIssueEvent(ledger, { kind: "accept", by: "mona", hash: String(i % 10).repeat(64), at: AT });
    expect(ledger.acceptances).toHaveLength(10);
    for (let i = 0; i < 30; i++)
      ledger = recordIssueEvent(ledger, { kind: "accept", by: "mona", hash: i.toString(16).padStart(64, "a"), at: AT });
    expect(ledger.acceptances).toHaveLength(20);
  });
});

describe("whether a contract counts, reading only the facts it needs", () => {
  const input = (over: Partial<AuthorityInput>): AuthorityInput => ({
    issue: 7,
    hash: H2,
    cached: undefined,
    record: undefined,
    author: undefined,
    ...over,
  });
  test.each<[string, Partial<AuthorityInput>, ReturnType<typeof contractAuthority>]>([
    [
      "the PR remembers this contract's acceptance: nothing to read",
      { cached: { issue: 7, hash: H2, by: "mona", via: "command" } },
      { status: "accepted", by: "mona", via: "command" },
    ],
    [
      "the PR remembers another issue's acceptance: read the record",
      { cached: { issue: 8, hash: H2, by: "mona", via: "command" } },
      { status: "need", fact: "record" },
    ],
    [
      "the PR remembers an older version: read the record",
      { cached: { issue: 7, hash: H1, by: "mona", via: "command" } },
      { status: "need", fact: "record" },
    ],
    [
      "the record accepts this version",
      { record: accepted(H2, "mona", "command") },
      { status: "accepted", by: "mona", via: "command" },
    ],
    [
      "the record accepts an older version, and saw who changed it",
      { record: { ...accepted(H1), change: { hash: H2, by: "tom", at: AT } } },
      { status: "unaccepted", everAccepted: true, changedBy: "tom", changedAt: AT },
    ],
    [
      "the record accepts an older version, and the change was missed",
      { record: accepted(H1) },
      { status: "unaccepted", everAccepted: true },
    ],
    [
      "the record saw a change of yet another version",
      { record: { ...accepted(H1), change: { hash: "3".repeat(64), by: "tom", at: AT } } },
      { status: "unaccepted", everAccepted: true },
    ],
    [
      "no acceptance, but a change was seen (an author's permission says nothing about it)",
      { record: { ...emptyLedger(), change: { hash: H2, by: "rex", at: AT } }, author: { ...writer } },
      { status: "unaccepted", everAccepted: false, changedBy: "rex", changedAt: AT },
    ],
    ["an empty record: ask who the author is", { record: emptyLedger() }, { status: "need", fact: "author" }],
    [
      "an empty record and a write author (installed after the issue was written)",
      { record: emptyLedger(), author: writer },
      { status: "accepted", by: "mona", via: "author" },
    ],
    [
      "an empty record and a reader author",
      { record: emptyLedger(), author: reader },
      { status: "unaccepted", everAccepted: false },
    ],
    [
      "an empty record and an agent bot",
      { record: emptyLedger(), author: agent },
      { status: "unaccepted", everAccepted: false },
    ],
    [
      "an empty record and a trusted bot",
      { record: emptyLedger(), author: trusted },
      { status: "accepted", by: "planner[bot]", via: "trusted-bot" },
    ],
  ])("%s", (_name, over, expected) => {
    expect(contractAuthority(input(over))).toEqual(expected);
  });

  test.each([
    [{ status: "accepted" as const, by: "mona", via: "author" as const }, true],
    [{ status: "accepted" as const, by: "mona", via: "command" as const }, true],
    [{ status: "accepted" as const, by: "planner[bot]", via: "trusted-bot" as const }, false],
    [{ status: "unaccepted" as const, everAccepted: true }, false],
    [undefined, false],
  ])("protected paths need a write user's acceptance: %j → %s", (authority, expected) => {
    expect(acceptedByWriteUser(authority)).toBe(expected);
  });
});
