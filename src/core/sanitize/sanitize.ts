/** Replaces secrets and internal-infrastructure details in text with typed placeholders, line for line. */

import { type HostOptions, hostPolicy } from "./address.js";
import { around } from "./anchors.js";
import { RULES as DEFAULT_RULES, type Rule, type RuleContext, type Span } from "./rules.js";

export type { Rule, RuleKind, Span } from "./rules.js";

export interface SanitizeOptions extends HostOptions {
  /** Configured internal DNS suffixes, e.g. "corp.example.com" (matches it and every subdomain). */
  internalDomains?: readonly string[];
  /** Configured internal host names, matched exactly (case-insensitive). */
  internalHosts?: readonly string[];
  /** Public hosts never redacted as infrastructure, e.g. "github.com" (and its subdomains). Credentials are still redacted. */
  allowedHosts?: readonly string[];
}

/** Where a rule fired: 1-based line and column (UTF-16 units). Never the matched text itself. */
export interface Finding {
  rule: string;
  line: number;
  column: number;
}

export interface Sanitized {
  text: string;
  findings: Finding[];
}

export interface Sanitizer {
  sanitize: (text: string, opts?: SanitizeOptions) => Sanitized;
  /** Detection only: the findings `sanitize` would report, without building the redacted text. */
  scan: (text: string, opts?: SanitizeOptions) => Finding[];
  /** Fail closed: the sanitized text, or WITHHELD if sanitizing failed for any reason. */
  sanitizeOrWithhold: (text: string, opts?: SanitizeOptions) => string;
}

/** Posted instead of text that could not be sanitized; it matches no rule itself. */
export const WITHHELD = "[details withheld: this text could not be checked for secrets or internal infrastructure]";

const PLACEHOLDER_OPENING = "[redacted:";
const PLACEHOLDER_COLON = PLACEHOLDER_OPENING.indexOf(":");

export function placeholder(ruleId: string): string {
  return `${PLACEHOLDER_OPENING}${ruleId}]`;
}

/** A redacted region of the input: the union of overlapping spans, labelled by the span that starts first (longest on ties). */
interface Region extends Span {
  label: string;
  /** First position at which each rule fired inside the region (a region holds one or two rules: a list, not a map). */
  firstHit: Array<{ rule: string; at: number }>;
}

/** Real text settles in one or two passes; more means adversarial input, and failing closed is the answer. */
const MAX_PASSES = 8;
/** Longer than any rule keyword, so a keyword that overlaps a placeholder lies within this many characters of it. */
const KEYWORD_REACH = 64;

const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Index of the first of these sorted, disjoint spans that ends after `offset` (binary search: many spans, many lookups). */
function firstEndingAfter(spans: readonly Span[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid]?.end ?? 0) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** On a longer line, the characters each side of a placeholder that pass two looks at again (more than any token's length). */
const WINDOW = 1024;
const SEPARATOR = "\n\n";

function isBlank(c: string | undefined): boolean {
  return c === undefined || c === " " || c === "\t" || c === "\n" || c === "\r" || c === '"' || c === "'" || c === "`";
}

/** Index of the first element greater than `x` in a sorted array. */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Builds a sanitizer over a rule set; tests inject rule sets (including broken ones) through this. */
export function createSanitizer(rules: readonly Rule[]): Sanitizer {
  const order = new Map<string, number>();
  for (const rule of rules) {
    if (!RULE_ID.test(rule.id) || order.has(rule.id))
      throw new Error(`sanitize rule id ${JSON.stringify(rule.id)} is invalid or duplicated`);
    order.set(rule.id, order.size);
  }
  // Only placeholders of known rules count as already redacted, so "[redacted:<anything>]" cannot hide a secret.
  const placeholderPattern =
    rules.length === 0
      ? undefined
      : new RegExp(`${escapeRegex(PLACEHOLDER_OPENING)}(?:${rules.map((r) => escapeRegex(r.id)).join("|")})\\]`, "g");

  /**
   * Whether the text holds a placeholder's opening, from the `:` index the rules share (a search for
   * the literal stops at every `:` of a log and costs more than reading that index).
   */
  function mayHoldPlaceholder(text: string): boolean {
    const { positions, before1 } = around(text, ":");
    for (let i = 0; i < positions.length; i++) {
      // The "d" of "redacted" first, from the compact array; the text only where it fits.
      if (before1[i] === 0x64 && text.startsWith(PLACEHOLDER_OPENING, positions[i]! - PLACEHOLDER_COLON)) return true;
    }
    return false;
  }

  function placeholderRanges(text: string): Span[] {
    if (placeholderPattern === undefined || !mayHoldPlaceholder(text)) return [];
    return [...text.matchAll(placeholderPattern)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
  }

  /** Parts of a span outside existing placeholders that still hold something (so re-sanitizing changes nothing). */
  function outsidePlaceholders(span: Span, text: string, placeholders: readonly Span[]): Span[] {
    const pieces: Span[] = [];
    let cursor = span.start;
    for (let i = firstEndingAfter(placeholders, span.start); i < placeholders.length; i++) {
      const p = placeholders[i];
      if (p === undefined) break;
      if (p.start >= span.end) break;
      if (p.start > cursor) pieces.push({ start: cursor, end: p.start });
      cursor = Math.max(cursor, p.end);
    }
    if (cursor < span.end) pieces.push({ start: cursor, end: span.end });
    if (pieces.length === 1 && pieces[0]?.start === span.start && pieces[0].end === span.end) return pieces;
    return pieces.filter((piece) => /[A-Za-z0-9]/.test(text.slice(piece.start, piece.end)));
  }

  type Hit = Span & { rule: string };

  function keywordsOf(rule: Rule, ctx: RuleContext): readonly string[] {
    return typeof rule.keywords === "function" ? rule.keywords(ctx) : rule.keywords;
  }

  /** One case-insensitive search per distinct keyword list (cheaper than lower-casing a megabyte first). */
  const keywordSearch = new Map<string, RegExp>();
  function mentions(text: string, keywords: readonly string[]): boolean {
    const key = keywords.join("\u0000");
    let search = keywordSearch.get(key);
    if (search === undefined) {
      search = new RegExp(keywords.map(escapeRegex).join("|"), "i");
      keywordSearch.set(key, search);
    }
    return search.test(text);
  }

  /** The rules whose prefilter passes on this text. */
  function activeIn(text: string, ctx: RuleContext): Set<Rule> {
    return new Set(
      rules.filter((rule) => {
        const keywords = keywordsOf(rule, ctx);
        return keywords.length === 0 || mentions(text, keywords);
      }),
    );
  }

  /**
   * Hits in the redacted text near placeholders, where a redaction can create a match: the lines
   * of every placeholder that touches anything but a blank or a quote, from the line break before
   * it to the one after it (at most WINDOW characters each way on a longer line), joined by blank
   * lines. Every rule but a PEM block matches within one line, and a window starts and ends with
   * the line breaks around it, so a hit that reaches a window's edge is either multi-line or cut:
   * it may be longer than the window shows, and that rule then runs on the whole text.
   */
  function hitsNearPlaceholders(
    text: string,
    placeholders: readonly Span[],
    active: ReadonlySet<Rule>,
    ctx: RuleContext,
  ): Hit[] {
    const windows: Span[] = [];
    // Each search for a line break looks at most WINDOW characters, and no character twice: the
    // search after a placeholder starts where the one after the previous placeholder stopped, and
    // the search before one runs only for a placeholder that opens a new window. So one long line
    // with thousands of placeholders stays linear.
    let searchedTo = 0;
    let nextBreak = -1;
    for (const p of placeholders) {
      if (isBlank(text[p.start - 1]) && isBlank(text[p.end])) continue;
      const limit = Math.min(text.length, p.end + WINDOW);
      if (nextBreak < p.end) {
        const from = Math.max(p.end, searchedTo);
        const at = text.slice(from, limit).indexOf("\n");
        nextBreak = at === -1 ? -1 : from + at;
        searchedTo = at === -1 ? limit : nextBreak;
      }
      const end = nextBreak !== -1 && nextBreak < limit ? nextBreak + 1 : limit;
      const last = windows.at(-1);
      const reach = Math.max(0, p.start - WINDOW);
      if (last !== undefined && reach <= last.end + 2) {
        // The window may open here or join the last one: only the line break before it decides.
        const before = text.slice(Math.max(reach, last.end), p.start).lastIndexOf("\n");
        const start = before === -1 ? (reach > last.end ? reach : last.start) : Math.max(reach, last.end) + before;
        if (start <= last.end + 2) last.end = Math.max(last.end, end);
        else windows.push({ start, end });
        continue;
      }
      const before = text.slice(reach, p.start).lastIndexOf("\n");
      windows.push({ start: before === -1 ? reach : reach + before, end });
    }
    if (windows.length === 0) return [];
    const joined: string[] = [];
    const offsets: number[] = [];
    let length = 0;
    for (const w of windows) {
      offsets.push(length);
      joined.push(text.slice(w.start, w.end));
      length += w.end - w.start + SEPARATOR.length;
    }
    const sample = joined.join(SEPARATOR);
    const hits: Hit[] = [];
    const wholeText = new Set<Rule>();
    for (const hit of hitsIn(sample, active, ctx)) {
      const i = Math.max(0, upperBound(offsets, hit.start) - 1);
      const w = windows[i]!;
      const at = offsets[i]!;
      const cutLeft = hit.start === at && w.start > 0;
      const cutRight = hit.end >= at + (w.end - w.start) && w.end < text.length;
      if (cutLeft || cutRight || hit.end > at + (w.end - w.start)) {
        wholeText.add(rules.find((r) => r.id === hit.rule)!);
        continue;
      }
      hits.push({ rule: hit.rule, start: w.start + hit.start - at, end: w.start + hit.end - at });
    }
    if (wholeText.size > 0) hits.push(...hitsIn(text, wholeText, ctx));
    return hits;
  }

  /** One run of the given rules over the text, cut around placeholders already in it. */
  function hitsIn(text: string, active: ReadonlySet<Rule>, ctx: RuleContext): Hit[] {
    const placeholders = placeholderRanges(text);
    const hits: Hit[] = [];
    for (const rule of rules) {
      if (!active.has(rule)) continue;
      for (const span of rule.find(text, ctx)) {
        if (
          !Number.isInteger(span.start) ||
          !Number.isInteger(span.end) ||
          span.start < 0 ||
          span.end > text.length ||
          span.start >= span.end
        ) {
          throw new Error(`sanitize rule ${rule.id} returned an invalid span`);
        }
        if (placeholders.length === 0) hits.push({ start: span.start, end: span.end, rule: rule.id });
        else for (const piece of outsidePlaceholders(span, text, placeholders)) hits.push({ ...piece, rule: rule.id });
      }
    }
    return hits;
  }

  function merge(hits: Hit[]): Region[] {
    const rank = (rule: string): number => order.get(rule) ?? 0;
    hits.sort((a, b) => a.start - b.start || b.end - a.end || (a.rule === b.rule ? 0 : rank(a.rule) - rank(b.rule)));
    const merged: Region[] = [];
    for (const hit of hits) {
      const last = merged[merged.length - 1];
      if (last !== undefined && hit.start < last.end) {
        last.end = Math.max(last.end, hit.end);
        if (!last.firstHit.some((f) => f.rule === hit.rule)) last.firstHit.push({ rule: hit.rule, at: hit.start });
        continue;
      }
      merged.push({ start: hit.start, end: hit.end, label: hit.rule, firstHit: [{ rule: hit.rule, at: hit.start }] });
    }
    return merged;
  }

  /** The text with each region replaced by its placeholder plus the line breaks it covered. */
  function render(
    text: string,
    found: readonly Region[],
  ): { text: string; plain: Array<{ at: number; from: number; length: number }>; placeholders: Span[] } {
    const out: string[] = [];
    const plain: Array<{ at: number; from: number; length: number }> = [];
    const placeholders: Span[] = [];
    let cursor = 0;
    let length = 0;
    const keep = (from: number, to: number): void => {
      plain.push({ at: length, from, length: to - from });
      out.push(text.slice(from, to));
      length += to - from;
    };
    for (const region of found) {
      keep(cursor, region.start);
      // Keep every line break the redacted text had, so the output lines up with the input line for line.
      const breaks = text.slice(region.start, region.end).match(/\r\n|\n|\r/g);
      const replacement = placeholder(region.label) + (breaks === null ? "" : breaks.join(""));
      out.push(replacement);
      placeholders.push({ start: length, end: length + replacement.length });
      length += replacement.length;
      cursor = region.end;
    }
    keep(cursor, text.length);
    return { text: out.join(""), plain, placeholders };
  }

  /**
   * Redacting can create a match that was not there before: a placeholder's "]" is a word boundary that
   * "AIza…x" lacked. So rules run again over the redacted text until nothing new turns up; every pass
   * removes unredacted characters, so this ends, and the result is idempotent by construction. New hits
   * lie in unredacted text and are mapped back to offsets in the original.
   */
  function regions(text: string, opts: SanitizeOptions | undefined): { found: Region[]; rendered: string } {
    const ctx: RuleContext = { hosts: hostPolicy(opts) };
    const active = activeIn(text, ctx);
    const hits = hitsIn(text, active, ctx);
    let found = merge(hits);
    let rendered = text;
    for (let pass = 1; found.length > 0; pass++) {
      if (pass > MAX_PASSES) throw new Error("sanitize did not settle");
      const current = render(text, found);
      // A keyword in the redacted text is either in unchanged text (so it was in the original) or overlaps a
      // placeholder: only the placeholders' surroundings need looking at again.
      const around = current.placeholders
        .map((p) => current.text.slice(Math.max(0, p.start - KEYWORD_REACH), p.end + KEYWORD_REACH))
        .join("\n");
      for (const rule of activeIn(around, ctx)) active.add(rule);
      const fresh = hitsNearPlaceholders(current.text, current.placeholders, active, ctx);
      rendered = current.text;
      if (fresh.length === 0) break;
      const plainEnds = current.plain.map((p) => ({ start: p.at, end: p.at + p.length }));
      for (const hit of fresh) {
        // Plain segments are sorted; a hit lies in the one that ends at or after its end (segments may be empty).
        const segment = current.plain[firstEndingAfter(plainEnds, hit.end - 1)];
        if (segment === undefined || hit.start < segment.at || hit.end > segment.at + segment.length)
          throw new Error("sanitize hit crosses a placeholder");
        hits.push({
          rule: hit.rule,
          start: segment.from + hit.start - segment.at,
          end: segment.from + hit.end - segment.at,
        });
      }
      found = merge(hits);
    }
    return { found, rendered };
  }

  function findingsOf(text: string, found: readonly Region[]): Finding[] {
    const lineStarts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
    const locate = (offset: number): { line: number; column: number } => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
    };
    const findings: Finding[] = [];
    for (const region of found) {
      const hits =
        region.firstHit.length === 1
          ? region.firstHit
          : [...region.firstHit].sort((a, b) => a.at - b.at || (order.get(a.rule) ?? 0) - (order.get(b.rule) ?? 0));
      for (const { rule, at } of hits) findings.push({ rule, ...locate(at) });
    }
    return findings;
  }

  function sanitize(text: string, opts?: SanitizeOptions): Sanitized {
    const { found, rendered } = regions(text, opts);
    return { text: rendered, findings: findingsOf(text, found) };
  }

  function scan(text: string, opts?: SanitizeOptions): Finding[] {
    return findingsOf(text, regions(text, opts).found);
  }

  function sanitizeOrWithhold(text: string, opts?: SanitizeOptions): string {
    try {
      return sanitize(text, opts).text;
    } catch {
      return WITHHELD;
    }
  }

  return { sanitize, scan, sanitizeOrWithhold };
}

const defaultSanitizer = createSanitizer(DEFAULT_RULES);

/** Rule catalogue for docs and the README. */
export const RULES: readonly Rule[] = DEFAULT_RULES;

export const { sanitize, scan, sanitizeOrWithhold } = defaultSanitizer;

const credentialRules = new Set(DEFAULT_RULES.filter((r) => r.kind === "credential").map((r) => r.id));

/** Credentials (must be revoked, worth minimising the comment) versus infrastructure details (only hidden). */
export function isCredentialRule(ruleId: string): boolean {
  return credentialRules.has(ruleId);
}
