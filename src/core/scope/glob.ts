/** Match repository paths against path globs in time bounded by pattern × path, never by backtracking. */

/**
 * Steps of matching work one evaluation may spend; a step is one comparison. `npm run bench`
 * shows the worst case at this budget stays under 100 ms, while a large honest scope (200 + 200
 * folder patterns against 3000 renamed files) needs a few steps per file (patterns are indexed by
 * their first folder name).
 */
export const DEFAULT_MATCH_BUDGET = 1_000_000;

/**
 * The work spent so far against a limit, shared by every match of one evaluation. Once `exceeded`
 * is true, match answers are unreliable (a match cut short answers false) and must not be used.
 */
export class WorkBudget {
  used = 0;
  constructor(readonly limit: number = DEFAULT_MATCH_BUDGET) {}
  get exceeded(): boolean {
    return this.used > this.limit;
  }
}

export interface Glob {
  readonly source: string;
  /**
   * Whether `path` matches; every step of the work is counted against `budget`. `segments` is
   * `pathSegments(path)`, passed in when the caller tests one path against many globs.
   */
  test(path: string, budget: WorkBudget, segments?: readonly string[]): boolean;
}

/** Split a path into the segments `test` takes (once per path, whatever the number of patterns). */
export function pathSegments(path: string): string[] {
  return path.split("/");
}

/** One character position of a segment pattern. */
type Token =
  | { kind: "char"; code: number }
  | { kind: "any" }
  | { kind: "star" }
  | { kind: "class"; negated: boolean; ranges: ReadonlyArray<readonly [number, number]> };

/**
 * A pattern segment: `**` (any number of whole segments), a literal, or a wildcard segment. A
 * segment with a class that picomatch also reads as its literal bracket text carries a second
 * program for names that contain `[` (see `Program`).
 */
type Segment =
  | { kind: "globstar" }
  | { kind: "literal"; text: string }
  | { kind: "wild"; tokens: readonly Token[]; bracketProgram: Program | undefined };

/**
 * The syntax and answers are picomatch's (the engine scope matching used before) with `dot: true`,
 * case-sensitive, and no braces, extglobs or negation: `*` and `?` stay inside one segment and
 * match dot files too; `**` as a whole segment matches any number of segments, elsewhere it is
 * `*`; `[abc]`, `[a-z]` and `[^a]` are one character, and a class without regex-special
 * characters also matches its own bracket text (so `[id].tsx` matches the file of that name); a
 * `[` without its `]` is literal; a path equal to the pattern text matches. Callers reject what
 * this does not implement (see `patternProblem`).
 */
export function compileGlob(source: string): Glob {
  const text = ANY_DEPTH_EXTENSION.test(source)
    ? `**/*${source.slice(2)}`
    : source === "*.*" || source === "**/*.*"
      ? `${source.slice(0, -1)}?*`
      : source;
  const segments = withPicomatchTail(collapseGlobstars(text.split("/").map(compileSegment)));
  const literal = segments.every((s) => s.kind === "literal");
  // Most patterns start with a folder name: a path outside it is turned away by one native comparison.
  // (Without its final `/`: `a/**` matches `a`.)
  const prefix = (/^[^*?[]*/.exec(source)?.[0] ?? "").replace(/\/$/, "");
  return {
    source,
    test: (path, budget, split) => {
      budget.used++;
      if (!path.startsWith(prefix)) return false;
      // picomatch's first test: a path equal to the pattern text matches (`a[1].txt` matches itself).
      if (path === source) return true;
      if (literal) return false;
      return matchSegments(segments, split ?? pathSegments(path), budget) && !budget.exceeded;
    },
  };
}

function collapseGlobstars(segments: Segment[]): Segment[] {
  return segments.filter((s, i) => !(s.kind === "globstar" && segments[i - 1]?.kind === "globstar"));
}

/**
 * picomatch's other irregularity (its fast path for extensions): a whole pattern `**` followed by
 * `.<word>` parts only (`**.pem`, `**.tar.gz`) matches that ending at any depth, as `**\/*.pem`
 * does, where any other `**` inside a segment is `*` (`**-x`, `**.x*`, `a/**.pem` stay in one
 * segment). Kept: a deny of `**.pem` must go on denying `keys/server.pem`.
 */
const ANY_DEPTH_EXTENSION = /^\*\*(?:\.\w+)+$/;
// The same fast paths read a whole `*.*` or `**\/*.*` as "a dot with something after it": `a.`
// does not match them (it does match `*.*.*` or `a/*.*`, which picomatch parses in full).

/**
 * picomatch's first irregularity, kept so that no scope changes meaning: a final `/**` may match
 * nothing (`a/**` matches `a`) except after a segment that ends in `*` (`src/*\/**` does not match
 * `src/x`). Written as "one more segment, then any": `src/*\/*\/**`.
 */
function withPicomatchTail(segments: Segment[]): Segment[] {
  const before = segments.at(-2);
  if (segments.at(-1)?.kind !== "globstar" || before?.kind !== "wild" || before.tokens.at(-1)?.kind !== "star")
    return segments;
  return [...segments.slice(0, -1), compileSegment("*"), { kind: "globstar" }];
}

function compileSegment(text: string): Segment {
  if (text === "**") return { kind: "globstar" };
  if (!/[*?[]/.test(text)) return { kind: "literal", text };
  const tokens: Token[] = [];
  let bracketText = false;
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === 0x2a /* * */) {
      // Runs of `*` inside a segment are one star.
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
      i++;
    } else if (c === 0x3f /* ? */) {
      tokens.push({ kind: "any" });
      i++;
    } else if (c === 0x5b /* [ */ && parseClass(text, i) !== undefined) {
      const parsed = parseClass(text, i)!;
      tokens.push(parsed.token);
      bracketText ||= parsed.literalToo;
      i = parsed.end;
    } else {
      tokens.push({ kind: "char", code: c });
      i++;
    }
  }
  return { kind: "wild", tokens, bracketProgram: bracketText ? compileProgram(text) : undefined };
}

/** Characters that make picomatch read a bracket as a class only (never also as its literal text). */
const CLASS_ONLY = /[-*+?.^${}(|)[\]]/;

/**
 * `[` at `start`: the class, the index after its `]`, and whether the bracket text itself also
 * matches (picomatch: when the class holds no regex-special character); undefined when never closed.
 */
function parseClass(text: string, start: number): { token: Token; end: number; literalToo: boolean } | undefined {
  let i = start + 1;
  const negated = text[i] === "^";
  if (negated) i++;
  const ranges: Array<[number, number]> = [];
  // A `]` right after `[` or `[^` is a member, as in POSIX and picomatch.
  for (let first = true; i < text.length; first = false) {
    const c = text.charCodeAt(i);
    if (c === 0x5d /* ] */ && !first) {
      const literalToo = !CLASS_ONLY.test(text.slice(start + 1, i));
      return { token: { kind: "class", negated, ranges }, end: i + 1, literalToo };
    }
    if (text[i + 1] === "-" && i + 2 < text.length && text[i + 2] !== "]") {
      ranges.push([c, text.charCodeAt(i + 2)]);
      i += 3;
    } else {
      ranges.push([c, c]);
      i++;
    }
  }
  return undefined;
}

function takes(token: Token, code: number): boolean {
  switch (token.kind) {
    case "char":
      return token.code === code;
    case "any":
    case "star":
      return true;
    case "class": {
      let inside = false;
      for (const [lo, hi] of token.ranges) {
        if (code >= lo && code <= hi) {
          inside = true;
          break;
        }
      }
      return inside !== token.negated;
    }
  }
}

/**
 * The classic wildcard algorithm over one segment: on a mismatch, go back only to the last `*`
 * and let it take one more character. Earlier stars never need revisiting (a later star can take
 * whatever they would), so the work is at most tokens × characters: no backtracking blow-up.
 */
function matchWild(tokens: readonly Token[], text: string, budget: WorkBudget): boolean {
  let t = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < text.length) {
    if (++budget.used > budget.limit) return false;
    const token = tokens[t];
    if (token?.kind === "star") {
      star = t++;
      resume = i;
    } else if (token !== undefined && takes(token, text.charCodeAt(i))) {
      t++;
      i++;
    } else if (star >= 0) {
      t = star + 1;
      i = ++resume;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}

function segmentMatches(segment: Segment, text: string, budget: WorkBudget): boolean {
  switch (segment.kind) {
    case "literal":
      budget.used++;
      return segment.text === text;
    case "wild":
      // The bracket text can only match a name that has a `[`; every other name needs only the classes.
      return segment.bracketProgram !== undefined && text.includes("[")
        ? runProgram(segment.bracketProgram, text, budget)
        : matchWild(segment.tokens, text, budget);
    case "globstar":
      return true;
  }
}

/**
 * Segments before the first `**` must match the path's first segments, those after the last `**`
 * its last ones; only the pieces between globstars are searched for, each at its leftmost place
 * (the same argument as for `*`: placing a piece as early as possible never loses a match).
 * Work: at most (pattern segments × path segments) segment comparisons.
 */
function matchSegments(pattern: readonly Segment[], path: readonly string[], budget: WorkBudget): boolean {
  const first = pattern.findIndex((s) => s.kind === "globstar");
  if (first === -1) {
    if (pattern.length !== path.length) return false;
    return pattern.every((s, i) => segmentMatches(s, path[i]!, budget));
  }
  let last = pattern.length - 1;
  while (pattern[last]?.kind !== "globstar") last--;
  const head = first;
  const tail = pattern.length - 1 - last;
  if (path.length < head + tail) return false;
  for (let i = 0; i < head; i++) if (!segmentMatches(pattern[i]!, path[i]!, budget)) return false;
  for (let i = 1; i <= tail; i++) if (!segmentMatches(pattern.at(-i)!, path.at(-i)!, budget)) return false;
  // The middle: pieces (runs of non-globstar segments) in order, anywhere in the unclaimed segments.
  let at = head;
  const end = path.length - tail;
  for (let p = first + 1; p < last;) {
    let q = p;
    while (pattern[q]!.kind !== "globstar") q++;
    const piece = pattern.slice(p, q);
    let found = -1;
    for (let start = at; start + piece.length <= end && found === -1; start++) {
      if (++budget.used > budget.limit) return false;
      if (piece.every((s, k) => segmentMatches(s, path[start + k]!, budget))) found = start;
    }
    if (found === -1) return false;
    at = found + piece.length;
    p = q + 1;
  }
  return true;
}

/**
 * One instruction of a segment's program for names with a `[`: a Thompson NFA in which a class
 * that also reads as its bracket text is a `split` between the two. Every live state advances in
 * step, character by character, so the work is at most (instructions × characters), whatever the
 * pattern; this is the only place where one token can take a varying number of characters.
 */
type Op =
  | { op: "token"; token: Token }
  | { op: "star" }
  | { op: "split"; alt: number }
  | { op: "jump"; to: number }
  | { op: "match" };

/** A compiled program with its scratch space (matching is synchronous, so one set per program suffices). */
interface Program {
  ops: readonly Op[];
  seen: Int32Array;
  lists: [Int32Array, Int32Array];
  stack: Int32Array;
  generation: number;
}

function compileProgram(text: string): Program {
  const ops: Op[] = [];
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === 0x2a /* * */) {
      if (ops.at(-1)?.op !== "star") ops.push({ op: "star" });
      i++;
      continue;
    }
    const parsed = c === 0x5b /* [ */ ? parseClass(text, i) : undefined;
    if (parsed === undefined) {
      ops.push({ op: "token", token: c === 0x3f /* ? */ ? { kind: "any" } : { kind: "char", code: c } });
      i++;
      continue;
    }
    if (!parsed.literalToo) {
      ops.push({ op: "token", token: parsed.token });
      i = parsed.end;
      continue;
    }
    // Either one character of the class, or the bracket text as written.
    const split = ops.length;
    ops.push({ op: "split", alt: 0 }, { op: "token", token: parsed.token }, { op: "jump", to: 0 });
    const literalStart = ops.length;
    for (let j = i; j < parsed.end; j++) ops.push({ op: "token", token: { kind: "char", code: text.charCodeAt(j) } });
    ops[split] = { op: "split", alt: literalStart };
    ops[split + 2] = { op: "jump", to: ops.length };
    i = parsed.end;
  }
  ops.push({ op: "match" });
  const n = ops.length;
  return {
    ops,
    seen: new Int32Array(n),
    lists: [new Int32Array(n), new Int32Array(n)],
    stack: new Int32Array(2 * n + 2),
    generation: 0,
  };
}

/** Add `start` and every state reachable from it without taking a character; returns the new list length. */
function follow(p: Program, list: Int32Array, length: number, start: number, budget: WorkBudget): number {
  let n = length;
  let top = 0;
  p.stack[top++] = start;
  while (top > 0) {
    const pc = p.stack[--top]!;
    if (p.seen[pc] === p.generation) continue;
    p.seen[pc] = p.generation;
    budget.used++;
    const op = p.ops[pc]!;
    switch (op.op) {
      case "split":
        p.stack[top++] = op.alt;
        p.stack[top++] = pc + 1;
        break;
      case "jump":
        p.stack[top++] = op.to;
        break;
      case "star":
        list[n++] = pc;
        p.stack[top++] = pc + 1;
        break;
      case "token":
      case "match":
        list[n++] = pc;
        break;
    }
  }
  return n;
}

function runProgram(p: Program, text: string, budget: WorkBudget): boolean {
  let [current, next] = p.lists;
  p.generation++;
  let live = follow(p, current, 0, 0, budget);
  for (let i = 0; i < text.length && live > 0; i++) {
    if (budget.used > budget.limit) return false;
    const code = text.charCodeAt(i);
    p.generation++;
    let nextLive = 0;
    for (let k = 0; k < live; k++) {
      const pc = current[k]!;
      const op = p.ops[pc]!;
      if (op.op === "star") nextLive = follow(p, next, nextLive, pc, budget);
      else if (op.op === "token" && takes(op.token, code)) nextLive = follow(p, next, nextLive, pc + 1, budget);
    }
    [current, next] = [next, current];
    live = nextLive;
  }
  const matchPc = p.ops.length - 1;
  for (let k = 0; k < live; k++) if (current[k] === matchPc) return true;
  return false;
}
