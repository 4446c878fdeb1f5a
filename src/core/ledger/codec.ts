/**
 * The sticky comment's body: a marker, visible Markdown, and the ledger as base64 JSON in one
 * trailing HTML comment. Base64 has no `-` or `>`, so no content can close the comment early,
 * and visible text is defused so it cannot forge a state marker.
 */
import { fail, ok, problem, type Result } from "../problem.js";
import { validateAgainst } from "../schemas/validate.js";
import { ledgerSchema, MAX_DISPATCHES } from "./schema.js";
import { isActive, type Dispatch, type Ledger } from "./types.js";

/** First line of every sticky PR comment; the handler also checks the comment's author is the app. */
export const STICKY_MARKER = "<!-- merge-captain:pr v1 -->";
const STATE_OPEN = "<!-- merge-captain:state v1 ";
const STATE_CLOSE = " -->";
/** The decoded JSON may not exceed this; older finished dispatches are shed to stay under it. */
export const MAX_STATE_JSON_BYTES = 20 * 1024;
/** Base64 of the largest allowed JSON, plus padding. */
const MAX_STATE_BASE64 = Math.ceil(MAX_STATE_JSON_BYTES / 3) * 4;
const STATE_PATTERN = /<!-- merge-captain:state v1 ([A-Za-z0-9+/]*={0,2}) -->/g;

export function isStickyBody(body: string): boolean {
  return body.startsWith(STICKY_MARKER);
}

/**
 * The whole comment body. Any `<!--` in the visible part is escaped so it renders the same but
 * can never open a comment (a forged state marker, or one hiding our own).
 */
export function renderStickyBody(visible: string, ledger: Ledger): string {
  const safe = visible.replace(/<!--/g, "&lt;!--").replace(/--!?>/g, (m) => m.replace(">", "&gt;"));
  return `${STICKY_MARKER}\n${safe.trim()}\n\n${encodeState(ledger)}\n`;
}

/** The hidden state line alone, compacted to the size bound. */
export function encodeState(ledger: Ledger): string {
  const json = JSON.stringify(compactLedger(ledger));
  return STATE_OPEN + Buffer.from(json, "utf8").toString("base64") + STATE_CLOSE;
}

/**
 * Read the ledger from a sticky comment body. The LAST state marker counts (ours always ends the
 * body). Anything unexpected — no marker, bad base64, bad UTF-8, bad JSON, a schema miss, two
 * dispatches with one id — is an error value, never an exception.
 */
export function parseLedger(body: string): Result<Ledger> {
  let payload: string | undefined;
  for (const m of body.matchAll(STATE_PATTERN)) payload = m[1];
  if (payload === undefined)
    return fail(
      problem(
        "ledger.missing",
        "",
        "the sticky comment has no merge-captain state",
        "the bot rebuilds it; see recoverLedger",
      ),
    );
  if (payload.length > MAX_STATE_BASE64)
    return fail(
      problem(
        "ledger.too-large",
        "",
        `the hidden state is ${payload.length} characters, more than ${MAX_STATE_BASE64}`,
      ),
    );
  const bytes = Buffer.from(payload, "base64");
  // Node's decoder skips junk silently; a payload that does not re-encode to itself was altered.
  if (bytes.toString("base64") !== payload)
    return fail(problem("ledger.encoding", "", "the hidden state is not canonical base64"));
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail(problem("ledger.encoding", "", "the hidden state is not UTF-8"));
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return fail(problem("ledger.json", "", "the hidden state is not JSON"));
  }
  const errors = validateAgainst(ledgerSchema, value);
  if (errors.length > 0) return fail(...errors.map((e) => ({ ...e, code: `ledger.${e.code}` })));
  const ledger = value as Ledger;
  const ids = new Set<string>();
  for (const [i, d] of ledger.dispatches.entries()) {
    if (ids.has(d.id))
      return fail(problem("ledger.duplicate-id", `/dispatches/${i}/id`, "two dispatches share one id"));
    ids.add(d.id);
    if (d.stale === true && d.staleBy === undefined)
      return fail(
        problem("ledger.inconsistent", `/dispatches/${i}`, "a stale dispatch does not say which head replaced it"),
      );
  }
  return ok(ledger);
}

function jsonBytes(ledger: Ledger): number {
  return Buffer.byteLength(JSON.stringify(ledger), "utf8");
}

/**
 * Bound the ledger: at most MAX_DISPATCHES and MAX_STATE_JSON_BYTES. Finished dispatches go
 * first, oldest first — first their result details, then the dispatch itself. Active ones are
 * never dropped: forgetting one would allow a second run for the same target.
 */
export function compactLedger(ledger: Ledger): Ledger {
  let dispatches: Dispatch[] = ledger.dispatches.map((d) => d);
  const finishedOldestFirst = (): number => dispatches.findIndex((d) => !isActive(d));
  while (dispatches.length > MAX_DISPATCHES) {
    const i = finishedOldestFirst();
    if (i < 0) break;
    dispatches = dispatches.filter((_, j) => j !== i);
  }
  const current = (): Ledger => ({ ...ledger, dispatches });
  while (jsonBytes(current()) > MAX_STATE_JSON_BYTES) {
    // Stale results matter least: they are shown but count for nothing on the current head.
    const hasDetails = (d: Dispatch): boolean =>
      !isActive(d) && d.results?.outcome === "valid" && d.results.gates.length > 0;
    const staleFirst = dispatches.findIndex((d) => hasDetails(d) && d.stale === true);
    const withDetails = staleFirst >= 0 ? staleFirst : dispatches.findIndex(hasDetails);
    if (withDetails >= 0) {
      dispatches = dispatches.map((d, j) =>
        j === withDetails ? { ...d, results: { outcome: "valid", gates: [], detailsDropped: true } } : d,
      );
      continue;
    }
    const i = finishedOldestFirst();
    if (i < 0) throw new Error("ledger: active dispatches alone exceed the state size bound; planDispatch caps them");
    dispatches = dispatches.filter((_, j) => j !== i);
  }
  return current();
}
