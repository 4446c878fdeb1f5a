import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  compactLedger,
  encodeState,
  isStickyBody,
  MAX_STATE_JSON_BYTES,
  parseLedger,
  renderStickyBody,
  STICKY_MARKER,
} from "../../../src/core/ledger/codec.js";
import { MAX_DISPATCHES } from "../../../src/core/ledger/schema.js";
import {
  DISPATCH_STATES,
  END_REASONS,
  emptyLedger,
  type Dispatch,
  type Ledger,
  type StoredGateResult,
  type StoredResults,
} from "../../../src/core/ledger/types.js";
import { aDispatch, aLedger } from "../../fixtures/tierb/builders.js";
import { narrow } from "../../support/narrow.js";

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

const ledger: fc.Arbitrary<Ledger> = fc.record(
  {
    version: fc.constant(1 as const),
    dispatches: fc.uniqueArray(dispatch, { maxLength: 6, selector: (d) => d.id }),
    verdictDigest: fc.stringMatching(/^[A-Za-z0-9+/=_:.-]{1,40}$/),
    extra: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_.-]{0,10}$/), fc.string({ maxLength: 40 }), { maxKeys: 3 }),
  },
  { requiredKeys: ["version", "dispatches"] },
);

/** Text a user could get into the visible part: anything, including forged markers and comment ends. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    "<!-- merge-captain:state v1 e30= -->",
    "-->",
    "<!--",
    "--!>",
    "<!-- merge-captain:state v1 ",
    STICKY_MARKER,
  ),
  fc.tuple(fc.string({ maxLength: 50 }), ledger).map(([t, l]) => t + encodeState(l) + t),
);

describe("ledger encoding", () => {
  test("parse(render(x)) is x for any ledger within bounds", () => {
    fc.assert(
      fc.property(ledger, (l) => {
        const r = parseLedger(renderStickyBody("visible", l));
        expect(r).toEqual({ ok: true, value: l, warnings: [] });
      }),
      { numRuns: 200 },
    );
  });

  test("user text around the marker never changes the parsed state", () => {
    fc.assert(
      fc.property(ledger, fc.array(hostileText, { maxLength: 4 }), (l, parts) => {
        const r = parseLedger(renderStickyBody(parts.join("\n"), l));
        expect(r.ok && r.value).toEqual(l);
      }),
      { numRuns: 200 },
    );
  });

  test("the body starts with the sticky marker and carries one live state comment", () => {
    const body = renderStickyBody("hello <!-- x --> world", aLedger(aDispatch()));
    expect(isStickyBody(body)).toBe(true);
    expect(body.match(/<!--/g)).toHaveLength(2);
    expect(body).toContain("hello &lt;!-- x --&gt; world");
  });

  test("an empty ledger round-trips", () => {
    expect(parseLedger(renderStickyBody("", emptyLedger()))).toEqual({ ok: true, value: emptyLedger(), warnings: [] });
  });
});

describe("a damaged ledger is an error value, never a crash", () => {
  const good = encodeState(aLedger(aDispatch()));
  const b64 = (json: string): string =>
    `<!-- merge-captain:state v1 ${Buffer.from(json, "utf8").toString("base64")} -->`;
  test.each([
    ["no marker", "just text", "ledger.missing"],
    ["a truncated payload", good.replace(/.{6} -->$/, " -->"), "ledger.encoding"],
    ["junk in the payload", good.replace("v1 ", "v1 !!"), "ledger.missing"],
    ["not JSON", b64("{nope"), "ledger.json"],
    [
      "bad UTF-8",
      `<!-- merge-captain:state v1 ${Buffer.from([0xff, 0xfe, 0x7b]).toString("base64")} -->`,
      "ledger.encoding",
    ],
    ["JSON null", b64("null"), "ledger.schema.type"],
    ["a wrong version", b64('{"version":2,"dispatches":[]}'), "ledger.schema.const"],
    ["an unknown key", b64('{"version":1,"dispatches":[],"admin":true}'), "ledger.schema.unknown-key"],
    ["a bad state", b64(JSON.stringify(aLedger(aDispatch({ state: "done" as never })))), "ledger.schema.enum"],
    ["a bad sha", b64(JSON.stringify(aLedger(aDispatch({ sha: "HEAD" })))), "ledger.schema.pattern"],
    [
      "a duplicate id",
      b64(JSON.stringify(aLedger(aDispatch(), aDispatch({ sha: "b".repeat(40) })))),
      "ledger.duplicate-id",
    ],
    ["stale without the new head", b64(JSON.stringify(aLedger(aDispatch({ stale: true })))), "ledger.inconsistent"],
    ["a huge payload", `<!-- merge-captain:state v1 ${"A".repeat(40000)} -->`, "ledger.too-large"],
    ["a proto key", b64('{"version":1,"dispatches":[],"__proto__":{"x":1}}'), "ledger.schema.unknown-key"],
  ])("%s", (_name, body, code) => {
    const r = narrow(parseLedger(`${STICKY_MARKER}\nx\n${body}`), "ok", false);
    expect(r.errors.map((e) => e.code)).toContain(code);
  });

  test("arbitrary bodies never throw", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (s) => {
        parseLedger(s);
        parseLedger(`<!-- merge-captain:state v1 ${s} -->`);
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
    expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThanOrEqual(MAX_STATE_JSON_BYTES);
    const byId = new Map(c.dispatches.map((d) => [d.id, d]));
    expect(byId.get("mc-active-0001")).toBeDefined();
    expect(byId.get("mc-0000000005")?.results).toEqual(bigResults);
    expect(byId.get("mc-0000000002")?.results).toEqual({ outcome: "valid", gates: [], detailsDropped: true });
    const r = parseLedger(renderStickyBody("", l));
    expect(r.ok && r.value).toEqual(c);
  });

  test("compacting is idempotent", () => {
    const l = aLedger(...Array.from({ length: 12 }, (_, i) => finished(i, i % 3 === 0)));
    const once = compactLedger(l);
    expect(compactLedger(once)).toEqual(once);
  });
});
