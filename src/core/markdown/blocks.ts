/** Find fenced ```yaml blocks in a Markdown body, and the section (heading) each one sits under. */

export interface Heading {
  level: number;
  text: string;
  /** 1-based line number. */
  line: number;
}

export interface FencedBlock {
  /** Lower-cased first word of the info string (`yaml`, `yml`, `json`, ``). */
  lang: string;
  content: string;
  /** 1-based line of the opening fence. */
  line: number;
  closed: boolean;
  /** The nearest heading above the block, if any. */
  heading: Heading | undefined;
}

export interface MarkdownOutline {
  headings: Heading[];
  blocks: FencedBlock[];
}

/** Normalise line endings, drop a BOM and trailing spaces: all normal in bodies GitHub stores. */
export function normalizeBody(body: string): string {
  return body.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}

/**
 * Every line of a body up to 64 KiB goes through these, so none of them may trade characters
 * between quantifiers: the fence run cannot give any back, and the rest of the line is read in
 * code. (The regexes they replace took seconds on one line of spaces or `#`s.)
 */
const FENCE_START = /^ {0,3}(`{3,}(?!`)|~{3,}(?!~))(.*)$/s;
const FENCE_CLOSE = /^ {0,3}(`{3,}(?!`)|~{3,}(?!~))\s*$/;
const HEADING_START = /^ {0,3}(#+)(?!#)(.*)$/s;

/** A fence line: its marker and the first word of its info string; a backtick anywhere after the marker makes it prose. */
function fenceOf(line: string): { marker: string; lang: string } | undefined {
  const m = FENCE_START.exec(line);
  if (!m || m[2]!.includes("`")) return undefined;
  return { marker: m[1]!, lang: /^\s*([^\s`]*)/.exec(m[2]!)![1]! };
}

const isHeadingTail = (c: string): boolean => c === " " || c === "\t" || c === "#";

/** An ATX heading: one to six `#`, then a space or tab (or nothing); trailing spaces and `#`s are not its text. */
function headingOf(line: string): { level: number; text: string } | undefined {
  const m = HEADING_START.exec(line);
  if (!m) return undefined;
  const hashes = m[1]!.length;
  const rest = m[2]!;
  let end = rest.length;
  while (end > 0 && isHeadingTail(rest[end - 1]!)) end--;
  // Only spaces and `#`s after the marker: an empty heading (seven or more `#`s read as level 6, as before).
  if (end === 0) return { level: Math.min(hashes, 6), text: "" };
  if (hashes > 6 || (rest[0] !== " " && rest[0] !== "\t")) return undefined;
  return { level: hashes, text: rest.slice(0, end).trim() };
}

/** Trailing spaces and tabs dropped, by a loop (`/[ \t]+$/` is retried at every position of a run: quadratic). */
function trimEndBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t")) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** A single pass over the lines: headings outside fences, and every fenced block. */
export function outline(body: string): MarkdownOutline {
  const lines = normalizeBody(body).split("\n");
  const headings: Heading[] = [];
  const blocks: FencedBlock[] = [];
  let open: { marker: string; lang: string; line: number; content: string[]; heading: Heading | undefined } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = trimEndBlanks(lines[i]!);
    if (open) {
      const close = FENCE_CLOSE.exec(line);
      if (close && close[1]![0] === open.marker[0] && close[1]!.length >= open.marker.length) {
        blocks.push({
          lang: open.lang,
          content: open.content.join("\n"),
          line: open.line,
          closed: true,
          heading: open.heading,
        });
        open = undefined;
      } else {
        open.content.push(line);
      }
      continue;
    }
    const fence = fenceOf(line);
    if (fence) {
      open = {
        marker: fence.marker,
        lang: fence.lang.toLowerCase(),
        line: i + 1,
        content: [],
        heading: headings.at(-1),
      };
      continue;
    }
    const heading = headingOf(line);
    if (heading) headings.push({ ...heading, line: i + 1 });
  }
  if (open)
    blocks.push({
      lang: open.lang,
      content: open.content.join("\n"),
      line: open.line,
      closed: false,
      heading: open.heading,
    });
  return { headings, blocks };
}

export function isYamlBlock(block: FencedBlock): boolean {
  return block.lang === "yaml" || block.lang === "yml";
}

/**
 * Does a heading's text name the configured section? Exact (case-insensitive, spaces collapsed),
 * or the configured text followed by a parenthesised or punctuated remark:
 * `PR Attestation` matches `PR Attestation (YAML, required)`.
 */
export function headingMatches(text: string, wanted: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();
  const t = norm(text);
  const w = norm(wanted);
  if (t === w) return true;
  return t.startsWith(w) && /^[\s(:—–-]/.test(t.slice(w.length));
}

/** The section under a heading: from the heading to the next heading of the same or a higher level. */
export function sectionOf(o: MarkdownOutline, heading: Heading): { start: number; end: number } {
  const next = o.headings.find((h) => h.line > heading.line && h.level <= heading.level);
  return { start: heading.line, end: next ? next.line : Number.POSITIVE_INFINITY };
}

/** The yaml blocks inside the first section whose heading matches, or undefined if no heading matches. */
export function yamlBlocksUnder(
  o: MarkdownOutline,
  wanted: string,
): { heading: Heading; blocks: FencedBlock[] } | undefined {
  const heading = o.headings.find((h) => headingMatches(h.text, wanted));
  if (!heading) return undefined;
  const { start, end } = sectionOf(o, heading);
  return { heading, blocks: o.blocks.filter((b) => b.line > start && b.line < end && isYamlBlock(b)) };
}
