/**
 * The YAML block under a configurable heading — the contract's (`### …`) and the attestation's
 * (`## …`): the size caps, the problems when the block is missing or never closed, and its YAML
 * read into a value, in one place.
 */
import { restoreIds } from "../ids.js";
import { fail, ok, problem, type Problem, type Result } from "../problem.js";
import { parseYaml } from "../yaml/parse.js";
import { sectionOf, type FencedBlock, type Heading, type MarkdownOutline } from "./blocks.js";

/** GitHub's own limit for an issue or PR body; anything longer did not come from GitHub. */
export const MAX_BODY_CHARS = 65_536;

/** A block's size cap, checked before the YAML parser sees a byte. */
export const MAX_BLOCK_BYTES = 32 * 1024;

/** Which block: named in problem codes and messages, with the heading level the templates use. */
export interface BlockKind {
  what: "contract" | "attestation";
  /** `###` for the issue form's field headings, `##` for the PR template's. */
  level: "###" | "##";
}

export function fenceHint(kind: BlockKind): string {
  return `write the ${kind.what} between a line \`\`\`yaml and a closing line \`\`\``;
}

/** A body longer than GitHub allows; `what` names the body ("the body", "the PR body"). */
export function bodyTooLarge(kind: BlockKind, what: string, length: number, hint: string): Problem {
  return problem(
    `${kind.what}.body-too-large`,
    "",
    `${what} is ${length} characters long, more than the ${MAX_BODY_CHARS} GitHub allows`,
    hint,
  );
}

/** The block is over MAX_BLOCK_BYTES (UTF-8); undefined when it is within the cap. */
export function blockTooLarge(kind: BlockKind, source: string, hint: string): Problem | undefined {
  const bytes = new TextEncoder().encode(source).length;
  if (bytes <= MAX_BLOCK_BYTES) return undefined;
  return problem(
    `${kind.what}.block-too-large`,
    "",
    `the ${kind.what} block is ${bytes} bytes, more than the ${MAX_BLOCK_BYTES} allowed`,
    hint,
  );
}

/**
 * The block's YAML as a plain value, bounded before the parser runs (the size cap, then the
 * hardened parser). YAML 1.2 reads `issue: 01` as the number 1: at `idPaths` (JSON pointers such
 * as `/nmoe/issue`, `*` for every item of a list) the value is the text the author wrote.
 */
export function blockValue(
  kind: BlockKind,
  source: string,
  o: { tooLargeHint: string; idPaths: readonly string[] },
): Result<unknown> {
  const tooLarge = blockTooLarge(kind, source, o.tooLargeHint);
  if (tooLarge) return fail(tooLarge);
  const parsed = parseYaml(source, `the ${kind.what}`);
  if (!parsed.ok) return parsed;
  return ok(restoreIds(parsed.value.value, parsed.value.numberSource, o.idPaths), parsed.warnings);
}

export type BlockText =
  /** `line`: the opening fence; `firstLine`: where the YAML text starts (both 1-based). */
  { ok: true; yaml: string; line: number; firstLine: number } | { ok: false; error: Problem; line: number };

/** A fenced block's YAML text, or why it cannot be read (it is never closed). */
export function blockText(kind: BlockKind, block: FencedBlock): BlockText {
  if (!block.closed)
    return {
      ok: false,
      line: block.line,
      error: problem(
        `${kind.what}.unclosed-fence`,
        "",
        `the \`\`\`${block.lang} block that opens on line ${block.line} is never closed`,
        `add a line with only \`\`\` after the last line of the ${kind.what}`,
      ),
    };
  return { ok: true, yaml: block.content, line: block.line, firstLine: block.line + 1 };
}

/** The heading is there but holds no yaml fence: say what is there instead, so the fix is obvious. */
export function missingUnderHeading(kind: BlockKind, o: MarkdownOutline, at: Heading, heading: string): Problem {
  const { start, end } = sectionOf(o, at);
  const other = o.blocks.find((b) => b.line > start && b.line < end);
  const message = `the \`${kind.level} ${heading}\` section has no \`\`\`yaml block`;
  const code = `${kind.what}.missing-block`;
  if (other)
    return problem(
      code,
      "",
      `${message} (the block on line ${other.line} is marked ${other.lang === "" ? "with no language" : "`" + other.lang + "`"})`,
      "start the block with ```yaml",
    );
  return problem(code, "", message, `${fenceHint(kind)}, right under the heading`);
}
