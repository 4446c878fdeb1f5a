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

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;
const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$/;

/** A single pass over the lines: headings outside fences, and every fenced block. */
export function outline(body: string): MarkdownOutline {
  const lines = normalizeBody(body).split("\n");
  const headings: Heading[] = [];
  const blocks: FencedBlock[] = [];
  let open: { marker: string; lang: string; line: number; content: string[]; heading: Heading | undefined } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/[ \t]+$/, "");
    if (open) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
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
        open.content.push(lines[i]!.replace(/[ \t]+$/, ""));
      }
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence && !(fence[1]![0] === "`" && line.slice(line.indexOf(fence[1]!) + fence[1]!.length).includes("`"))) {
      open = { marker: fence[1]!, lang: fence[2]!.toLowerCase(), line: i + 1, content: [], heading: headings.at(-1) };
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) headings.push({ level: heading[1]!.length, text: (heading[2] ?? "").trim(), line: i + 1 });
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
