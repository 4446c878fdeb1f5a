/** Safe Markdown building blocks for text that came from users: no table breakouts, no pings, no HTML. */

/**
 * User-derived text for inline use: one line, bounded, with Markdown/HTML control characters
 * neutralised and `@mentions` / `#refs` defused so the bot never pings anyone on a user's behalf.
 */
export function inline(text: string, max = 300): string {
  return defused(oneLine(text, max), /[\\`*_{}[\]<>|]/g);
}

/**
 * Our own sentences that may embed user values (problem messages, hints): code spans in
 * backticks are kept, but HTML, links, table pipes and pings are neutralised.
 */
export function prose(text: string, max = 400): string {
  return defused(oneLine(text, max), /[\\<>|[\]]/g);
}

/** One line, white space folded, at most `max` characters (an ellipsis marks the cut). */
function oneLine(text: string, max: number): string {
  const t = text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/\s{2,}/g, " ")
    .trim();
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}

/**
 * The `escaped` characters backslashed, and mentions and issue refs broken by a zero-width space so
 * nobody is pinged. An `@` or `#` right before a backtick is broken too: a code span between it and
 * a name (`@` + code + `x`) must not leave a mention for anything that reads the text around it.
 */
function defused(t: string, escaped: RegExp): string {
  return t
    .replace(escaped, (c) => "\\" + c)
    .replace(/@(?=[A-Za-z0-9`])/g, "@\u200b")
    .replace(/#(?=[\d`])/g, "#\u200b");
}

/**
 * Text from `inline()` or `prose()` as a terminal shows it: their backslash escapes and the
 * zero-width spaces that defuse mentions removed (code spans keep their backticks).
 */
export function plainText(markdown: string): string {
  return markdown.replace(/\\([\\`*_{}[\]<>|])/g, "$1").replace(/([@#])\u200b/g, "$1");
}

/** A value shown as code: backticks inside are made harmless, length bounded. */
export function code(text: string, max = 200): string {
  let t = text.replace(/[\r\n]+/g, " ");
  if (t.length > max) t = t.slice(0, max - 1) + "…";
  t = t.replace(/`/g, "ˋ");
  return "`" + t + "`";
}

/**
 * A table row: cells are already-safe Markdown. A pipe that is not escaped yet (one inside a code
 * span, such as a file name in backticks) is escaped too, since GFM splits cells on it even there.
 */
export function row(cells: readonly string[]): string {
  return "| " + cells.map((c) => escapePipes(c.replace(/\r?\n/g, "<br>"))).join(" | ") + " |";
}

/** Escape every pipe GFM would split a cell on: one not already preceded by an odd run of backslashes. */
function escapePipes(cell: string): string {
  let out = "";
  let backslashes = 0;
  for (const ch of cell) {
    if (ch === "|" && backslashes % 2 === 0) out += "\\";
    out += ch;
    backslashes = ch === "\\" ? backslashes + 1 : 0;
  }
  return out;
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
}

/** A bulleted list with at most `max` entries and a count of the rest. */
export function bullets(items: readonly string[], max = 50): string {
  const shown = items.slice(0, max).map((i) => `- ${i}`);
  if (items.length > max) shown.push(`- … and ${items.length - max} more`);
  return shown.join("\n");
}
