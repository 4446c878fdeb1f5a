/**
 * The ledger in a sticky comment: canonical JSON, sealed with an HMAC bound to the repository and
 * the issue or PR, carried as the hidden marker that ends the comment. A ledger that fails its
 * seal was edited by someone other than the bot and is never believed.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import { stateMarker, trailingState, type Marker, type StickyKind } from "../markers.js";
import { problem, type Problem } from "../problem.js";
import { ledgerSchema } from "../schemas/ledger.generated.js";
import { validateAgainst } from "../schemas/validate.js";
import {
  emptyLedger,
  isActive,
  MAX_DISPATCHES,
  MAX_FINDINGS_PER_SOURCE,
  MAX_REFUSED,
  MAX_SAFETY_SOURCES,
  type Dispatch,
  type Finding,
  type Ledger,
} from "./types.js";

/** The server-side key the seal is made with (derived from LEDGER_KEY or the webhook secret; see src/server.ts). */
export type LedgerKey = Uint8Array;

/** Where a ledger lives. The seal covers it, so a ledger copied to another PR or repository fails. */
export interface LedgerPlace {
  /** `owner/name`, compared case-insensitively as GitHub does. */
  repo: string;
  kind: StickyKind;
  number: number;
}

/** The decoded JSON may not exceed this; older finished dispatches and findings are shed to stay under it. */
export const MAX_STATE_JSON_BYTES = 20 * 1024;
const MAX_PAYLOAD_CHARS = Math.ceil((MAX_STATE_JSON_BYTES * 4) / 3) + 4;

function macOf(key: LedgerKey, place: LedgerPlace, json: string): Buffer {
  return createHmac("sha256", key)
    .update(`merge-captain ledger v2\0${place.repo.toLowerCase()}\0${place.kind}#${place.number}\0`)
    .update(json, "utf8")
    .digest();
}

/** The marker that ends the sticky comment: the compacted ledger, sealed for this place. */
export function sealedState(ledger: Ledger, place: LedgerPlace, key: LedgerKey): Marker {
  const json = canonicalJson(compactLedger(ledger));
  return stateMarker(Buffer.from(json, "utf8").toString("base64url"), macOf(key, place, json).toString("base64url"));
}

export type LedgerRead =
  /** Written and sealed by this bot for this place. */
  | { status: "sealed"; ledger: Ledger }
  /** No state marker at the end of the comment (none written yet, or cut off): nothing to believe. */
  | { status: "missing" }
  /** A sealed marker whose seal or content fails: edited by hand (or the key was rotated). */
  | { status: "tampered"; problems: Problem[] }
  /**
   * Written before ledgers were sealed. Only what cannot help anyone past a check is kept (who was
   * already told no, public-safety findings); Tier-B dispatches are rebuilt from GitHub's runs.
   */
  | { status: "legacy"; ledger: Ledger };

/**
 * Read the ledger at the end of a sticky comment body (the caller has checked the comment is
 * ours). Never throws: anything unexpected is a value.
 */
export function readLedger(body: string, place: LedgerPlace, key: LedgerKey): LedgerRead {
  const tail = trailingState(body);
  if (tail === undefined) return { status: "missing" };
  switch (tail.version) {
    case 2:
      return readSealed(tail.payload, tail.mac, place, key);
    case 1:
      return { status: "legacy", ledger: fromLegacyPr(tail.payload) };
    case "safety":
      return { status: "legacy", ledger: fromLegacyIssue(tail.payload) };
    case "garbled":
      return tampered("garbled", "the hidden state is not in the form the bot writes");
  }
}

function tampered(code: string, message: string): LedgerRead {
  return {
    status: "tampered",
    problems: [problem(`ledger.${code}`, "", message, "the bot rebuilds its record from GitHub")],
  };
}

function readSealed(payload: string, mac: string, place: LedgerPlace, key: LedgerKey): LedgerRead {
  if (payload.length > MAX_PAYLOAD_CHARS)
    return tampered("too-large", `the hidden state is ${payload.length} characters, more than ${MAX_PAYLOAD_CHARS}`);
  const bytes = Buffer.from(payload, "base64url");
  // Node's decoder skips junk silently; a payload that does not re-encode to itself was altered.
  if (bytes.toString("base64url") !== payload)
    return tampered("encoding", "the hidden state is not canonical base64url");
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return tampered("encoding", "the hidden state is not UTF-8");
  }
  const given = Buffer.from(mac, "base64url");
  const expected = macOf(key, place, json);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return tampered("seal", "the hidden state does not carry the bot's seal for this comment");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return tampered("json", "the hidden state is not JSON");
  }
  // Sealed by us, so these only fail after a change of schema: still never believed.
  const errors = validateAgainst(ledgerSchema, value);
  if (errors.length > 0)
    return { status: "tampered", problems: errors.map((e) => ({ ...e, code: `ledger.${e.code}` })) };
  const ledger = value as Ledger;
  const consistency = inconsistency(ledger);
  return consistency ? { status: "tampered", problems: [consistency] } : { status: "sealed", ledger };
}

function inconsistency(ledger: Ledger): Problem | undefined {
  const ids = new Set<string>();
  for (const [i, d] of ledger.dispatches.entries()) {
    if (ids.has(d.id)) return problem("ledger.duplicate-id", `/dispatches/${i}/id`, "two dispatches share one id");
    ids.add(d.id);
    if (d.stale === true && d.staleBy === undefined)
      return problem("ledger.inconsistent", `/dispatches/${i}`, "a stale dispatch does not say which head replaced it");
  }
  return undefined;
}

const LOGIN = new RegExp(ledgerSchema.$defs.login.pattern);
const SOURCE = new RegExp(ledgerSchema.properties.safety.propertyNames.pattern);
const RULE = new RegExp(ledgerSchema.$defs.finding.properties.rule.pattern);

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Old findings were `{source: [[rule, line, column], …]}`; anything malformed is dropped. */
function legacyFindings(value: unknown): Ledger["safety"] {
  if (!isRecord(value)) return undefined;
  const out: NonNullable<Ledger["safety"]> = {};
  for (const [source, list] of Object.entries(value).slice(0, MAX_SAFETY_SOURCES)) {
    if (!SOURCE.test(source) || !Array.isArray(list)) continue;
    const findings: Finding[] = list
      .filter(
        (f): f is [string, number, number] =>
          Array.isArray(f) &&
          typeof f[0] === "string" &&
          RULE.test(f[0]) &&
          Number.isSafeInteger(f[1]) &&
          Number.isSafeInteger(f[2]) &&
          (f[1] as number) >= 1 &&
          (f[2] as number) >= 1,
      )
      .slice(0, MAX_FINDINGS_PER_SOURCE)
      .map(([rule, line, column]) => ({ rule, line, column }));
    if (findings.length > 0) out[source] = findings;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function withParts(refused: string[], safety: Ledger["safety"]): Ledger {
  const ledger = emptyLedger();
  if (refused.length > 0) ledger.refused = refused;
  if (safety) ledger.safety = safety;
  return ledger;
}

/** A v1 PR ledger (base64 JSON with `extra.refused` as comma-separated logins and `extra.safety` as JSON text). */
function fromLegacyPr(payload: string): Ledger {
  const value = decodeJson(Buffer.from(payload, "base64").toString("utf8"));
  const extra = isRecord(value) && isRecord(value["extra"]) ? value["extra"] : {};
  const refusedText = typeof extra["refused"] === "string" ? extra["refused"] : "";
  const refused = [...new Set(refusedText.split(",").map((l) => l.trim().toLowerCase()))]
    .filter((l) => LOGIN.test(l))
    .slice(-MAX_REFUSED);
  const safetyText = typeof extra["safety"] === "string" ? extra["safety"] : "";
  return withParts(refused, legacyFindings(decodeJson(safetyText)));
}

/** The old issue sticky kept only its findings, in a `safety` marker (base64url JSON). */
function fromLegacyIssue(payload: string): Ledger {
  return withParts([], legacyFindings(decodeJson(Buffer.from(payload, "base64url").toString("utf8"))));
}

function jsonBytes(ledger: Ledger): number {
  return Buffer.byteLength(canonicalJson(ledger), "utf8");
}

/**
 * Bound the ledger: at most MAX_DISPATCHES and MAX_STATE_JSON_BYTES. Finished dispatches go
 * first, oldest first — first their result details, then the dispatch itself; then findings
 * beyond the first of each source (the warning and its ❌ survive). Active dispatches are never
 * dropped: forgetting one would allow a second run for the same target.
 */
export function compactLedger(ledger: Ledger): Ledger {
  let dispatches: Dispatch[] = ledger.dispatches.map((d) => d);
  const finishedOldestFirst = (): number => dispatches.findIndex((d) => !isActive(d));
  while (dispatches.length > MAX_DISPATCHES) {
    const i = finishedOldestFirst();
    if (i < 0) break;
    dispatches = dispatches.filter((_, j) => j !== i);
  }
  let safety = ledger.safety;
  const current = (): Ledger => {
    const next: Ledger = { ...ledger, dispatches };
    if (safety === undefined) delete next.safety;
    else next.safety = safety;
    return next;
  };
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
    if (i >= 0) {
      dispatches = dispatches.filter((_, j) => j !== i);
      continue;
    }
    const trimmed = trimFindings(safety);
    if (trimmed === safety) throw new Error("ledger: active dispatches alone exceed the state size bound");
    safety = trimmed;
  }
  return current();
}

/** One step of shedding findings: a source with several keeps its first; else the oldest source goes. */
function trimFindings(safety: Ledger["safety"]): Ledger["safety"] {
  if (safety === undefined) return safety;
  const entries = Object.entries(safety).filter((e): e is [string, Finding[]] => e[1] !== undefined);
  const many = entries.findIndex(([, f]) => f.length > 1);
  const next =
    many >= 0 ? entries.map(([s, f], i): [string, Finding[]] => [s, i === many ? f.slice(0, 1) : f]) : entries.slice(1);
  return next.length === 0 ? undefined : Object.fromEntries(next);
}
