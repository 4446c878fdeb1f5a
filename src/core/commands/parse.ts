/** Find and validate the one slash command in a PR comment: Prow-style, anchored on whole lines, never echoing raw text. */
import { closest, editDistance } from "../text/closest.js";
import { isTierBGate, SINGLE_MODE, type TierBRegistry } from "../tierb/registry-view.js";

/** What a maintainer asked for. `bundle` is a bundle name, or `single` with `singleGate` set. */
export type Command =
  | { kind: "tier-b"; bundle: string; singleGate?: string; baselineRef?: string; budgetPct?: number }
  | { kind: "tier-b-cancel" }
  | { kind: "recheck" }
  | { kind: "help" }
  /** On a contract issue: accept its contract (optionally pinned to the hash the issue's comment shows). */
  | { kind: "accept"; hash?: string };

export type UsageCode =
  | "tier-b.missing-target"
  | "tier-b.missing-gate"
  | "tier-b.unknown-bundle"
  | "tier-b.unknown-gate"
  | "tier-b.not-tier-b"
  | "tier-b.bad-argument"
  | "tier-b.duplicate-argument"
  | "tier-b.bad-baseline"
  | "tier-b.bad-budget"
  | "tier-b.extra-words"
  | "accept.bad-hash"
  | "accept.on-pull-request"
  | "command.misspelt";

/**
 * A command the bot recognised but cannot run. `message` is built only from our own words and from
 * tokens that pass SAFE_TOKEN, so it can be posted without echoing what the commenter typed.
 */
export interface UsageError {
  code: UsageCode;
  message: string;
  /** Known names near the bad one (from the registry or our command list), safe to show. */
  suggestions: string[];
}

/** The result of reading a comment: nothing for us, one command, or one usage error. */
export type CommentCommand =
  { kind: "none" } | { kind: "command"; command: Command } | { kind: "usage"; error: UsageError };

/** A token we may quote back to the commenter; anything else is described, not shown. */
export const SAFE_TOKEN = /^[A-Za-z0-9_.:/-]{1,64}$/;
/** A git ref or SHA as `baseline=` accepts it; `..` (ranges, path climbing) is refused separately. */
export const BASELINE_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
const BUDGET_NUMBER = /^[+-]?(?:\d{1,4}(?:\.\d{1,3})?|\.\d{1,3})$/;
export const BUDGET_MIN = -100;
export const BUDGET_MAX = 1000;

const COMMANDS = ["tier-b", "recheck", "help", "accept"] as const;
export type CommandWord = (typeof COMMANDS)[number];
/** Words other bots use for the same thing; answered with a pointer to ours rather than silence. */
const ALIASES: Readonly<Record<string, CommandWord>> = {
  retest: "recheck",
  tierb: "tier-b",
  tier_b: "tier-b",
  "tier-b-run": "tier-b",
};

/** A candidate command line: `/word` then optional arguments. `/tmp/x` is not one (no space after the word). */
// Shaped so that nothing can be traded between quantifiers (`.` matches everything with `s`, the
// fence run cannot give back characters): a 64 KiB line of spaces then U+2028 backtracked for seconds.
const COMMAND_LINE = /^\/([A-Za-z][A-Za-z0-9_-]{0,31})(?:[ \t](.*))?$/s;
const FENCE_OPEN = /^ {0,3}(`{3,}(?!`)|~{3,}(?!~))(.*)$/s;

/**
 * The lines of a comment that can carry a command, in order: outside fenced code, `>` quotes,
 * HTML comments and indented code. CRLF and lone CR are line ends too.
 */
export function commandLines(body: string): string[] {
  const out: string[] = [];
  let fence: { char: string; length: number } | undefined;
  let inHtmlComment = false;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(raw);
      if (close && close[1]![0] === fence.char && close[1]!.length >= fence.length) fence = undefined;
      continue;
    }
    const startsInComment = inHtmlComment;
    inHtmlComment = htmlCommentOpenAfter(raw, inHtmlComment);
    if (startsInComment) continue;
    const open = FENCE_OPEN.exec(raw);
    // A backtick fence's info string cannot contain a backtick (CommonMark); otherwise it is inline code.
    if (open && !(open[1]![0] === "`" && open[2]!.includes("`"))) {
      fence = { char: open[1]![0]!, length: open[1]!.length };
      continue;
    }
    if (indentation(raw) >= 4) continue;
    // Only ASCII spaces and tabs indent; a no-break space before `/` makes it prose, as GitHub renders it.
    const line = raw.replace(/^[ \t]+/, "").trimEnd();
    if (line.startsWith(">") || line.startsWith("<!--")) continue;
    if (line.startsWith("/")) out.push(line);
  }
  return out;
}

/** Columns of leading whitespace, a tab counting to the next multiple of 4 (CommonMark). */
function indentation(line: string): number {
  let col = 0;
  for (const ch of line) {
    if (ch === " ") col += 1;
    else if (ch === "\t") col += 4 - (col % 4);
    else break;
  }
  return col;
}

/** Whether an HTML comment is still open at the end of this line. */
function htmlCommentOpenAfter(line: string, openAtStart: boolean): boolean {
  let open = openAtStart;
  let at = 0;
  for (;;) {
    if (open) {
      const end = line.indexOf("-->", at);
      if (end < 0) return true;
      open = false;
      at = end + 3;
    } else {
      const start = line.indexOf("<!--", at);
      if (start < 0) return false;
      open = true;
      at = start + 4;
    }
  }
}

/**
 * Read a comment. Only the FIRST line that looks like one of our commands (or a misspelling of
 * one) counts: one comment, one action, one reaction. Later command lines are ignored; `/help`
 * explains this. Unknown `/words` that are not near our commands are left to other bots.
 */
export function parseComment(body: string, registry: TierBRegistry): CommentCommand {
  for (const line of commandLines(body)) {
    const m = COMMAND_LINE.exec(line);
    if (!m) continue;
    const word = m[1]!.toLowerCase();
    const args = (m[2] ?? "").trim();
    const known = (COMMANDS as readonly string[]).includes(word) ? (word as CommandWord) : undefined;
    if (known === undefined) {
      const meant = misspeltCommand(word);
      if (meant === undefined) continue;
      const shown = SAFE_TOKEN.test(word) ? `\`/${word}\` is not a command` : "that is not a command";
      return usage("command.misspelt", `${shown}; did you mean \`/${meant}\`?`, [`/${meant}`]);
    }
    return parseKnown(known, args, registry);
  }
  return { kind: "none" };
}

/**
 * Which of our commands a comment addresses (a misspelling counts), without reading its
 * arguments: enough to know the comment is for us, and whether it asks for `/help`, before
 * anyone's permission is read. Undefined when every command line is someone else's.
 */
export function commandWordOf(body: string): { word: CommandWord; exact: boolean } | undefined {
  for (const line of commandLines(body)) {
    const m = COMMAND_LINE.exec(line);
    if (!m) continue;
    const word = m[1]!.toLowerCase();
    if ((COMMANDS as readonly string[]).includes(word)) return { word: word as CommandWord, exact: true };
    const meant = misspeltCommand(word);
    if (meant !== undefined) return { word: meant, exact: false };
  }
  return undefined;
}

/** The command word we think was meant, or undefined when the word is someone else's command. */
export function misspeltCommand(word: string): CommandWord | undefined {
  const w = word.toLowerCase();
  const alias = ALIASES[w];
  if (alias !== undefined) return alias;
  if (w.replace(/[-_ ]/g, "") === "tierb" || w.replace(/[-_ ]/g, "") === "teirb") return "tier-b";
  // Short words (help) tolerate one edit, longer ones two; `/tier-a` lands on `/tier-b` on purpose.
  let best: { word: CommandWord; d: number } | undefined;
  for (const c of COMMANDS) {
    const d = editDistance(w, c);
    const max = c.length <= 4 ? 1 : 2;
    if (d > 0 && d <= max && (best === undefined || d < best.d)) best = { word: c, d };
  }
  return best?.word;
}

function parseKnown(word: CommandWord, args: string, registry: TierBRegistry): CommentCommand {
  switch (word) {
    case "recheck":
    case "help":
      if (args !== "")
        return usage("tier-b.extra-words", `\`/${word}\` takes no arguments; write it alone on its line`, []);
      return { kind: "command", command: { kind: word } };
    case "tier-b":
      return parseTierB(
        args.split(/[ \t]+/).filter((t) => t !== ""),
        registry,
      );
    case "accept":
      return usage(
        "accept.on-pull-request",
        "`/accept` accepts a contract: write it on the contract's issue, where its sticky comment shows what is accepted",
        [],
      );
  }
}

/** A contract hash as people quote it: 7 to 64 hex digits. */
const HASH_PREFIX = /^[0-9a-f]{7,64}$/;

/**
 * Read a comment on a contract issue, where the one command is `/accept [<hash>]`. Other lines,
 * including the PR commands, are left alone (they mean nothing on an issue).
 */
export function parseIssueComment(body: string): CommentCommand {
  for (const line of commandLines(body)) {
    const m = COMMAND_LINE.exec(line);
    if (!m || m[1]!.toLowerCase() !== "accept") continue;
    const args = (m[2] ?? "")
      .trim()
      .split(/[ \t]+/)
      .filter((t) => t !== "");
    if (args.length === 0) return { kind: "command", command: { kind: "accept" } };
    if (args.length === 1 && HASH_PREFIX.test(args[0]!.toLowerCase()))
      return { kind: "command", command: { kind: "accept", hash: args[0]!.toLowerCase() } };
    return usage(
      "accept.bad-hash",
      "`/accept` takes nothing, or the contract hash its sticky comment shows (7 or more hex digits)",
      [],
    );
  }
  return { kind: "none" };
}

function parseTierB(tokens: string[], registry: TierBRegistry): CommentCommand {
  const [first, ...rest] = tokens;
  if (first === undefined)
    return usage("tier-b.missing-target", "`/tier-b` needs a bundle name, `single <gate-id>`, or `cancel`", []);
  if (first === "cancel") {
    if (rest.length > 0)
      return usage("tier-b.extra-words", "`/tier-b cancel` takes no arguments; write it alone on its line", []);
    return { kind: "command", command: { kind: "tier-b-cancel" } };
  }
  let bundle: string;
  let singleGate: string | undefined;
  let options: string[];
  if (first === SINGLE_MODE) {
    const gate = rest[0];
    if (gate === undefined || gate.includes("="))
      return usage("tier-b.missing-gate", "`/tier-b single` needs a gate id, e.g. `/tier-b single <gate-id>`", []);
    const problem = checkGate(gate, registry);
    if (problem) return { kind: "usage", error: problem };
    bundle = SINGLE_MODE;
    singleGate = gate;
    options = rest.slice(1);
  } else {
    if (!registry.bundles.has(first)) {
      const near = SAFE_TOKEN.test(first)
        ? closest(
            first,
            [...registry.bundles.keys()].filter((b) => b !== SINGLE_MODE),
          )
        : [];
      return usage(
        "tier-b.unknown-bundle",
        `${name(first, "the bundle name")} is not a bundle in the gate registry`,
        near,
      );
    }
    bundle = first;
    options = rest;
  }
  const cmd: Extract<Command, { kind: "tier-b" }> = { kind: "tier-b", bundle };
  if (singleGate !== undefined) cmd.singleGate = singleGate;
  for (const token of options) {
    const eq = token.indexOf("=");
    const key = eq > 0 ? token.slice(0, eq) : undefined;
    const value = eq > 0 ? token.slice(eq + 1) : "";
    if (key === "baseline") {
      if (cmd.baselineRef !== undefined)
        return usage("tier-b.duplicate-argument", "`baseline=` is given twice; give it once", []);
      if (!BASELINE_REF.test(value) || value.includes("..") || value.endsWith(".lock") || value.endsWith("/")) {
        return usage(
          "tier-b.bad-baseline",
          "`baseline=` must name a git ref or SHA, e.g. `baseline=origin/main` (letters, digits, `._/-`, no `..`)",
          [],
        );
      }
      cmd.baselineRef = value;
    } else if (key === "budget") {
      if (cmd.budgetPct !== undefined)
        return usage("tier-b.duplicate-argument", "`budget=` is given twice; give it once", []);
      const pct = BUDGET_NUMBER.test(value) ? Number(value) : NaN;
      if (!Number.isFinite(pct) || pct < BUDGET_MIN || pct > BUDGET_MAX) {
        return usage(
          "tier-b.bad-budget",
          `\`budget=\` must be a percentage from ${BUDGET_MIN} to ${BUDGET_MAX}, e.g. \`budget=-10\` (throughput may fall by at most 10 %)`,
          [],
        );
      }
      cmd.budgetPct = Object.is(pct, -0) ? 0 : pct;
    } else if (key !== undefined) {
      const near = closest(key, ["baseline", "budget"]);
      return usage(
        "tier-b.bad-argument",
        `${name(key, "that option", "=")} is not an option of \`/tier-b\`; the options are \`baseline=<ref>\` and \`budget=<pct>\``,
        near.map((n) => `${n}=`),
      );
    } else {
      return usage(
        "tier-b.extra-words",
        `\`/tier-b\` takes one ${singleGate !== undefined ? "gate id" : "bundle"} and then only \`baseline=<ref>\` and \`budget=<pct>\`; put any other words on another line`,
        [],
      );
    }
  }
  return { kind: "command", command: cmd };
}

function checkGate(gate: string, registry: TierBRegistry): UsageError | undefined {
  const known = registry.gates.get(gate);
  if (known === undefined) {
    const tierB = [...registry.gates.entries()].filter(([, g]) => g.tier === "b").map(([id]) => id);
    const near = SAFE_TOKEN.test(gate) ? closest(gate, tierB) : [];
    return {
      code: "tier-b.unknown-gate",
      message: `${name(gate, "the gate id")} is not a gate in the gate registry`,
      suggestions: near,
    };
  }
  if (!isTierBGate(registry, gate)) {
    return {
      code: "tier-b.not-tier-b",
      message: `${name(gate, "that gate")} is a Tier-A gate; Tier-A gates are run by the author and attested in the PR body, not dispatched`,
      suggestions: [],
    };
  }
  return undefined;
}

/** A token quoted in backticks if it is safe to show, else a neutral description. */
function name(token: string, otherwise: string, suffix = ""): string {
  return SAFE_TOKEN.test(token) ? "`" + token + suffix + "`" : otherwise;
}

function usage(code: UsageCode, message: string, suggestions: string[]): CommentCommand {
  return { kind: "usage", error: { code, message, suggestions } };
}
