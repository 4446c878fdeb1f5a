/** Find the contract's YAML text in an issue body (or a file given to the CLI), before any parsing. */
import { isYamlBlock, normalizeBody, outline, yamlBlocksUnder, type FencedBlock } from "../markdown/blocks.js";
import {
  blockText,
  bodyTooLarge,
  fenceHint,
  MAX_BODY_CHARS,
  missingUnderHeading,
  type BlockKind,
} from "../markdown/section-block.js";
import { problem, type Problem } from "../problem.js";

export { MAX_BODY_CHARS } from "../markdown/section-block.js";

/** How problems name this block, and the heading level its template uses. */
export const CONTRACT_BLOCK: BlockKind = { what: "contract", level: "###" };

export interface ExtractOptions {
  /** The heading the contract sits under (`Agent Contract (YAML, required)`). */
  heading: string;
  /**
   * `issue`: the bot reads only issues that carry the heading, or every issue when `allIssues`.
   * `file`: the CLI was handed a file on purpose, so a lone yaml fence or bare YAML is the contract.
   */
  source: "issue" | "file";
  allIssues?: boolean;
}

export type Extraction =
  | { status: "absent" }
  /**
   * `line`: the 1-based line of the opening fence (1 for a bare YAML file); `firstLine`: where the
   * YAML text starts; `bare`: a file with no fences, taken whole as the contract's YAML.
   */
  | { status: "found"; yaml: string; line: number; firstLine: number; bare?: true }
  | { status: "invalid"; errors: Problem[]; line?: number };

export function extractContract(body: string | null | undefined, opts: ExtractOptions): Extraction {
  const text = normalizeBody(body ?? "");
  const lookEverywhere = opts.source === "file" || opts.allIssues === true;
  if (text.length > MAX_BODY_CHARS) {
    // A cheap test keeps an oversize plain issue silent; no outline of hostile input is built.
    if (!lookEverywhere && !text.toLowerCase().includes(opts.heading.toLowerCase())) return { status: "absent" };
    return invalid(
      bodyTooLarge(
        CONTRACT_BLOCK,
        "the body",
        text.length,
        "shorten the body; move long notes or logs into a comment or a linked file",
      ),
    );
  }
  const o = outline(text);
  const section = yamlBlocksUnder(o, opts.heading);
  if (section) {
    const first = section.blocks[0];
    if (first) return fromBlock(first);
    return invalid(missingUnderHeading(CONTRACT_BLOCK, o, section.heading, opts.heading), section.heading.line);
  }
  if (!lookEverywhere) return { status: "absent" };
  const yamlBlocks = o.blocks.filter(isYamlBlock);
  if (yamlBlocks.length > 1) {
    return invalid(
      problem(
        "contract.ambiguous",
        "",
        `found ${yamlBlocks.length} \`\`\`yaml blocks (lines ${yamlBlocks.map((b) => b.line).join(", ")}) and no \`### ${opts.heading}\` heading, so it is unclear which one is the contract`,
        `put the contract under a \`### ${opts.heading}\` heading, or keep only one yaml block`,
      ),
    );
  }
  const only = yamlBlocks[0];
  if (only) return fromBlock(only);
  if (opts.source === "issue") return { status: "absent" };
  // A file with no fences at all is taken as bare YAML: agents often write the contract alone.
  if (o.blocks.length === 0 && text.trim() !== "")
    return { status: "found", yaml: text, line: 1, firstLine: 1, bare: true };
  return invalid(
    problem(
      "contract.missing",
      "",
      o.blocks.length > 0
        ? "no ```yaml block found (the fenced blocks present are not marked yaml)"
        : "the file is empty",
      o.blocks.length > 0 ? "mark the contract's fence as ```yaml" : fenceHint(CONTRACT_BLOCK),
    ),
  );
}

/**
 * A file that is neither an issue with the contract section nor a YAML contract on its own (it
 * parses as prose): say what to add, rather than "the contract is "…" (string), expected object".
 */
export function noContractFound(heading: string): Problem {
  return problem(
    "contract.missing",
    "",
    `no contract found: no \`### ${heading}\` section, no \`\`\`yaml block, and the file is not a YAML contract on its own`,
    `add a \`### ${heading}\` heading with the contract in a \`\`\`yaml block under it (the issue form writes this), or pass a file that holds only the contract's YAML`,
  );
}

function fromBlock(block: FencedBlock): Extraction {
  const text = blockText(CONTRACT_BLOCK, block);
  return text.ok
    ? { status: "found", yaml: text.yaml, line: text.line, firstLine: text.firstLine }
    : invalid(text.error, text.line);
}

function invalid(error: Problem, line?: number): Extraction {
  return line === undefined ? { status: "invalid", errors: [error] } : { status: "invalid", errors: [error], line };
}
