/** Hardened YAML: one document, no aliases, unique keys, every error and warning fatal, bounded depth. */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from "yaml";
import { fail, ok, pointer, problem, type Problem, type Result } from "../problem.js";

export const MAX_YAML_DEPTH = 32;
/** A contract or attestation is tens of lines; the parser's work grows with entries, so they are capped first. */
export const MAX_YAML_LINES = 1000;

export interface ParsedYaml {
  value: unknown;
  /**
   * The text an author wrote for each plain scalar that YAML turned into a number, keyed by JSON
   * pointer. YAML 1.2 reads `01` as the number 1; ids must be kept as written.
   */
  numberSource: ReadonlyMap<string, string>;
}

interface YamlIssue {
  message: string;
  linePos?: Array<{ line: number; col: number }> | undefined;
  code?: string;
}

function located(code: string, issue: YamlIssue, hint?: string): Problem {
  const at = issue.linePos?.[0];
  const where = at ? ` (line ${at.line}, column ${at.col})` : "";
  // The yaml library appends a code excerpt after a colon+newline; keep only the first sentence.
  const first = issue.message
    .split("\n")[0]!
    .replace(/ at line \d+, column \d+:?$/, "")
    .trim();
  return problem(code, "", `YAML ${first}${where}`, hint);
}

/** Walk the AST without recursion (so hostile nesting cannot overflow the stack). */
function inspect(
  doc: Document,
  lines: LineCounter,
  what: string,
): { errors: Problem[]; numberSource: Map<string, string> } {
  const errors: Problem[] = [];
  const numberSource = new Map<string, string>();
  const stack: Array<{ node: unknown; path: string; depth: number }> = [{ node: doc.contents, path: "", depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (depth > MAX_YAML_DEPTH) {
      errors.push({ ...tooDeep(what), path });
      break;
    }
    if (isAlias(node)) {
      const start = node.range?.[0];
      const at = start === undefined ? "" : ` at line ${lines.linePos(start).line}`;
      errors.push(
        problem(
          "yaml.alias",
          path,
          `aliases are not allowed (*${node.source}${at})`,
          "write the value out in full instead of using an anchor and alias",
        ),
      );
    } else if (isScalar(node)) {
      if (typeof node.value === "number" && node.type === "PLAIN" && typeof node.source === "string") {
        numberSource.set(path, node.source);
      }
    } else if (isMap(node)) {
      // Duplicate keys are found here, with a set: the yaml library's own check compares every key
      // with every other (6,500 keys in a 32 KiB block took most of a second).
      const keys = new Set<string>();
      for (const pair of node.items) {
        if (!isScalar(pair.key)) {
          errors.push(
            problem(
              "yaml.key",
              path,
              "mapping keys must be plain strings",
              "write keys as simple words such as `scope:`",
            ),
          );
          continue;
        }
        const key = String(pair.key.value);
        if (keys.has(key)) {
          const start = pair.key.range?.[0];
          const at =
            start === undefined ? "" : ` (line ${lines.linePos(start).line}, column ${lines.linePos(start).col})`;
          errors.push(
            problem(
              "yaml.duplicate-key",
              path,
              `YAML Map keys must be unique${at}`,
              "each key may appear once in a mapping; merge the two entries",
            ),
          );
          continue;
        }
        keys.add(key);
        stack.push({ node: pair.value, path: path + pointer(key), depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: path + pointer(i), depth: depth + 1 }));
    }
  }
  return { errors, numberSource };
}

/**
 * Parse `source` as exactly one YAML document. `what` names the block in messages
 * ("the contract", "the attestation").
 */
export function parseYaml(source: string, what: string): Result<ParsedYaml> {
  // Brackets inside quoted strings count too: over-counting only ever rejects absurd input.
  if (flowDepthExceeds(source, MAX_YAML_DEPTH)) return fail(tooDeep(what));
  const lineCount = source.split("\n", MAX_YAML_LINES + 1).length;
  if (lineCount > MAX_YAML_LINES)
    return fail(
      problem(
        "yaml.too-many-lines",
        "",
        `${what} has more than ${MAX_YAML_LINES} lines`,
        "keep the block to what the bot reads; move notes and logs out of it",
      ),
    );
  let docs: Document.Parsed[];
  const lines = new LineCounter();
  try {
    docs = parseAllDocuments(source, {
      lineCounter: lines,
      uniqueKeys: false,
      prettyErrors: true,
      strict: true,
      merge: false,
    }) as Document.Parsed[];
  } catch (err) {
    return fail(parserCrash(err, what));
  }
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for input with no documents.
    return fail(problem("yaml.empty", "", `${what} is empty`, "put the YAML block between the ```yaml fences"));
  }
  if (docs.length === 0)
    return fail(problem("yaml.empty", "", `${what} is empty`, "put the YAML block between the ```yaml fences"));
  if (docs.length > 1)
    return fail(
      problem(
        "yaml.multiple-documents",
        "",
        `${what} holds ${docs.length} YAML documents, expected one`,
        "remove the `---` separators so the block is a single document",
      ),
    );
  const doc = docs[0]!;
  const all = [...doc.errors, ...doc.warnings];
  if (all.some((e) => /call stack/i.test(e.message))) return fail(tooDeep(what));
  if (doc.directives?.yaml.explicit)
    return fail(
      problem(
        "yaml.directive",
        "",
        "YAML directives such as `%YAML` are not allowed",
        "delete the `%` directive line; the block is read as YAML 1.2",
      ),
    );
  // Tab indentation fails on every indented line; one problem that says what to do beats an echo per line.
  const tabs = doc.errors.filter((e) => e.code === "TAB_AS_INDENT");
  if (tabs.length > 0) return fail(tabIndented(tabs));
  const problems: Problem[] = [
    ...doc.errors.map((e) =>
      located(
        e.code === "DUPLICATE_KEY" ? "yaml.duplicate-key" : "yaml.syntax",
        e,
        e.code === "DUPLICATE_KEY"
          ? "each key may appear once in a mapping; merge the two entries"
          : "fix the YAML syntax at that position",
      ),
    ),
    ...doc.warnings.map((w) =>
      located("yaml.warning", w, "YAML warnings are treated as errors; write plain YAML without tags or directives"),
    ),
  ];
  // The first few problems are what an author can act on; later ones are usually echoes.
  if (problems.length > 0) return fail(...problems.slice(0, 5));
  const inspected = inspect(doc, lines, what);
  if (inspected.errors.length > 0) return fail(...inspected.errors);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch (err) {
    return fail(parserCrash(err, what));
  }
  if (value === null || value === undefined)
    return fail(problem("yaml.empty", "", `${what} is empty`, "put the YAML block between the ```yaml fences"));
  return ok({ value, numberSource: inspected.numberSource });
}

function tabIndented(tabs: readonly YamlIssue[]): Problem {
  const lines = tabs.length === 1 ? "a line is indented with a tab" : `${tabs.length} lines are indented with tabs`;
  const at = tabs[0]!.linePos?.[0];
  return problem(
    "yaml.tab-indent",
    "",
    `${lines}; YAML indents with spaces only${at ? ` (line ${at.line}, column ${at.col})` : ""}`,
    "indent with spaces instead of tabs (two per level, as in the template)",
  );
}

function tooDeep(what: string): Problem {
  return problem(
    "yaml.depth",
    "",
    `${what} is nested too deeply to parse (more than ${MAX_YAML_DEPTH} levels)`,
    "flatten the block; a contract needs at most a few levels",
  );
}

/** Count flow-collection nesting before parsing, so hostile input never reaches the recursive composer. */
function flowDepthExceeds(source: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth = Math.max(0, depth - 1);
    }
  }
  return false;
}

function parserCrash(err: unknown, what: string): Problem {
  if (err instanceof RangeError) return tooDeep(what);
  const message = err instanceof Error ? err.message.split("\n")[0] : "unknown parser failure";
  return problem("yaml.syntax", "", `YAML could not be parsed: ${message}`, "fix the YAML syntax");
}
