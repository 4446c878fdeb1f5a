import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { canonicalJson } from "../../../src/core/canonical-json.js";
import {
  compactLedger,
  MAX_STATE_JSON_BYTES,
  readLedger,
  sealedState,
  type LedgerPlace,
} from "../../../src/core/ledger/codec.js";
import {
  DISPATCH_STATES,
  END_REASONS,
  emptyLedger,
  MAX_DISPATCHES,
  type Dispatch,
  type Ledger,
  type StoredGateResult,
  type StoredResults,
} from "../../../src/core/ledger/types.js";
import { PR_STICKY } from "../../../src/core/markers.js";
import { aDispatch, aLedger } from "../../fixtures/tierb/builders.js";

const finite = fc
  .double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 })
  .map((n) => (Object.is(n, -0) ? 0 : n));
const sha = fc.stringMatching(/^[0-9a-f]{40}$/);
const gateId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,20}$/);
const iso = fc.integer({ min: 0, max: 4102444800000 }).map((ms) => new Date(ms).toISOString());

const gateResult: fc.Arbitrary<StoredGateResult> = fc.record(
  {
    id: gateId,
    status: fc.constantFrom("pass", "fail", "skipped", "pending", "error", "missing"),
    rc: fc.integer({ min: -255, max: 255 }),
    durationS: finite.map(Math.abs),
    reasonCode: fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/),
    envNames: fc.array(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,20}$/), { maxLength: 3 }),
    metrics: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/), finite, { maxKeys: 4 }),
    compareGate: gateId,
    metricName: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,20}$/),
    baselineRef: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,20}$/),
  },
  { requiredKeys: ["id", "status"] },
);

const results: fc.Arbitrary<StoredResults> = fc.oneof(
  fc.record({ outcome: fc.constant("valid" as const), gates: fc.array(gateResult, { maxLength: 4 }) }),
  fc.constant({ outcome: "missing" as const }),
  fc.record({ outcome: fc.constant("refused" as const), code: fc.stringMatching(/^[a-z][a-z0-9.-]{0,20}$/) }),
);

const dispatch: fc.Arbitrary<Dispatch> = fc
  .record(
    {
      id: fc.stringMatching(/^[A-Za-z0-9-]{8,30}$/),
      pr: fc.integer({ min: 1, max: 1e9 }),
      sha,
      bundle: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/),
      singleGate: gateId,
      baselineRef: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,20}$/),
      budgetPct: fc.integer({ min: -100, max: 1000 }),
      requester: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/),
      requestedAt: iso,
      commentId: fc.integer({ min: 1, max: 2 ** 40 }),
      state: fc.constantFrom(...DISPATCH_STATES),
      updatedAt: iso,
      runId: fc.integer({ min: 1, max: 2 ** 40 }),
      runUrl: fc.integer({ min: 1, max: 1e9 }).map((n) => `https://github.com/o/r/actions/runs/${n}`),
      checkRunId: fc.integer({ min: 1, max: 2 ** 40 }),
      runConclusion: fc.constantFrom("success", "failure", "cancelled", "timed_out"),
      conclusion: fc.constantFrom("success" as const, "failure" as const, "neutral" as const),
      results,
      endReason: fc.constantFrom(...END_REASONS),
      treeSha: sha,
      alsoCovers: fc.array(sha, { maxLength: 2 }),
      staleBy: sha,
    },
    { requiredKeys: ["id", "pr", "sha", "bundle", "requester", "requestedAt", "state"] },
  )
  .map((d) => (d.staleBy !== undefined ? { ...d, stale: true } : d));

const login = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/);
const hash = fc.stringMatching(/^[0-9a-f]{64}$/);
const finding = fc.record({
  rule: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  line: fc.integer({ min: 1, max: 1e6 }),
  column: fc.integer({ min: 1, max: 1e6 }),
});

const ledger: fc.Arbitrary<Ledger> = fc.record(
  {
    version: fc.constant(2 as const),
    dispatches: fc.uniqueArray(dispatch, { maxLength: 6, selector: (d) => d.id }),
    refused: fc.uniqueArray(
      login.map((l) => l.toLowerCase()),
      { maxLength: 4 },
    ),
    helped: fc.boolean(),
    safety: fc.dictionary(
      fc.oneof(
        fc.constant("body"),
        fc.integer({ min: 1, max: 1e9 }).map((n) => `comment:${n}`),
      ),
      fc.array(finding, { minLength: 1, maxLength: 3 }),
      { maxKeys: 3 },
    ),
    acceptances: fc.array(
      fc.record({
        hash,
        by: login,
        at: iso,
        via: fc.constantFrom("author" as const, "edit" as const, "command" as const),
      }),
      { maxLength: 3 },
    ),
    change: fc.record({ hash, by: login, at: iso }),
    contract: fc.record({
      issue: fc.integer({ min: 1, max: 1e6 }),
      hash,
      by: login,
      via: fc.constantFrom("author" as const, "command" as const),
    }),
    rebuilt: fc.record({ at: iso, reason: fc.constantFrom("tampered" as const, "migrated" as const) }),
  },
  { requiredKeys: ["version", "dispatches"] },
);

const KEY = new Uint8Array(32).fill(1);
const PLACE: LedgerPlace = { repo: "acme/nmoe", kind: "pr", number: 12 };

/** A sticky body as the bot writes it: marker, visible text, sealed state on the last line. */
function body(visible: string, l: Ledger, place: LedgerPlace = PLACE, key: Uint8Array = KEY): string {
  return `${PR_STICKY}\n${visible}\n\n${sealedState(l, place, key)}\n`;
}

/** Parse through JSON the way the reader does, so `undefined` members compare equal to absent ones. */
const asStored = (l: Ledger): Ledger => JSON.parse(canonicalJson(compactLedger(l))) as Ledger;

describe("sealed ledgers", () => {
  test("read(write(x)) is x for any ledger within bounds", () => {
    fc.assert(
      fc.property(ledger, (l) => {
        expect(readLedger(body("visible", l), PLACE, KEY)).toEqual({ status: "sealed", ledger: asStored(l) });
      }),
      { numRuns: 200 },
    );
  });

  test.each<[string, LedgerPlace, Uint8Array]>([
    ["another PR", { ...PLACE, number: 13 }, KEY],
    ["the same number as an issue", { ...PLACE, kind: "issue" }, KEY],
    ["another repository", { ...PLACE, repo: "acme/other" }, KEY],
    ["another key (rotated)", PLACE, new Uint8Array(32).fill(2)],
  ])("a ledger sealed for one place does not read in %s", (_name, place, key) => {
    const sealed = body("x", aLedger(aDispatch({ state: "completed" })));
    expect(readLedger(sealed, place, key).status).toBe("tampered");
  });

  test("the repository name is compared case-insensitively, as GitHub does", () => {
    const sealed = body("x", aLedger(aDispatch()));
    expect(readLedger(sealed, { ...PLACE, repo: "ACME/NMOE" }, KEY).status).toBe("sealed");
  });

  test("changing any character of the sealed marker makes it tampered (or unreadable), never believed", () => {
    const l = aLedger(aDispatch({ state: "completed", conclusion: "success" }));
    const marker = sealedState(l, PLACE, KEY);
    const start = marker.indexOf("v2 ") + 3;
    const end = marker.length - 4;
    fc.assert(
      fc.property(fc.integer({ min: start, max: end - 1 }), fc.constantFrom("A", "b", "0", "_", "-"), (i, c) => {
        fc.pre(marker[i] !== c && marker[i] !== ".");
        const edited = marker.slice(0, i) + c + marker.slice(i + 1);
        expect(readLedger(`${PR_STICKY}\nx\n\n${edited}\n`, PLACE, KEY).status).not.toBe("sealed");
      }),
      { numRuns: 300 },
    );
  });

  test("a hand-edited ledger with a forged all-pass dispatch is tampered, whatever its JSON says", () => {
    const forged = aLedger(
      aDispatch({
        state: "completed",
        conclusion: "success",
        results: { outcome: "valid", gates: [{ id: "b200:big_8x20", status: "pass" }] },
      }),
    );
    const payload = Buffer.from(canonicalJson(forged), "utf8").toString("base64url");
    const fake = `<!-- merge-captain:state v2 ${payload}.${"A".repeat(43)} -->`;
    expect(readLedger(`${PR_STICKY}\nx\n\n${fake}\n`, PLACE, KEY)).toMatchObject({
      status: "tampered",
      problems: [{ code: "ledger.seal" }],
    });
  });

  test("only the marker on the last line counts: a sealed marker pasted above it is not read", () => {
    const mine = aLedger();
    const theirs = aLedger(aDispatch({ state: "completed" }));
    const pasted = `${sealedState(theirs, PLACE, KEY)}\nmore text`;
    expect(readLedger(body(pasted, mine), PLACE, KEY)).toEqual({ status: "sealed", ledger: asStored(mine) });
    expect(readLedger(`${PR_STICKY}\n${sealedState(theirs, PLACE, KEY)}\nand then text\n`, PLACE, KEY)).toEqual({
      status: "missing",
    });
  });

  test("an empty ledger round-trips", () => {
    expect(readLedger(body("", emptyLedger()), PLACE, KEY)).toEqual({ status: "sealed", ledger: emptyLedger() });
  });
});

describe("ledgers from before sealing are migrated, keeping only what cannot open a check", () => {
  const v1 = (json: unknown): string =>
    `${PR_STICKY}\nold\n\n<!-- merge-captain:state v1 ${Buffer.from(JSON.stringify(json), "utf8").toString("base64")} -->\n`;

  test("a v1 PR ledger keeps who was told no and the findings; its dispatches are left to the rebuild", () => {
    const old = {
      version: 1,
      dispatches: [aDispatch({ state: "completed", conclusion: "success" })],
      extra: { refused: "Rex,ada,not a login", safety: JSON.stringify({ "comment:55": [["private-ipv4", 2, 3]] }) },
    };
    expect(readLedger(v1(old), PLACE, KEY)).toEqual({
      status: "legacy",
      ledger: {
        version: 2,
        dispatches: [],
        refused: ["rex", "ada"],
        safety: { "comment:55": [{ rule: "private-ipv4", line: 2, column: 3 }] },
      },
    });
  });

  test("the old issue safety marker keeps its findings", () => {
    const json = JSON.stringify({ body: [["aws-access-key", 1, 9]], "comment:x": [["nope", 1, 1]] });
    const old = `<!-- merge-captain:issue -->\nold\n<!-- merge-captain:safety ${Buffer.from(json).toString("base64url")} -->`;
    expect(readLedger(old, { ...PLACE, kind: "issue" }, KEY)).toEqual({
      status: "legacy",
      ledger: { version: 2, dispatches: [], safety: { body: [{ rule: "aws-access-key", line: 1, column: 9 }] } },
    });
  });

  test.each([
    ["not JSON", "{nope"],
    ["JSON null", "null"],
    ["findings of the wrong shape", JSON.stringify({ extra: { safety: "[1,2]", refused: 7 } })],
  ])("a v1 ledger with %s migrates to an empty one", (_name, json) => {
    const old = `${PR_STICKY}\nx\n<!-- merge-captain:state v1 ${Buffer.from(json).toString("base64")} -->`;
    expect(readLedger(old, PLACE, KEY)).toEqual({ status: "legacy", ledger: emptyLedger() });
  });
});

describe("a damaged ledger is a value, never a crash", () => {
  const good = sealedState(aLedger(aDispatch()), PLACE, KEY);
  test.each([
    ["no marker", "just text", "missing"],
    ["a truncated payload", good.replace(/.{50} -->$/, " -->"), "tampered"],
    ["junk in the payload", good.replace("v2 ", "v2 !!"), "tampered"],
    ["a huge payload", `<!-- merge-captain:state v2 ${"A".repeat(30000)}.${"A".repeat(43)} -->`, "tampered"],
    [
      "a marker that is too long to parse",
      `<!-- merge-captain:state v2 ${"A".repeat(50000)}.${"A".repeat(43)} -->`,
      "tampered",
    ],
    ["another marker of ours on the last line", "<!-- merge-captain:digest 0123456789abcdef -->", "missing"],
  ])("%s", (_name, tail, status) => {
    expect(readLedger(`${PR_STICKY}\nx\n${tail}`, PLACE, KEY).status).toBe(status);
  });

  test("arbitrary bodies never throw", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (s) => {
        readLedger(s, PLACE, KEY);
        readLedger(`x\n<!-- merge-captain:state v2 ${s} -->`, PLACE, KEY);
        readLedger(`x\n<!-- merge-captain:state v1 ${s} -->`, PLACE, KEY);
        readLedger(`x\n<!-- merge-captain:safety ${s} -->`, PLACE, KEY);
      }),
    );
  });
});

describe("size bound", () => {
  const bigResults: StoredResults = {
    outcome: "valid",
    gates: Array.from({ length: 60 }, (_, i) => ({
      id: `b200:gate_number_${i}`,
      status: "pass" as const,
      rc: 0,
      durationS: 12.5,
      metrics: { node_tps_p50: 123456.789, step_time_ms: 12.3456 },
    })),
  };
  const finished = (i: number, stale = false): Dispatch =>
    aDispatch({
      id: `mc-${String(i).padStart(10, "0")}`,
      state: "completed",
      conclusion: "success",
      results: bigResults,
      ...(stale ? { stale: true, staleBy: "f".repeat(40) } : {}),
    });

  test("keeps at most MAX_DISPATCHES, dropping the oldest finished first and never an active one", () => {
    const active = aDispatch({ id: "mc-active-0001", state: "queued" });
    const many = [
      active,
      ...Array.from({ length: MAX_DISPATCHES + 5 }, (_, i) =>
        aDispatch({ id: `mc-${String(i).padStart(10, "0")}`, state: "cancelled" }),
      ),
    ];
    const c = compactLedger(aLedger(...many));
    expect(c.dispatches).toHaveLength(MAX_DISPATCHES);
    expect(c.dispatches[0]!.id).toBe("mc-active-0001");
    expect(c.dispatches[1]!.id).toBe("mc-0000000006");
  });

  test("stays under the byte bound: stale details go first, then the oldest finished dispatches", () => {
    const l = aLedger(
      finished(1),
      finished(2, true),
      finished(3),
      finished(4),
      aDispatch({ id: "mc-active-0001", state: "in_progress" }),
      finished(5),
    );
    const c = compactLedger(l);
    expect(Buffer.byteLength(canonicalJson(c))).toBeLessThanOrEqual(MAX_STATE_JSON_BYTES);
    const byId = new Map(c.dispatches.map((d) => [d.id, d]));
    expect(byId.get("mc-active-0001")).toBeDefined();
    expect(byId.get("mc-0000000005")?.results).toEqual(bigResults);
    expect(byId.get("mc-0000000002")?.results).toEqual({ outcome: "valid", gates: [], detailsDropped: true });
    expect(readLedger(body("", l), PLACE, KEY)).toEqual({ status: "sealed", ledger: asStored(c) });
  });

  test("compacting is idempotent", () => {
    const l = aLedger(...Array.from({ length: 12 }, (_, i) => finished(i, i % 3 === 0)));
    const once = compactLedger(l);
    expect(compactLedger(once)).toEqual(once);
  });

  test("findings are shed last, one source's extras first, and the warning survives", () => {
    const many = Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => [
        `comment:${1000 + i}`,
        Array.from({ length: 10 }, (_, j) => ({ rule: "private-ipv4-address-x", line: j + 1, column: 1 })),
      ]),
    );
    const l: Ledger = { ...aLedger(aDispatch({ id: "mc-active-0001", state: "queued" })), safety: many };
    const c = compactLedger(l);
    expect(Buffer.byteLength(canonicalJson(c))).toBeLessThanOrEqual(MAX_STATE_JSON_BYTES);
    expect(c.dispatches).toHaveLength(1);
    expect(Object.keys(c.safety ?? {}).length).toBeGreaterThan(0);
  });
});
