/** The sanitizer's rules: one entry per kind of secret or internal-infrastructure detail, each able to find its own spans. */

import {
  type HostPolicy,
  hostPolicy,
  parseIpv4Loose,
  isAllowedHost,
  isInternalHost,
  isInternalName,
  isPrivateIpv4,
  isPrivateIpv6,
  parseIpv4,
  parseIpv6,
} from "./address.js";
import {
  around,
  asciiTable,
  type KeyShape,
  keyedStarts,
  literalStarts,
  matchesAt,
  matchStarts,
  occurrencesOf,
  positionsOf,
} from "./anchors.js";
import { literalPrefixes, TOKEN_FAMILIES, tokenRules } from "./tokens.js";

/** Credentials must be revoked when leaked; infrastructure details only need to be hidden. */
export type RuleKind = "credential" | "infrastructure";

/** A half-open range [start, end) of UTF-16 offsets in the scanned text. */
export interface Span {
  start: number;
  end: number;
}

/** What a rule may know besides the text: the caller's host configuration. */
export interface RuleContext {
  readonly hosts: HostPolicy;
}

export interface Rule {
  /** Stable id, used in placeholders (`[redacted:<id>]`) and findings; lower case, digits and hyphens. */
  readonly id: string;
  readonly description: string;
  /** Where the pattern comes from (gitleaks rule, GitHub secret-scanning pattern, detect-secrets plugin, RFC). */
  readonly source: string;
  readonly kind: RuleKind;
  /**
   * Lower-case strings of which at least one must occur in the lower-cased text for the rule to run at all;
   * empty means always run. Only worth it where the search costs more than scanning for the keywords
   * (URL parsing, key=value forms); a rule that starts with a literal prefix is as fast without one.
   */
  readonly keywords: readonly string[] | ((ctx: RuleContext) => readonly string[]);
  /** Every span to redact. Patterns are bounded and anchored by look-behinds so that each runs in linear time. */
  find(text: string, ctx: RuleContext): Iterable<Span>;
}

interface RegexFinderOptions {
  /**
   * Characters that may not come right before the match. Checked in code rather than by a leading
   * look-behind, which keeps V8 from scanning for the regex's first literal and made every
   * position of a megabyte a candidate.
   */
  notAfter?: RegExp;
  /** Redact only this capture group (needs the `d` flag); the whole match otherwise. */
  group?: number;
  /** Keep a match only if this holds for the redacted value. */
  accept?: (value: string, match: RegExpExecArray, text: string, ctx: RuleContext) => boolean;
  /** Trailing characters that belong to the sentence, not the value (URLs in prose and Markdown). */
  trimTrailing?: string;
  /**
   * Every position a match can start at, ascending (anchors.ts): the regex then runs sticky there
   * only, with the same matches as a global scan and none of its position-by-position search.
   */
  starts?: (text: string, ctx: RuleContext) => Iterable<number>;
}

/**
 * Where a match must contain a literal (`://`, `@`, `:`) that is rarer than the match's first
 * characters: find the literal with indexOf, walk back over the characters a match may start
 * with, and try the regex there only. The same matches as a global scan when the regex's
 * look-behind allows no other start, at the cost of one native search for the literal.
 */
interface Anchor {
  text: string;
  /** Characters between the match start and the anchor. */
  back: RegExp;
  /** At most this many of them. */
  max: number;
  /** A literal that may come before those characters and belongs to the match (`jdbc:`). */
  lead?: string;
}

/** Runs a global regex over the text and yields the spans it finds (fresh lastIndex each call). */
function regexFinder(
  re: RegExp,
  opts: RegexFinderOptions & { anchor?: Anchor } = {},
): (text: string, ctx: RuleContext) => Span[] {
  if (!re.global) throw new Error(`sanitize rule regex ${re} must be global`);
  if (opts.group !== undefined && !re.hasIndices) throw new Error(`sanitize rule regex ${re} needs the d flag`);
  const anchor = opts.anchor;
  return (text, ctx) => {
    const spans: Span[] = [];
    const take = (m: RegExpExecArray): void => {
      let start = m.index;
      let end = m.index + m[0].length;
      if (opts.group !== undefined) {
        const range = m.indices?.[opts.group];
        if (range === undefined) return;
        [start, end] = range;
      }
      if (opts.trimTrailing !== undefined) {
        // A loop, not a `[…]+$` regex: that one is retried at every position of a run and goes quadratic.
        while (end > start && opts.trimTrailing.includes(text[end - 1]!)) end--;
      }
      if (end <= start) return;
      if (opts.notAfter !== undefined && m.index > 0 && opts.notAfter.test(text[m.index - 1]!)) return;
      if (opts.accept !== undefined && !opts.accept(text.slice(start, end), m, text, ctx)) return;
      spans.push({ start, end });
    };
    if (opts.starts !== undefined) {
      for (const m of matchesAt(re, text, opts.starts(text, ctx))) take(m);
      return spans;
    }
    if (anchor !== undefined) {
      const sticky = new RegExp(re.source, re.flags.replace("g", "") + "y");
      let covered = 0;
      for (let at = text.indexOf(anchor.text); at !== -1; at = text.indexOf(anchor.text, at + 1)) {
        if (at < covered) continue;
        let start = at;
        while (start > covered && at - start < anchor.max && anchor.back.test(text[start - 1]!)) start--;
        if (anchor.lead !== undefined && text.startsWith(anchor.lead, start - anchor.lead.length))
          start -= anchor.lead.length;
        sticky.lastIndex = start;
        const m = sticky.exec(text);
        if (m === null || m[0].length === 0) continue;
        covered = m.index + m[0].length;
        take(m);
      }
      return spans;
    }
    const pattern = new RegExp(re.source, re.flags);
    let m: RegExpExecArray | null;
    while ((m = pattern.exec(text)) !== null) {
      if (m[0].length === 0) {
        pattern.lastIndex++;
        continue;
      }
      take(m);
    }
    return spans;
  };
}

/** The scheme of a URL runs back from `://`: at most 31 characters (`[A-Za-z][A-Za-z0-9+.-]{0,30}`). */
const SCHEME_ANCHOR: Anchor = { text: "://", back: /[A-Za-z0-9+.-]/, max: 31 };

function combine(
  ...finders: Array<(text: string, ctx: RuleContext) => Span[]>
): (text: string, ctx: RuleContext) => Span[] {
  return (text, ctx) => finders.flatMap((f) => f(text, ctx));
}

/**
 * For patterns whose distinctive part comes last (a DNS suffix, a pod's random suffix): find that tail with a cheap
 * regex, walk back over the token's characters to where the token starts, and match the whole pattern there with a
 * sticky regex. Same result as running the whole pattern globally (its look-behind only lets a token start match),
 * without trying it at every position of a megabyte of log.
 */
export function tailAnchoredFinder(
  tails: (text: string, ctx: RuleContext) => Iterable<RegExpExecArray>,
  tokenChars: string,
  maxLength: number,
  whole: RegExp,
  accept: (value: string, ctx: RuleContext) => boolean,
): (text: string, ctx: RuleContext) => Span[] {
  if (!whole.sticky) throw new Error(`sanitize rule regex ${whole} must be sticky`);
  const tokenChar = asciiTable(tokenChars);
  return (text, ctx) => {
    const spans: Span[] = [];
    const pattern = new RegExp(whole.source, whole.flags);
    let covered = 0;
    // A walk back that reaches the previous tail is in that tail's run of token characters: the
    // look-behind lets a match start only where the run starts, so this tail starts where that one
    // did, with the same match, which either was taken or failed for both. It is skipped, and a run
    // of many tails (`.svc..svc..svc`) is walked once, not once per tail.
    let lastTail = -1;
    for (const t of tails(text, ctx)) {
      const floor = Math.max(0, t.index - maxLength);
      let start = t.index;
      while (start > floor && start > lastTail && tokenChar[text.charCodeAt(start - 1)] === 1) start--;
      const sameRun = start === lastTail;
      lastTail = t.index;
      if (sameRun || start < covered) continue;
      pattern.lastIndex = start;
      const m = pattern.exec(text);
      if (m === null || m.index + m[0].length < t.index + t[0].length || !accept(m[0], ctx)) continue;
      spans.push({ start, end: m.index + m[0].length });
      covered = m.index + m[0].length;
    }
    return spans;
  };
}

/** Candidate starts of a key[:=]value rule (anchors.ts). */
function keyed(shape: KeyShape): (text: string) => number[] {
  return (text) => keyedStarts(text, shape);
}

const hasDigit = (s: string): boolean => /\d/.test(s);
const hasLetter = (s: string): boolean => /[A-Za-z]/.test(s);
/** Sentence punctuation after a URL: "see http://x.svc/a)." keeps its ")." */
const URL_TRAILING_PUNCTUATION = ".,;:!?)]}>*_~";

// ---------------------------------------------------------------------------------------------
// Private keys: the END marker is searched once for the whole text (not once per BEGIN), so many
// BEGIN markers without an END stay linear. A BEGIN without END (a truncated log) still redacts
// the base64 body that follows, failing closed.
const PEM_BEGIN = /-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
const PEM_END = /-----END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)?-----/g;
/** Body on the BEGIN line itself, as in JSON strings with escaped newlines. */
const PEM_INLINE_BODY = /(?:\\[nr]|[A-Za-z0-9+/= ])*/y;
/** Body lines: base64, or an RFC 1421 header such as "Proc-Type: 4,ENCRYPTED", or blank. */
const PEM_BODY_LINE = /^[ \t]*(?:(?:[A-Za-z0-9+/=]{8,}|[A-Za-z-]{1,40}: [^\n]{0,200})[ \t]*)?\r?$/;

function findPrivateKeys(text: string): Span[] {
  const ends: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(PEM_END)) ends.push({ start: m.index, end: m.index + m[0].length });
  const spans: Span[] = [];
  let next = 0;
  for (const m of text.matchAll(PEM_BEGIN)) {
    const begin = m.index;
    const afterBegin = begin + m[0].length;
    while (next < ends.length && (ends[next]?.start ?? 0) < afterBegin) next++;
    const end = ends[next];
    if (end !== undefined) {
      spans.push({ start: begin, end: end.end });
      continue;
    }
    PEM_INLINE_BODY.lastIndex = afterBegin;
    PEM_INLINE_BODY.exec(text);
    let stop = Math.max(afterBegin, PEM_INLINE_BODY.lastIndex);
    let lineEnd = text.indexOf("\n", stop);
    while (lineEnd !== -1) {
      const nextEnd = text.indexOf("\n", lineEnd + 1);
      const line = text.slice(lineEnd + 1, nextEnd === -1 ? text.length : nextEnd);
      if (line.trim() === "" || !PEM_BODY_LINE.test(line)) break;
      stop = lineEnd + 1 + line.replace(/\r$/, "").length;
      lineEnd = nextEnd;
    }
    spans.push({ start: begin, end: stop });
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Kubernetes pod names. Generated suffixes use the apimachinery rand alphabet
// "bcdfghjklmnpqrstvwxz2456789" (no vowels, no 0/1/3): ReplicaSet pods are
// <deployment>-<pod-template-hash 6..10>-<5>, Job pods <job>-<5>. A token is matched whole and
// judged in code, which is clearer and cheaper than one regex with alternations.
const K8S_TOKEN = /(?<![A-Za-z0-9_.-])[a-z0-9]{1,63}(?:-[a-z0-9]{1,63}){1,30}(?![A-Za-z0-9_-]|\.[a-z0-9])/y;
const K8S_TAIL = /-[bcdfghjklmnpqrstvwxz2456789]{5}(?![A-Za-z0-9_-]|\.[a-z0-9])/g;
const K8S_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]+$/;
const K8S_ALPHABET = new Uint8Array(128);
for (const c of "bcdfghjklmnpqrstvwxz2456789") K8S_ALPHABET[c.charCodeAt(0)] = 1;

/** Five characters of the rand alphabet from `at` (a few table reads rule out most of a log's `-`). */
function k8sSuffixAt(text: string, at: number): boolean {
  for (let i = at; i < at + 5; i++) {
    const c = text.charCodeAt(i);
    if (c > 127 || K8S_ALPHABET[c] !== 1) return false;
  }
  return true;
}

function isGeneratedPodName(token: string): boolean {
  const parts = token.split("-");
  const last = parts[parts.length - 1] ?? "";
  if (last.length !== 5 || !K8S_SUFFIX.test(last) || !hasLetter(last)) return false;
  const hash = parts[parts.length - 2] ?? "";
  const replicaSet =
    parts.length >= 3 && hash.length >= 6 && hash.length <= 10 && K8S_SUFFIX.test(hash) && hasDigit(hash + last);
  // Without a template hash the 5-character suffix alone is weak evidence; a digit in it rules out words like "crwth".
  const job = hasDigit(last);
  return replicaSet || job;
}

// ---------------------------------------------------------------------------------------------
// Namespaces: "-n <ns>" is a namespace only on a kubectl/helm-like command line ("head -n 20",
// "pytest -n auto" are not), so the line is checked, once per line.
const NAME_1123 = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const NAME_END = "(?![A-Za-z0-9_-]|\\.[A-Za-z0-9])";
const PUBLIC_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);
const KUBE_COMMAND = /(?<![A-Za-z0-9_-])(?:kubectl|helm|oc|kubens|k9s|kustomize|stern|kubectx)(?![A-Za-z0-9_-])/;

function namespaceAccept(value: string): boolean {
  return hasLetter(value) && !PUBLIC_NAMESPACES.has(value);
}

function findShortNamespaceFlags(text: string, ctx: RuleContext): Span[] {
  const flag = PLANS.namespaceShortFlag.re;
  // Matches arrive in order: a match's line is looked up once, back to the previous line's end at
  // most and forward to its own end, so all lookups together read the text once, even one huge line.
  let lineEnd = -1;
  let kubeLine = false;
  return regexFinder(flag, {
    starts: PLANS.namespaceShortFlag.starts,
    group: 1,
    accept: (value, m, whole) => {
      if (!namespaceAccept(value)) return false;
      if (m.index > lineEnd) {
        const lineStart = whole.lastIndexOf("\n", m.index) + 1;
        const next = whole.indexOf("\n", m.index);
        lineEnd = next === -1 ? whole.length : next;
        kubeLine = KUBE_COMMAND.test(whole.slice(lineStart, lineEnd));
      }
      return kubeLine;
    },
  })(text, ctx);
}

// ---------------------------------------------------------------------------------------------
// IPv6: every address has a colon, and text has few; so walk from each colon to the start of its run of
// hex digits and colons, and try the address pattern only there (its look-behind allows no other start).
const IPV6 =
  /(?<![A-Za-z0-9_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?(?:%[A-Za-z0-9_.-]{1,32})?(?![A-Za-z0-9_.]|:[0-9A-Fa-f:])/y;

function isIpv6Char(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x3a) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66) // 0-9 : A-F a-f
  );
}

/** `IPV6` can match at `start` only if two groups of at most four hex digits, each ended by a colon, come first. */
function twoGroupsAt(text: string, start: number, runEnd: number): boolean {
  let at = start;
  for (let group = 0; group < 2; group++) {
    const from = at;
    while (at < runEnd && text.charCodeAt(at) !== 0x3a) at++;
    if (at >= runEnd || at - from > 4) return false;
    at++;
  }
  return true;
}

export function findIpv6(text: string): Span[] {
  const spans: Span[] = [];
  const pattern = new RegExp(IPV6.source, IPV6.flags);
  let next = 0;
  const colons = positionsOf(text, ":");
  for (let i = 0; i < colons.length; i++) {
    const colon = colons[i]!;
    if (colon < next) continue;
    // An address's colons lie at most five apart (four hex digits between): a colon with no other that
    // close is none of an address's, and its run (which only its first colon can start) holds none.
    if ((i === 0 || colon - colons[i - 1]! > 5) && (i + 1 === colons.length || colons[i + 1]! - colon > 5)) continue;
    let start = colon;
    while (start > 0 && colon - start < 48 && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let runEnd = colon + 1;
    while (runEnd < text.length && isIpv6Char(text.charCodeAt(runEnd))) runEnd++;
    next = runEnd;
    // Most colons of a log (times, `key: value`, ports) fail this, and the regex is not run at all.
    if (!twoGroupsAt(text, start, runEnd)) continue;
    pattern.lastIndex = start;
    const m = pattern.exec(text);
    if (m !== null) {
      const groups = parseIpv6(m[0]);
      if (groups !== undefined && isPrivateIpv6(groups)) spans.push({ start, end: start + m[0].length });
      next = Math.max(next, start + m[0].length);
    }
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Host names and URLs.
const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`(?<![A-Za-z0-9_.-])(?:${LABEL}\\.){1,126}${LABEL}${NAME_END}`, "y");
/** Where an internal name ends: ".svc", ".corp", a configured domain … (longest first, so "cluster.local" wins over "local"). */
function suffixTail(ctx: RuleContext): RegExp {
  const suffixes = [...ctx.hosts.suffixes]
    .sort((a, b) => b.length - a.length)
    .map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`\\.(?:${suffixes.join("|")})${NAME_END}`, "gi");
}

/** The rules' context when a caller gives none: no configured hosts or domains. */
const DEFAULT_CONTEXT: RuleContext = { hosts: hostPolicy() };

/** A private dotted IPv4 starts with a private first octet; the rest is checked in code. */
const IPV4_DOTTED = /(?:10|127|172|192|100|169)\.\d{1,3}\.\d{1,3}\.\d{1,3}(?![A-Za-z0-9_]|\.\d|-[A-Za-z])/g;

/**
 * One search for the patterns that start with a character too common to index (`1` of a private
 * IPv4, `.` of an internal suffix, `b` of bearer and basic, the token prefixes such as `dapi`): V8
 * runs one alternation over the text where it ran four scans, and each rule reads its own starts
 * from the result by their first character. The alternatives start with different characters, so
 * the search starts a match wherever any of them matches; case-insensitive for the suffixes and
 * scheme words, a superset for the others, whose own regex decides.
 */
interface CommonSearch {
  search: RegExp;
  suffix: RegExp;
}
const commonSearches = new Map<string, CommonSearch>();
const COMMON_SEARCHES_KEPT = 32;

function commonSearch(ctx: RuleContext): CommonSearch {
  const suffix = suffixTail(ctx);
  let found = commonSearches.get(suffix.source);
  if (found === undefined) {
    const literals = literalPrefixes().map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const parts = [IPV4_DOTTED.source, suffix.source, AUTH_SCHEME.source, ...literals];
    found = { search: new RegExp(parts.join("|"), "gi"), suffix };
    // Each configured set of internal domains has its own search; a few are kept, not every one ever seen.
    if (commonSearches.size >= COMMON_SEARCHES_KEPT) commonSearches.clear();
    commonSearches.set(suffix.source, found);
  }
  return found;
}

/** Where the common search matched, filtered by first character (`code` is lower case for letters). */
function commonStarts(text: string, ctx: RuleContext | undefined, code: number): number[] {
  const { search } = commonSearch(ctx ?? DEFAULT_CONTEXT);
  return matchStarts(text, search).filter((at) => (text.charCodeAt(at) | 0x20) === code);
}

/** The first characters of the token prefixes in the common search, lower case. */
const TOKEN_LITERAL_FIRSTS = new Set(literalPrefixes().map((p) => p.charCodeAt(0) | 0x20));

function tokenLiteralStarts(text: string, ctx: RuleContext): number[] {
  return matchStarts(text, commonSearch(ctx).search).filter((at) =>
    TOKEN_LITERAL_FIRSTS.has(text.charCodeAt(at) | 0x20),
  );
}
/** A URL with any scheme; the authority is parsed in code. */
const URL = /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s<>"'`]{1,2048}/g;

/** The host of a URL: userinfo and port removed, IPv6 brackets kept. */
export function urlHost(url: string): string {
  const afterScheme = url.slice(url.indexOf("://") + 3);
  const authority = afterScheme.split(/[/?#\\]/, 1)[0] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort.startsWith("[")) {
    const close = hostPort.indexOf("]");
    return close === -1 ? hostPort : hostPort.slice(0, close + 1);
  }
  return hostPort.split(":", 1)[0] ?? "";
}

function configuredHostFinder(text: string, ctx: RuleContext): Span[] {
  if (ctx.hosts.hosts.size === 0) return [];
  const names = [...ctx.hosts.hosts]
    .sort((a, b) => b.length - a.length)
    .map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const re = new RegExp(`(?<![A-Za-z0-9_.-])(?:${names.join("|")})${NAME_END}`, "gi");
  return regexFinder(re, { accept: (value) => !isAllowedHost(value, ctx.hosts) })(text, ctx);
}

const KEYS = [
  "password",
  "passwd",
  "pwd",
  "secret",
  "client[_-]?secret",
  "secret[_-]?key",
  "api[_-]?key",
  "access[_-]?token",
  "auth[_-]?token",
  "refresh[_-]?token",
  "id[_-]?token",
  "private[_-]?token",
  "token",
].join("|");

export const SECRET_ASSIGNMENT = new RegExp(`(${KEYS})["']?[ \\t]*[:=][ \\t]*["']?([^\\s"',;]{4,4096})`, "dgi");
/** From each `:` and `=` back to a key such as `password` or `client_secret` (at most 13 characters, ending d, t, y or n). */
export const SECRET_ASSIGNMENT_STARTS = keyed({
  separators: ":=",
  quotes: `"'`,
  lastChars: "dtyn",
  key: new RegExp(`(?:${KEYS})$`, "gi"),
  maxKey: 13,
});

/** Values that name a secret rather than contain it: `${{ secrets.X }}`, `$VAR`, `<token>`, `%s`, `{placeholder}`. */
const INDIRECT_VALUE = /^[$<%{]/;

function looksLikeSecretValue(value: string): boolean {
  if (INDIRECT_VALUE.test(value)) return false;
  if (/^[-+]?[\d.eE+-]+$/.test(value)) return false; // counts and metrics such as max_token: 4096
  return value.length >= 8 && (hasDigit(value) || value.length >= 20);
}

/** Words that stand where a password would, but say that there is none or where it is. */
const NOT_A_PASSWORD = new Set([
  "none",
  "null",
  "nil",
  "true",
  "false",
  "required",
  "optional",
  "empty",
  "changeme",
  "redacted",
  "hidden",
  "secret",
  "password",
  "string",
  "example",
]);

/**
 * A password is often short (`password=hunter2`): any value of four or more characters counts,
 * unless it names the password (`${DB_PASSWORD}`), masks it (`********`), or is a word that says
 * there is none. `pwd` is also the working directory (`PWD=/home/runner/work`): paths are not passwords.
 */
function looksLikePassword(value: string, key: string): boolean {
  if (value.length < 4 || INDIRECT_VALUE.test(value) || NOT_A_PASSWORD.has(value.toLowerCase())) return false;
  if (/^(.)\1*$/.test(value) && /^[*x•.#-]/i.test(value)) return false;
  if (key === "pwd" && (value.startsWith("/") || value.startsWith("~"))) return false;
  return true;
}

/** Assignments of a password, secret or token: the key decides how short a value may be. */
function secretAssignmentAccept(value: string, m: RegExpExecArray, text: string): boolean {
  // The key must start a word (checked here: a look-behind would make every position a candidate).
  if (/[A-Za-z0-9]/.test(text[m.index - 1] ?? "")) return false;
  const key = (m[1] ?? "").toLowerCase();
  return key === "password" || key === "passwd" || key === "pwd"
    ? looksLikePassword(value, key)
    : looksLikeSecretValue(value);
}

// ---------------------------------------------------------------------------------------------
// IPv4 in the other forms a URL parser or socket call accepts (integer, hex, octal, short dotted):
// redacted where an address is expected (a URL host, host:port, user@host, an address-named key)
// and, for an exact 32-bit hex constant, anywhere. A bare `10.0.7` stays: it is far more often a
// version (gcc 10.2.1, macOS 10.15.7) than an address.
const LOOSE_PART = "(?:0[xX][0-9a-fA-F]{1,8}|\\d{1,10})";
const LOOSE_IPV4 = `${LOOSE_PART}(?:\\.${LOOSE_PART}){0,3}`;
/**
 * The forms whose value can be private at all: a private first octet, hex, octal, or a decimal of
 * eight digits or more. Searching only for these keeps the many `: 123` of a log out of the way.
 */
const LOOSE_PRIVATE = `(?:(?:10|127|172|192|100|169|0[0-7]{1,11}|0[xX][0-9a-fA-F]{1,8})(?:\\.${LOOSE_PART}){0,3}|\\d{8,10})`;

export function privateLooseIpv4(value: string, minDottedParts: number): boolean {
  const parts = value.split(".").length;
  if (parts === 1) {
    // One number: hex, or a decimal of at least 2^24 (smaller ones are counts, not addresses).
    if (!/^0[xX]/.test(value) && !(/^\d+$/.test(value) && Number(value) >= 2 ** 24)) return false;
  } else if (parts < minDottedParts) return false;
  const octets = parseIpv4Loose(value);
  return octets !== undefined && isPrivateIpv4(octets);
}

/** host:port in any IPv4 form: found from the `:port` (rarer than digits), the host read back from there; the port stays. */
const PORT_TAIL = /:\d{2,5}(?![A-Za-z0-9_.])/g;
const HOST_BEFORE_PORT = new RegExp(`(?<![A-Za-z0-9_.:])${LOOSE_IPV4}(?=:\\d)`, "y");
const HEX_DIGIT = asciiTable("0123456789abcdefABCDEF");
/** Characters of a host in any IPv4 form: digits, hex digits, `x` and dots. */
const LOOSE_IPV4_CHAR = asciiTable("0123456789abcdefABCDEFxX.");

const DIGIT = asciiTable("0123456789");

/**
 * The colons of host:port candidates: a hex digit before (every IPv4 form ends in one) and two digits
 * after. A port match holds no other colon, so dropping the rest never uncovers another start.
 */
function portColons(text: string): number[] {
  const { positions, before1, after1, after2 } = around(text, ":");
  return positions.filter((_, i) => HEX_DIGIT[before1[i]!] === 1 && DIGIT[after1[i]!] === 1 && DIGIT[after2[i]!] === 1);
}

export function findHostPortIpv4(text: string): Span[] {
  const spans: Span[] = [];
  for (const t of matchesAt(PORT_TAIL, text, portColons(text))) {
    let start = t.index;
    while (start > 0 && t.index - start < 48 && LOOSE_IPV4_CHAR[text.charCodeAt(start - 1)] === 1) start--;
    HOST_BEFORE_PORT.lastIndex = start;
    const m = HOST_BEFORE_PORT.exec(text);
    if (m === null || m.index + m[0].length !== t.index || !privateLooseIpv4(m[0], 3)) continue;
    spans.push({ start, end: t.index });
  }
  return spans;
}

const ADDRESS_KEYS = ["addr", "address", "host", "hostname", "ip", "server", "endpoint", "nameserver"];
/** The last characters of the address keys, either case: most `:` and `=` of a log follow none. */
const ADDRESS_KEY_LAST = asciiTable(
  ADDRESS_KEYS.map((k) => k.at(-1)!.toLowerCase() + k.at(-1)!.toUpperCase()).join(""),
);
/** `=` or `:` then an address-like value; the key before it is checked in code (a word list first made every position a candidate). */
const KEYED_VALUE = new RegExp(`[:=][ \\t]{0,8}["']?(${LOOSE_PRIVATE})(?![A-Za-z0-9_.-])`, "dg");

/** Separators right after an address key's last character (or a quote after it); a value holds no separator, so none is uncovered. */
function addressSeparators(text: string): number[] {
  const { positions, before1, before2 } = around(text, ":=");
  return positions.filter((_, i) => {
    const c = before1[i]!;
    return ADDRESS_KEY_LAST[c === 0x22 || c === 0x27 ? before2[i]! : c] === 1;
  });
}

/** ADDR=10.0.7, host: 167772167, "ip": "0x0a000007": the value, when the key names an address. */
export function findKeyedIpv4(text: string): Span[] {
  const spans: Span[] = [];
  for (const m of matchesAt(KEYED_VALUE, text, addressSeparators(text))) {
    let end = m.index;
    if (text[end - 1] === '"' || text[end - 1] === "'") end--;
    let start = end;
    while (start > 0 && end - start < 64 && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
    const word = text.slice(start, end).toLowerCase();
    const key = ADDRESS_KEYS.find((k) => word.endsWith(k) && !/[a-z]/.test(word[word.length - k.length - 1] ?? ""));
    const range = m.indices?.[1];
    if (key === undefined || range === undefined || !privateLooseIpv4(m[1]!, 2)) continue;
    spans.push({ start: range[0], end: range[1] });
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Cluster storage: absolute paths under the mount roots of shared training clusters, and the value
// of a *_PATH / *_DIR / *_ROOT / *_HOME variable unless it is a standard system directory.
const CLUSTER_ROOTS =
  "data|mnt|scratch|shared|lustre|gpfs|fsx|efs|nfs|datasets|checkpoints|vol|volumes|nvme|raid|storage|cluster";
/** The first two characters of each root, as a 128×128 table (a non-ASCII character aliases: a candidate too many, never one missed). */
const CLUSTER_ROOT_HEADS = new Uint8Array(128 * 128);
for (const root of CLUSTER_ROOTS.split("|")) CLUSTER_ROOT_HEADS[root.charCodeAt(0) * 128 + root.charCodeAt(1)] = 1;
const SYSTEM_DIRS =
  /^\/(?:usr|bin|sbin|lib|lib64|etc|opt|tmp|proc|sys|dev|var|run|boot|root|home\/runner|github|__w)(?:\/|$)/;

/**
 * Whether `atob` accepts the value (the forgiving-base64 rules): up to two `=` only at the end of a
 * length that is a multiple of four, and no length of 4n+1 once they are gone. Checked first because
 * a throw costs microseconds, and a hostile text can hold thousands of `Basic` words.
 */
export function decodableBase64(value: string): boolean {
  let body = value;
  if (body.length % 4 === 0) body = body.replace(/={1,2}$/, "");
  return !body.includes("=") && body.length % 4 !== 1;
}

function base64Credentials(value: string): boolean {
  if (!decodableBase64(value)) return false;
  try {
    const decoded = atob(value);
    return decoded.includes(":") && /^[\x20-\x7e]+$/.test(decoded);
  } catch {
    return false;
  }
}

/** `bearer` and `basic` followed by a blank, any case, found in one search; `second` picks the word by its second letter. */
const AUTH_SCHEME = /b(?:earer|asic)[ \t]/gi;

function authSchemeStarts(text: string, ctx: RuleContext | undefined, second: "e" | "a"): number[] {
  return commonStarts(text, ctx, 0x62).filter((at) => (text.charCodeAt(at + 1) | 0x20) === second.charCodeAt(0));
}

/** Longest first, so that one `/` yields its starts in ascending order. */
const PVC_KEYS = ["persistentvolumeclaims", "persistentvolumeclaim", "pvc"];

/** Whether `word` (lower case) ends right before `at`, ASCII letters in either case. */
function endsWithIgnoringCase(text: string, at: number, word: string): boolean {
  const start = at - word.length;
  if (start < 0) return false;
  for (let k = 0; k < word.length; k++) if ((text.charCodeAt(start + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** A regex searched at candidate starts only (anchors.ts). */
export interface Plan {
  re: RegExp;
  /** The context is the caller's host configuration; without one, the defaults. */
  starts: (text: string, ctx?: RuleContext) => Iterable<number>;
}

/**
 * The rules' regexes that run at candidate starts instead of scanning every position, by name; the
 * property tests (anchors.test.ts) hold each to the global scan it replaced.
 */
export const PLANS = {
  /** A pod's generated suffix starts at a `-`: the shared `-` index, with the five characters read first. */
  k8sTail: {
    re: K8S_TAIL,
    starts: (text: string): number[] => {
      const { positions, after1, after2 } = around(text, "-");
      return positions.filter(
        (at, i) => K8S_ALPHABET[after1[i]!] === 1 && K8S_ALPHABET[after2[i]!] === 1 && k8sSuffixAt(text, at + 1),
      );
    },
  },
  awsSecretKey: {
    re: /(?<![A-Za-z0-9])aws_?secret_?(?:access_?)?key["']?[ \t]{0,5}[:=][ \t]{0,5}["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/dgi,
    starts: keyed({
      separators: ":=",
      quotes: `"'`,
      lastChars: "y",
      key: /aws_?secret_?(?:access_?)?key$/gi,
      maxKey: 21,
    }),
  },
  gcpServiceAccount: {
    re: /"(private_key|private_key_id|client_email|type)"[ \t]*:[ \t]*"((?:[^"\\\r\n]|\\.){1,16384})"/dg,
    starts: keyed({
      separators: ":",
      quotes: "",
      lastChars: '"',
      key: /"(?:private_key|private_key_id|client_email|type)"$/g,
      maxKey: 16,
    }),
  },
  kubeconfigData: {
    re: /(?<![A-Za-z0-9_-])(?:client-key-data|client-certificate-data|certificate-authority-data)"?[ \t]*:[ \t]*"?([A-Za-z0-9+/=]{1,65536})/dg,
    starts: keyed({
      separators: ":",
      quotes: '"',
      lastChars: "a",
      key: /(?:client-key-data|client-certificate-data|certificate-authority-data)$/g,
      maxKey: 26,
    }),
  },
  azureAccountKey: {
    re: /(?<![A-Za-z0-9])(?:AccountKey|SharedAccessKey)=([A-Za-z0-9+/]{40,90}={0,2})(?![A-Za-z0-9+/=])/dgi,
    starts: keyed({
      separators: "=",
      quotes: "",
      lastChars: "y",
      key: /(?:AccountKey|SharedAccessKey)$/gi,
      maxKey: 15,
    }),
  },
  azureSig: {
    re: /[?&]sig=([A-Za-z0-9%+/=]{40,256})(?![A-Za-z0-9%+/=])/dg,
    starts: keyed({ separators: "=", quotes: "", lastChars: "g", key: /[?&]sig$/g, maxKey: 4 }),
  },
  azureClientSecret: {
    re: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
    // "Q~" is 4 characters into the match.
    starts: (text: string) =>
      literalStarts(text, "~", 1, "q~")
        .map((q) => q - 4)
        .filter((start) => start >= 0),
  },
  authorizationHeader: {
    re: /(?<![A-Za-z0-9_-])(?:proxy-)?authorization["']?[ \t]*[:=][ \t]*["']?(?:(?:bearer|basic|token|digest|negotiate|apikey|bot)[ \t]+)?([^\s"',;]{8,4096})/dgi,
    starts: keyed({
      separators: ":=",
      quotes: `"'`,
      lastChars: "n",
      key: /(?:proxy-)?authorization$/gi,
      maxKey: 19,
    }),
  },
  kubeServer: {
    re: /(?<![A-Za-z0-9_-])server"?[ \t]*:[ \t]*"?([A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/[^\s"'<>`]{1,2048})/dgi,
    starts: keyed({ separators: ":", quotes: '"', lastChars: "r", key: /server$/gi, maxKey: 6 }),
  },
  ipDotted: {
    re: IPV4_DOTTED,
    starts: (text: string, ctx?: RuleContext) => commonStarts(text, ctx, 0x31), // "1"
  },
  /** An internal name's suffix starts at its `.` (the regex of the default suffixes; configured ones get their own). */
  internalSuffix: {
    re: suffixTail(DEFAULT_CONTEXT),
    starts: (text: string, ctx?: RuleContext) => commonStarts(text, ctx, 0x2e), // "."
  },
  ipDashed: {
    re: /(?<![A-Za-z0-9_-])ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})(?![A-Za-z0-9_]|-\d)/g,
    starts: (text: string) => literalStarts(text, "-", 2, "ip-"),
  },
  ipHex: {
    re: /0[xX][0-9a-fA-F]{8}(?![A-Za-z0-9_.])/g,
    starts: (text: string) => literalStarts(text, "xX", 1, "0x"),
  },
  ipAfterAt: {
    re: new RegExp(`@(${LOOSE_PRIVATE})(?![A-Za-z0-9_.-])`, "dg"),
    starts: (text: string) => positionsOf(text, "@"),
  },
  namespaceFlag: {
    re: new RegExp(`(?<![A-Za-z0-9_-])--namespace(?:=|[ \\t]+)(${NAME_1123})${NAME_END}`, "dg"),
    starts: (text: string) => literalStarts(text, "-", 0, "--namespace"),
  },
  namespaceKey: {
    re: new RegExp(`(?<![A-Za-z0-9_-])namespace["']?[ \\t]*[:=][ \\t]*["']?(${NAME_1123})${NAME_END}`, "dgi"),
    starts: keyed({ separators: ":=", quotes: `"'`, lastChars: "e", key: /namespace$/gi, maxKey: 9 }),
  },
  namespaceShortFlag: {
    re: new RegExp(`(?<![A-Za-z0-9_-])-n[ \\t]+(${NAME_1123})${NAME_END}`, "dg"),
    starts: (text: string) => literalStarts(text, "-", 0, "-n"),
  },
  pvcUid: {
    re: /(?<![A-Za-z0-9_-])pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![A-Za-z0-9_-])/gi,
    starts: (text: string) => literalStarts(text, "-", 3, "pvc-"),
  },
  claimName: {
    re: new RegExp(`(?<![A-Za-z0-9_-])claimName["']?[ \\t]*[:=][ \\t]*["']?(${NAME_1123})${NAME_END}`, "dgi"),
    starts: keyed({ separators: ":=", quotes: `"'`, lastChars: "e", key: /claimName$/gi, maxKey: 9 }),
  },
  /** `pvc/` or `persistentvolumeclaim(s)/`, any case, right before a `/`: the key ends there, with no blank or quote. */
  pvcSlash: {
    re: new RegExp(`(?<![A-Za-z0-9_-])(?:pvc|persistentvolumeclaims?)/(${NAME_1123})${NAME_END}`, "dgi"),
    starts: (text: string) => {
      const { positions, before1 } = around(text, "/");
      const starts: number[] = [];
      for (let i = 0; i < positions.length; i++) {
        const last = before1[i]! | 0x20;
        if (last !== 0x63 && last !== 0x6d && last !== 0x73) continue; // c, m, s
        for (const key of PVC_KEYS)
          if (endsWithIgnoringCase(text, positions[i]!, key)) starts.push(positions[i]! - key.length);
      }
      return starts;
    },
  },
  /** A webhook starts at its URL's scheme if it has one, else at the host. */
  slackWebhook: {
    re: /(?:https?:\/\/)?hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,256}/g,
    starts: (text: string) =>
      occurrencesOf(text, "hooks.slack.com/").flatMap((at) => {
        const scheme = ["https://", "http://"].find((s) => text.startsWith(s, at - s.length));
        return scheme === undefined ? [at] : [at - scheme.length, at];
      }),
  },
  /** Both words from one case-insensitive search (`bearer` and `basic` are each a scan of their own otherwise). */
  bearer: {
    re: /(?<![A-Za-z0-9_])bearer[ \t]+([A-Za-z0-9._~+/-]{8,4096}={0,4})/dgi,
    starts: (text: string, ctx?: RuleContext) => authSchemeStarts(text, ctx, "e"),
  },
  basic: {
    re: /basic[ \t]+([A-Za-z0-9+/]{8,4096}={0,2})(?![A-Za-z0-9+/=])/dgi,
    starts: (text: string, ctx?: RuleContext) => authSchemeStarts(text, ctx, "a"),
  },
  wandbLogin: {
    re: /(?<![A-Za-z0-9_-])wandb[ \t]+login(?:[ \t]+--?[a-z-]{1,20})*[ \t]+((?:local-)?[0-9a-f]{40})(?![A-Za-z0-9])/dg,
    starts: (text: string) => occurrencesOf(text, "wandb"),
  },
  wandbSdk: {
    re: /wandb\.login\([^)\n]{0,200}?key[ \t]*=[ \t]*["']((?:local-)?[0-9a-f]{40})["']/dg,
    starts: (text: string) => occurrencesOf(text, "wandb"),
  },
  wandbNetrc: {
    re: /api\.wandb\.ai[ \t]+login[ \t]+[^\s]{1,100}[ \t]+password[ \t]+((?:local-)?[0-9a-f]{40})(?![A-Za-z0-9])/dg,
    // "wandb" is 4 characters into the match.
    starts: (text: string) => occurrencesOf(text, "wandb").flatMap((at) => (at >= 4 ? [at - 4] : [])),
  },
  /** A mount root starts at a `/` (the shared index) whose next two characters begin a root's name. */
  clusterRoot: {
    re: new RegExp(`/(?:${CLUSTER_ROOTS})(?:/[A-Za-z0-9._@%+=-]{1,255}){1,64}`, "g"),
    starts: (text: string) => {
      const { positions, after1, after2 } = around(text, "/");
      return positions.filter((_, i) => CLUSTER_ROOT_HEADS[(after1[i]! & 127) * 128 + (after2[i]! & 127)] === 1);
    },
  },
  pathVariable: {
    re: /_(?:PATH|DIR|ROOT|HOME|MOUNT|CACHE)["']?=["']?(\/[^\s"'`:;,]{1,1024})/dg,
    starts: keyed({
      separators: "=",
      quotes: `"'`,
      lastChars: "hrte",
      key: /_(?:PATH|DIR|ROOT|HOME|MOUNT|CACHE)$/g,
      maxKey: 6,
    }),
  },
} satisfies Record<string, Plan>;

/** A rule's regex, run at its plan's candidate starts. */
function planned(plan: Plan, opts: RegexFinderOptions = {}): (text: string, ctx: RuleContext) => Span[] {
  return regexFinder(plan.re, { ...opts, starts: plan.starts });
}

export const RULES: readonly Rule[] = [
  {
    id: "private-key",
    description: "PEM or OpenSSH private key block (RSA, EC, DSA, OPENSSH, ENCRYPTED, PGP)",
    source: "gitleaks private-key; detect-secrets PrivateKeyDetector",
    kind: "credential",
    keywords: [],
    find: findPrivateKeys,
  },
  // Vendor tokens with a literal prefix: one table, one scan (tokens.ts).
  ...tokenRules(TOKEN_FAMILIES, tokenLiteralStarts),
  {
    id: "aws-secret-key",
    description: "AWS secret access key assigned to an aws_secret_access_key-like name",
    source: "detect-secrets AWSKeyDetector; GitHub secret scanning aws_secret_access_key",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.awsSecretKey, { group: 1 }),
  },
  {
    id: "gcp-service-account",
    description:
      'Google service-account JSON fields: "private_key", "private_key_id", "client_email" …gserviceaccount.com, "type": "service_account"',
    source:
      "GitHub secret scanning google_gcp_service_account / google_gcp_private_key_id; gitleaks gcp-service-account",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.gcpServiceAccount, {
      group: 2,
      accept: (value, m) => {
        switch (m[1]) {
          case "type":
            return value === "service_account";
          case "client_email":
            return value.endsWith("gserviceaccount.com");
          default:
            return true;
        }
      },
    }),
  },
  {
    id: "slack-webhook",
    description: "Slack incoming-webhook / workflow URL",
    source: "gitleaks slack-webhook-url; GitHub secret scanning slack_incoming_webhook_url",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.slackWebhook),
  },
  {
    id: "kubeconfig-data",
    description: "kubeconfig client-key-data, client-certificate-data, certificate-authority-data values",
    source: "Kubernetes kubeconfig format (clientcmd v1); gitleaks kubernetes-secret-yaml",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.kubeconfigData, { group: 1 }),
  },
  {
    id: "azure-key",
    description:
      "Azure storage account key (AccountKey=), Service Bus / Event Hubs key (SharedAccessKey=), SAS signature (sig=), Entra ID (AAD) client secret (…Q~…)",
    source:
      "GitHub secret scanning azure_storage_account_key, azure_sas_token, azure_active_directory_application_secret; gitleaks azure-ad-client-secret",
    kind: "credential",
    keywords: [],
    find: combine(
      planned(PLANS.azureAccountKey, { group: 1 }),
      planned(PLANS.azureSig, { group: 1 }),
      planned(PLANS.azureClientSecret),
    ),
  },
  {
    id: "database-url",
    description: "database / message-broker connection URL with credentials (postgres, mysql, mongodb, redis, amqp, …)",
    source: "detect-secrets BasicAuthDetector; gitleaks generic connection-string patterns",
    kind: "credential",
    keywords: ["://"],
    find: regexFinder(
      /(?<![A-Za-z0-9+.-])(?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|clickhouse|cockroachdb|couchdb|cassandra)(?:\+[a-z0-9]{1,20})?:\/\/[^\s<>"'`]{1,2048}/gi,
      {
        anchor: { ...SCHEME_ANCHOR, lead: "jdbc:" },
        trimTrailing: URL_TRAILING_PUNCTUATION,
        accept: (value) => {
          const authority = value.slice(value.indexOf("://") + 3).split(/[/?#]/, 1)[0] ?? "";
          return authority.includes("@") || /[?&;](?:password|pwd)=/i.test(value);
        },
      },
    ),
  },
  {
    id: "url-credentials",
    description: "user:password embedded in a URL (scheme://user:pass@host)",
    source: "detect-secrets BasicAuthDetector; RFC 3986 §3.2.1 (userinfo)",
    kind: "credential",
    keywords: ["://"],
    find: regexFinder(
      /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}:\/\/([^\s/?#@:"'<>]{1,256}:[^\s/?#@"'<>]{1,256})@/dg,
      { group: 1, anchor: SCHEME_ANCHOR },
    ),
  },
  {
    id: "authorization-header",
    description: "Authorization / Proxy-Authorization header value",
    source: "RFC 9110 §11.6.2 (Authorization); gitleaks authorization header patterns",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.authorizationHeader, { group: 1, accept: looksLikeSecretValue }),
  },
  {
    id: "bearer-token",
    description: "Bearer token (RFC 6750), e.g. in a curl -H argument",
    source: "RFC 6750 §2.1; gitleaks generic bearer patterns",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.bearer, {
      group: 1,
      accept: (value) => hasDigit(value) || value.length >= 20,
    }),
  },
  {
    id: "basic-auth",
    description: "HTTP Basic credentials (base64 of user:password)",
    source: "RFC 7617; detect-secrets BasicAuthDetector",
    kind: "credential",
    keywords: [],
    find: planned(PLANS.basic, {
      notAfter: /[A-Za-z0-9_]/,
      group: 1,
      accept: base64Credentials,
    }),
  },
  {
    id: "wandb-api-key",
    description:
      "Weights & Biases API key (40 hex characters, or local-…) after `wandb login`, in wandb.login(key=…), or in a .netrc entry for api.wandb.ai",
    source: "W&B CLI and SDK (wandb login, wandb.login, ~/.netrc); GitHub secret scanning wandb_api_key",
    kind: "credential",
    keywords: [],
    find: combine(
      planned(PLANS.wandbLogin, { group: 1 }),
      planned(PLANS.wandbSdk, { group: 1 }),
      planned(PLANS.wandbNetrc, { group: 1 }),
    ),
  },
  {
    id: "secret-assignment",
    description:
      "a value assigned to a password / secret / token / api_key name (incl. kubeconfig `token:`; passwords of four characters and more)",
    source: "detect-secrets KeywordDetector; gitleaks generic-api-key; kubeconfig users[].user.token",
    kind: "credential",
    keywords: [],
    find: regexFinder(SECRET_ASSIGNMENT, {
      group: 2,
      accept: secretAssignmentAccept,
      starts: SECRET_ASSIGNMENT_STARTS,
    }),
  },
  {
    id: "kube-server",
    description: "kubeconfig `server:` URL of a cluster API endpoint",
    source: "Kubernetes kubeconfig format (clusters[].cluster.server)",
    kind: "infrastructure",
    keywords: [],
    find: planned(PLANS.kubeServer, {
      group: 1,
      trimTrailing: URL_TRAILING_PUNCTUATION,
      accept: (value, _m, _t, ctx) => !isAllowedHost(urlHost(value), ctx.hosts),
    }),
  },
  {
    id: "internal-url",
    description: "URL whose host is a private IP, an internal DNS name or a configured internal host/domain",
    source:
      "RFC 1918, RFC 6598, RFC 3927, RFC 4193, RFC 4291, RFC 6762, RFC 8375; repo config internal_domains/internal_hosts",
    kind: "infrastructure",
    keywords: ["://"],
    find: regexFinder(URL, {
      anchor: SCHEME_ANCHOR,
      trimTrailing: URL_TRAILING_PUNCTUATION,
      accept: (value, _m, _t, ctx) => isInternalHost(urlHost(value), ctx.hosts),
    }),
  },
  {
    id: "internal-host",
    description:
      "internal DNS name (*.svc, *.cluster.local, *.internal, *.corp, *.local, *.lan, *.home.arpa, configured domains) or configured host",
    source: "Kubernetes DNS spec (svc.cluster.local); RFC 6762 (.local); RFC 8375 (.home.arpa); repo config",
    kind: "infrastructure",
    keywords: [],
    find: combine(
      tailAnchoredFinder(
        (text, ctx) => matchesAt(commonSearch(ctx).suffix, text, PLANS.internalSuffix.starts(text, ctx)),
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-",
        512,
        HOSTNAME,
        (value, ctx) => isInternalName(value, ctx.hosts),
      ),
      configuredHostFinder,
    ),
  },
  {
    id: "private-ipv4",
    description:
      "private or special-use IPv4 address (10/8, 172.16/12, 192.168/16, 100.64/10, 169.254/16, 127/8), also as ip-10-0-0-1, as a 0x7f000001 constant, and in integer, hex, octal or short form where an address is expected (host:port, user@host, ADDR=…)",
    source: "RFC 1918; RFC 6598; RFC 3927; RFC 1122 §3.2.1.3; WHATWG URL IPv4 parser (inet_aton forms)",
    kind: "infrastructure",
    keywords: [],
    find: combine(
      // Not after a version specifier (==, >=, v) nor inside a longer dotted number or a "1.2.3.4-rc" version.
      // Only private first octets are searched for: most dotted numbers in a log start otherwise.
      planned(PLANS.ipDotted, {
        notAfter: /[A-Za-z0-9_.]/,
        accept: (value, m, text) => {
          // Not after a version specifier (==, >=, ~=, !=).
          if (/[=<>~!]=$/.test(text.slice(Math.max(0, m.index - 2), m.index))) return false;
          const octets = parseIpv4(value);
          return octets !== undefined && isPrivateIpv4(octets);
        },
      }),
      planned(PLANS.ipDashed, {
        accept: (value) => {
          const octets = parseIpv4(value.slice(3).replace(/-/g, "."));
          return octets !== undefined && isPrivateIpv4(octets);
        },
      }),
      // An exact 32-bit hex constant that is a private address (0x7f000001 is 127.0.0.1).
      planned(PLANS.ipHex, {
        notAfter: /[A-Za-z0-9_.]/,
        accept: (v) => privateLooseIpv4(v, 1),
      }),
      // host:port, user@host, and ADDR=/host:/ip= values, in any form a socket accepts.
      findHostPortIpv4,
      planned(PLANS.ipAfterAt, {
        group: 1,
        accept: (v) => privateLooseIpv4(v, 2),
      }),
      findKeyedIpv4,
    ),
  },
  {
    id: "private-ipv6",
    description: "unique-local (fc00::/7), link-local (fe80::/10) or loopback (::1) IPv6 address",
    source: "RFC 4193; RFC 4291 §2.5.3, §2.5.6",
    kind: "infrastructure",
    keywords: ["::", "fc", "fd", "fe", ":0:"],
    find: findIpv6,
  },
  {
    id: "k8s-pod",
    description: "Kubernetes pod name with a generated ReplicaSet or Job suffix (e.g. trainer-7d9f8b6c5d-x2k4q)",
    source: "Kubernetes apimachinery util/rand alphabet; ReplicaSet/Job pod naming",
    kind: "infrastructure",
    keywords: ["-"],
    find: tailAnchoredFinder(
      (text) => matchesAt(PLANS.k8sTail.re, text, PLANS.k8sTail.starts(text)),
      "abcdefghijklmnopqrstuvwxyz0123456789-",
      2048,
      K8S_TOKEN,
      isGeneratedPodName,
    ),
  },
  {
    id: "k8s-namespace",
    description: "Kubernetes namespace after -n (on a kubectl/helm line), --namespace or namespace:",
    source: "kubectl / helm flags; Kubernetes object metadata.namespace",
    kind: "infrastructure",
    keywords: ["namespace", "-n"],
    find: combine(
      planned(PLANS.namespaceFlag, {
        group: 1,
        accept: namespaceAccept,
      }),
      planned(PLANS.namespaceKey, { group: 1, accept: namespaceAccept }),
      findShortNamespaceFlags,
    ),
  },
  {
    id: "pvc-name",
    description:
      "PersistentVolume(Claim) names: dynamically provisioned pvc-<uuid>, a claimName: value, pvc/<name> on a kubectl line",
    source:
      "Kubernetes external-provisioner volume naming (pvc-<claim uid>); PodSpec volumes[].persistentVolumeClaim.claimName",
    kind: "infrastructure",
    keywords: [],
    find: combine(
      planned(PLANS.pvcUid),
      planned(PLANS.claimName, {
        group: 1,
        accept: hasLetter,
      }),
      planned(PLANS.pvcSlash, {
        group: 1,
        accept: hasLetter,
      }),
    ),
  },
  {
    id: "cluster-path",
    description:
      "a path on shared cluster storage (/data/…, /mnt/…, /scratch/…, /lustre/…, /fsx/…) or the value of a *_PATH / *_DIR / *_ROOT / *_HOME variable outside the system directories",
    source: "common HPC and cloud training-cluster mount points; twelve-factor style path variables",
    kind: "infrastructure",
    keywords: ["/"],
    find: combine(
      planned(PLANS.clusterRoot, { notAfter: /[A-Za-z0-9_.~/-]/ }),
      planned(PLANS.pathVariable, {
        group: 1,
        trimTrailing: URL_TRAILING_PUNCTUATION,
        accept: (value) => value.length > 1 && !SYSTEM_DIRS.test(value),
      }),
    ),
  },
];
