/**
 * Every hidden HTML-comment marker the bot writes, spelled once: what each looks like, where it
 * sits (sticky markers open a comment, state and digest markers close it), how it is read back,
 * and the one function that makes user text unable to open or close a comment of its own.
 */

/** A marker this module made. User text cannot become one: the choke point defuses `<!--` in it. */
export type Marker = string & { readonly __ourMarker: unique symbol };

function ours(text: string): Marker {
  return text as Marker;
}

/** First line of the bot's sticky comment on a PR (found by this prefix AND our app as author). */
export const PR_STICKY: Marker = ours("<!-- merge-captain:pr v1 -->");
/** First line of the bot's sticky comment on a contract issue. */
export const ISSUE_STICKY: Marker = ours("<!-- merge-captain:issue -->");

export type StickyKind = "pr" | "issue";

export function stickyMarker(kind: StickyKind): Marker {
  switch (kind) {
    case "pr":
      return PR_STICKY;
    case "issue":
      return ISSUE_STICKY;
  }
}

/** Does this body open with the sticky marker of `kind`? Only the first line counts. */
export function opensWith(body: string, kind: StickyKind): boolean {
  const marker = stickyMarker(kind);
  return body.startsWith(marker) && (body.length === marker.length || body[marker.length] === "\n");
}

/** The visible part of a sticky body as we wrote it: between the opening marker and the state marker. */
export function visiblePart(body: string, kind: StickyKind): string {
  const marker = stickyMarker(kind);
  const start = opensWith(body, kind) ? marker.length : 0;
  const tail = trailingState(body);
  const end = tail === undefined ? body.length : tail.at;
  return body.slice(start, end).replace(/^\n/, "").trimEnd();
}

/** Base64url characters: no `-` run can close the comment early (`--` needs two, then `>`, which is not in the alphabet). */
const B64URL = "[A-Za-z0-9_-]";

/**
 * The ledger's marker: sealed JSON as `<payload>.<mac>`, both base64url. v2 is the sealed form;
 * v1 (plain base64 JSON, no seal) and the old issue `safety` marker are only ever read, for the
 * one-time migration of comments written before sealing.
 */
export function stateMarker(payload: string, mac: string): Marker {
  return ours(`<!-- merge-captain:state v2 ${payload}.${mac} -->`);
}

export type TrailingState =
  | { version: 2; payload: string; mac: string; at: number }
  | { version: 1; payload: string; at: number }
  | { version: "safety"; payload: string; at: number }
  /** The last line is one of our state markers, but not as we write them: someone edited it. */
  | { version: "garbled"; at: number };

/** Bound on the marker we parse: the ledger JSON is capped at 20 KiB, its base64 at 28 KiB. */
export const MAX_STATE_MARKER_CHARS = 40_000;

const TRAILING = new RegExp(
  [
    `^<!-- merge-captain:state v2 (${B64URL}+)\\.(${B64URL}{43}) -->$`,
    `^<!-- merge-captain:state v1 ([A-Za-z0-9+/]*={0,2}) -->$`,
    `^<!-- merge-captain:safety (${B64URL}{1,4000}) -->$`,
  ].join("|"),
);

/**
 * The state marker that ends a body, if the last line is one. A marker anywhere else (pasted
 * into a comment, or quoted) is not ours and is never read.
 */
export function trailingState(body: string): TrailingState | undefined {
  const trimmed = body.trimEnd();
  const at = trimmed.lastIndexOf("\n") + 1;
  const line = trimmed.slice(at);
  if (!/^<!-- merge-captain:(?:state|safety) /.test(line)) return undefined;
  const m = line.length > MAX_STATE_MARKER_CHARS ? null : TRAILING.exec(line);
  if (!m) return { version: "garbled", at };
  if (m[1] !== undefined && m[2] !== undefined) return { version: 2, payload: m[1], mac: m[2], at };
  if (m[3] !== undefined) return { version: 1, payload: m[3], at };
  if (m[4] !== undefined) return { version: "safety", payload: m[4], at };
  return { version: "garbled", at };
}

/**
 * A check run's digest of what it shows, the last line of its `text` (so an unchanged verdict costs
 * no write), and the verdict-inputs key it was written with (what the reconciler compares).
 */
export function digestMarker(digest: string, inputs?: string): Marker {
  return ours(`<!-- merge-captain:digest ${digest}${inputs ? ` inputs ${inputs}` : ""} -->`);
}

const TRAILING_DIGEST = /^<!-- merge-captain:digest ([0-9a-f]{16})(?: inputs ([0-9a-f]{16}))? -->$/;

/** The digest and inputs key on the last line of a check run's text; user text elsewhere cannot carry one. */
function trailingDigestLine(text: string | null | undefined): RegExpExecArray | null {
  const trimmed = (text ?? "").trimEnd();
  return TRAILING_DIGEST.exec(trimmed.slice(trimmed.lastIndexOf("\n") + 1));
}

export function trailingDigest(text: string | null | undefined): string | undefined {
  return trailingDigestLine(text)?.[1];
}

export function trailingInputs(text: string | null | undefined): string | undefined {
  return trailingDigestLine(text)?.[2];
}

/** Text the bot writes with its markers: one opening it, optionally one (its state) closing it. */
export interface MarkedText {
  opening: Marker;
  visible: string;
  closing?: Marker;
}

/** First line of an experiment issue's status comment. */
export const EXPERIMENT_STICKY: Marker = ours("<!-- merge-captain:experiment -->");

/** What the experiment status comment remembers (base64url JSON), on its last line. */
export function experimentStateMarker(payload: string): Marker {
  return ours(`<!-- merge-captain:experiment v1 ${payload} -->`);
}

/** The experiment state on the last line of a status comment, or undefined. */
export function trailingExperimentState(body: string | undefined): string | undefined {
  const trimmed = (body ?? "").trimEnd();
  const line = trimmed.slice(trimmed.lastIndexOf("\n") + 1);
  return /^<!-- merge-captain:experiment v1 ([A-Za-z0-9_-]{1,1000}) -->$/.exec(line)?.[1];
}

const ISO_TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,3})?Z";

/** First line of a heartbeat reminder: the update it was about. */
export function heartbeatMarker(at: string): Marker {
  if (!new RegExp(`^${ISO_TIME}$`).test(at)) throw new Error(`heartbeatMarker: ${at} is not an ISO time`);
  return ours(`<!-- merge-captain:heartbeat ${at} -->`);
}

/** The update a reminder was about, read only from its first line; undefined for anything else. */
export function readHeartbeatMarker(body: string | null | undefined): string | undefined {
  const first = (body ?? "").split("\n", 1)[0] ?? "";
  return new RegExp(`^<!-- merge-captain:heartbeat (${ISO_TIME}) -->$`).exec(first)?.[1];
}

/** First line of the merge-plan issue the bot keeps (found by this line AND our App as its author). */
export const PLAN_ISSUE: Marker = ours("<!-- merge-captain:plan v1 -->");

/** Does this body open with `marker` as its whole first line? */
export function opensWithMarker(body: string, marker: Marker): boolean {
  return body.startsWith(marker) && (body.length === marker.length || body[marker.length] === "\n");
}

/** Which criteria did not pass, by kind: ids are ours (`depends-on`, `scope`), never user text. */
export interface CriteriaLists {
  fail: string[];
  pending: string[];
  unverified: string[];
}

const CRITERIA_KINDS = ["fail", "pending", "unverified"] as const;
const CRITERION_ID = /^[a-z][a-z0-9-]{0,40}$/;

/**
 * The first line of our `merge-captain` check's text: the criteria that did not pass, so a reader
 * of the check alone (the merge plan) can tell "red only because a dependency is open" from "red".
 */
export function criteriaMarker(lists: CriteriaLists): Marker {
  const ids = (xs: readonly string[]) => xs.filter((id) => CRITERION_ID.test(id)).join(",");
  return ours(`<!-- merge-captain:criteria v1 ${CRITERIA_KINDS.map((k) => `${k}=${ids(lists[k])}`).join(" ")} -->`);
}

/** The criteria marker, read only from the first line of a check's text; undefined for an older check, or none. */
export function readCriteriaMarker(text: string | null | undefined): CriteriaLists | undefined {
  const first = (text ?? "").slice(0, 2000).split("\n", 1)[0] ?? "";
  const m =
    /^<!-- merge-captain:criteria v1 fail=([a-z0-9,-]*) pending=([a-z0-9,-]*) unverified=([a-z0-9,-]*) -->$/.exec(
      first,
    );
  if (!m) return undefined;
  const list = (x: string): string[] | undefined => {
    const ids = x === "" ? [] : x.split(",");
    return ids.every((id) => CRITERION_ID.test(id)) ? ids : undefined;
  };
  const [fail, pending, unverified] = [list(m[1]!), list(m[2]!), list(m[3]!)];
  return fail && pending && unverified ? { fail, pending, unverified } : undefined;
}

/** Invisible, and breaks the sequence: `<` + U+200B + `!--` is text, not a comment opener. */
const BREAK = "\u200b";

/**
 * Make text unable to open an HTML comment: `<!--` gets an invisible break, and reads the same in
 * prose and in code spans. The choke point applies it to every string the bot sends; our own
 * markers are added after it, whole on their own line, so they are the only comments in what the
 * bot writes — and a stray `-->` (a Mermaid arrow) has nothing left to close.
 */
export function defuseMarkers(text: string): string {
  return text.replace(/<!--/g, `<${BREAK}!--`);
}

/** Could this text open an HTML comment? (What `defuseMarkers` removes.) */
export function hasCommentSyntax(text: string): boolean {
  return text.includes("<!--");
}
