/** Find the attestation's YAML text in a PR body, before any parsing. */
import { isYamlBlock, normalizeBody, outline, yamlBlocksUnder, type FencedBlock } from "../markdown/blocks.js";
import {
  blockText,
  bodyTooLarge,
  MAX_BODY_CHARS,
  missingUnderHeading,
  type BlockKind,
} from "../markdown/section-block.js";
import { problem, type Problem } from "../problem.js";

/** How problems name this block, and the heading level its template uses. */
export const ATTESTATION_BLOCK: BlockKind = { what: "attestation", level: "##" };

export type AttestationExtraction =
  | { status: "absent" }
  /** `line` is the 1-based line of the opening fence. */
  | { status: "found"; yaml: string; line: number; warnings: Problem[] }
  | { status: "invalid"; errors: Problem[]; line?: number };

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
        bodyTooLarge(
          ATTESTATION_BLOCK,
          "the PR body",
          text.length,
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
        errors: [missingUnderHeading(ATTESTATION_BLOCK, o, section.heading, heading)],
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
  const text = blockText(ATTESTATION_BLOCK, block);
  return text.ok
    ? { status: "found", yaml: text.yaml, line: text.line, warnings }
    : { status: "invalid", errors: [text.error], line: text.line };
}
