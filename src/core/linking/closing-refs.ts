/** Read GitHub's closing keywords (`Fixes #12`, `Closes owner/repo#12`) from a PR body, the way GitHub links issues. */
import { normalizeBody } from "../markdown/blocks.js";

/**
 * close/closes/closed, fix/fixes/fixed, resolve/resolves/resolved (any case), then an optional
 * colon, then `#N`, `owner/repo#N` or an issue URL. Every quantifier is bounded or sits between
 * fixed tokens, so the scan stays linear on hostile bodies.
 */
const CLOSING =
  /(?<![\w])(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?![\w])[ \t]*(?::[ \t]*)?(?:#(\d{1,9})|([A-Za-z0-9][\w.-]{0,99})\/([\w.-]{1,100})#(\d{1,9})|https:\/\/github\.com\/([\w.-]{1,100})\/([\w.-]{1,100})\/issues\/(\d{1,9}))(?![\w])/gi;

/**
 * Issue numbers in this repository that the body closes, in the order written, without repeats.
 * References to other repositories, and text in code fences, inline code and HTML comments
 * (where GitHub does not link either) are ignored.
 */
export function parseClosingRefs(body: string | null | undefined, repoFullName: string): number[] {
  const text = proseOnly(normalizeBody(body ?? ""));
  const repo = repoFullName.toLowerCase();
  const out: number[] = [];
  for (const m of text.matchAll(CLOSING)) {
    let n: string | undefined;
    if (m[1] !== undefined) n = m[1];
    else if (m[4] !== undefined && `${m[2]}/${m[3]}`.toLowerCase() === repo) n = m[4];
    else if (m[7] !== undefined && `${m[5]}/${m[6]}`.toLowerCase() === repo) n = m[7];
    const number = n === undefined ? 0 : Number(n);
    if (number > 0 && !out.includes(number)) out.push(number);
  }
  return out;
}

/** The body with HTML comments, fenced code blocks and inline code blanked out (same length, newlines kept). */
export function proseOnly(text: string): string {
  return blankInlineCode(blankFences(blankComments(text)));
}

function blank(s: string): string {
  return s.replace(/[^\n]/g, " ");
}

function blankComments(text: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const open = text.indexOf("<!--", at);
    if (open < 0) return out + text.slice(at);
    const close = text.indexOf("-->", open + 4);
    // An unclosed comment hides the rest of the body, as it does when GitHub renders it.
    const end = close < 0 ? text.length : close + 3;
    out += text.slice(at, open) + blank(text.slice(open, end));
    at = end;
  }
}

function blankFences(text: string): string {
  const lines = text.split("\n");
  let open: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (open === undefined) {
      const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (m && !(m[1]![0] === "`" && line.slice(m[0].length).includes("`"))) {
        open = m[1]!;
        lines[i] = blank(line);
      }
      continue;
    }
    const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
    if (close && close[1]![0] === open[0] && close[1]!.length >= open.length) open = undefined;
    lines[i] = blank(line);
  }
  return lines.join("\n");
}

/** CommonMark code spans: a run of N backticks up to the next run of exactly N. */
function blankInlineCode(text: string): string {
  let out = "";
  let at = 0;
  let i = 0;
  // Run lengths with no closing run later on: never searched for twice, so the scan stays linear per length.
  const unmatched = new Set<number>();
  while (i < text.length) {
    if (text[i] !== "`") {
      i++;
      continue;
    }
    let j = i;
    while (j < text.length && text[j] === "`") j++;
    const n = j - i;
    const close = unmatched.has(n) ? -1 : findRun(text, j, n);
    if (close < 0) {
      unmatched.add(n);
      i = j;
      continue;
    }
    out += text.slice(at, i) + blank(text.slice(i, close + n));
    at = i = close + n;
  }
  return out + text.slice(at);
}

function findRun(text: string, from: number, n: number): number {
  let i = text.indexOf("`", from);
  while (i >= 0) {
    let j = i;
    while (j < text.length && text[j] === "`") j++;
    if (j - i === n) return i;
    i = text.indexOf("`", j);
  }
  return -1;
}
