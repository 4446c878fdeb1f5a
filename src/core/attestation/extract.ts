/** Find the attestation's YAML text in a PR body, before any parsing. */
import {
  isYamlBlock,
  normalizeBody,
  outline,
  sectionOf,
  yamlBlocksUnder,
  type FencedBlock,
  type Heading,
  type MarkdownOutline,
} from "../markdown/blocks.js";
import { problem, type Problem } from "../problem.js";

/** GitHub's own limit for a PR body; anything longer did not come from GitHub. */
export const MAX_BODY_CHARS = 65_536;

export type AttestationExtraction =
  | { status: "absent" }
  /** `line` is the 1-based line of the opening fence. */
  | { status: "found"; yaml: string; line: number; warnings: Problem[] }
  | { status: "invalid"; errors: Problem[]; line?: number };

const FENCE_HINT = "write the attestation between a line ```yaml and a closing line ```";

/**
 * The first yaml fence in the section whose heading matches `heading`; with no such heading, the
 * first yaml fence at the top of the body (above its first heading), where the template puts it.
 */
export function extractAttestation(body: string | null | undefined, heading: string): AttestationExtraction {
  const text = normalizeBody(body ?? "");
  if (text.length > MAX_BODY_CHARS) {
    return {
      status: "invalid",
      errors: [
        problem(
          "attestation.body-too-large",
          "",
          `the PR body is ${text.length} characters long, more than the ${MAX_BODY_CHARS} GitHub allows`,
          "shorten the body; move logs into a comment or a linked file",
        ),
      ],
    };
  }
  const o = outline(text);
  const section = yamlBlocksUnder(o, heading);
  if (section) {
    const [first, ...rest] = section.blocks;
    if (!first)
      return {
        status: "invalid",
        errors: [missingUnderHeading(o, section.heading, heading)],
        line: section.heading.line,
      };
    const warnings =
      rest.length > 0
        ? [
            problem(
              "attestation.extra-blocks",
              "",
              `the \`## ${heading}\` section holds ${section.blocks.length} yaml blocks; only the first (line ${first.line}) is read`,
              "keep one yaml block in the section",
            ),
          ]
        : [];
    return fromBlock(first, warnings);
  }
  const top = o.blocks.find((b) => b.heading === undefined && isYamlBlock(b));
  return top ? fromBlock(top, []) : { status: "absent" };
}

function fromBlock(block: FencedBlock, warnings: Problem[]): AttestationExtraction {
  if (!block.closed) {
    return {
      status: "invalid",
      errors: [
        problem(
          "attestation.unclosed-fence",
          "",
          `the \`\`\`${block.lang} block that opens on line ${block.line} is never closed`,
          "add a line with only ``` after the last line of the attestation",
        ),
      ],
      line: block.line,
    };
  }
  return { status: "found", yaml: block.content, line: block.line, warnings };
}

/** The heading is there but holds no yaml fence: say what is there instead, so the fix is obvious. */
function missingUnderHeading(o: MarkdownOutline, at: Heading, heading: string): Problem {
  const { start, end } = sectionOf(o, at);
  const other = o.blocks.find((b) => b.line > start && b.line < end);
  const message = `the \`## ${heading}\` section has no \`\`\`yaml block`;
  if (other)
    return problem(
      "attestation.missing-block",
      "",
      `${message} (the block on line ${other.line} is marked ${other.lang === "" ? "with no language" : "`" + other.lang + "`"})`,
      "start the block with ```yaml",
    );
  return problem("attestation.missing-block", "", message, `${FENCE_HINT}, right under the heading`);
}
