/**
 * Candidate starts for the sanitizer's rules: where a rare anchor character (`:`, `=`, `-`, `_`, `@`)
 * sits in a text, found once per text and shared by every rule that hangs on it, and the search
 * that runs a rule's own regex sticky at those candidates only.
 */

/** A character code outside the text (before its start or past its end). */
const NONE = 0xffff;

/**
 * What was found in the last text, by kind and key: one text is scanned by ~30 finders in a row, and
 * each index, search and table is built once for it. Holding one text is the cost of that.
 */
let cachedText: string | undefined;
let cache = new Map<string, unknown>();

function cached<T>(text: string, key: string, build: () => T): T {
  if (text !== cachedText) {
    cachedText = text;
    cache = new Map();
  }
  let found = cache.get(key) as T | undefined;
  if (found === undefined) {
    found = build();
    cache.set(key, found);
  }
  return found;
}

/**
 * Ascending positions of any of the given characters. One native `indexOf` per character (a memchr
 * where the character is rare), merged; a character class regex such as `/[:=]/g` costs several
 * times more than that on a megabyte.
 */
export function positionsOf(text: string, chars: string): readonly number[] {
  return cached(text, `chars:${chars}`, () => {
    if (chars.length !== 1) return [...chars].map((c) => positionsOf(text, c)).reduce(mergeSorted, []);
    const found: number[] = [];
    for (let at = text.indexOf(chars); at !== -1; at = text.indexOf(chars, at + 1)) found.push(at);
    return found;
  });
}

/**
 * Ascending positions of a literal (case-sensitive), overlapping ones included. V8 finds a literal from
 * its first character (a memchr): one that starts with a rare character (`wandb`) costs ~0.05 ms a
 * megabyte, one that starts with a common one (`hooks.slack.com/`) ~0.3 ms.
 */
export function occurrencesOf(text: string, literal: string): readonly number[] {
  if (literal.length === 0) throw new Error("sanitize literal must not be empty");
  return cached(text, `literal:${literal}`, () => {
    const found: number[] = [];
    for (let at = text.indexOf(literal); at !== -1; at = text.indexOf(literal, at + 1)) found.push(at);
    return found;
  });
}

/**
 * Ascending start positions of every match of a global regex, overlapping ones included (each
 * search resumes one past the last start): one scan several rules read their candidates from.
 */
export function matchStarts(text: string, re: RegExp): readonly number[] {
  if (!re.global) throw new Error(`sanitize search regex ${re} must be global`);
  return cached(text, `regex:${re.flags}:${re.source}`, () => {
    const search = new RegExp(re.source, re.flags);
    const found: number[] = [];
    for (let m = search.exec(text); m !== null; m = search.exec(text)) {
      found.push(m.index);
      search.lastIndex = m.index + 1;
    }
    return found;
  });
}

/**
 * The characters on either side of each indexed position, read once per text and character set into
 * compact arrays: the positions lie all over a megabyte, and each rule that read them from the text
 * again would pay a cache miss per position. 0xffff stands outside the text.
 */
export interface Around {
  positions: readonly number[];
  /** The character codes two before, one before, one after and two after each position. */
  before2: Uint16Array;
  before1: Uint16Array;
  after1: Uint16Array;
  after2: Uint16Array;
}

export function around(text: string, chars: string): Around {
  const positions = positionsOf(text, chars);
  return cached(text, `around:${chars}`, (): Around => {
    const n = positions.length;
    const found = {
      positions,
      before2: new Uint16Array(n),
      before1: new Uint16Array(n),
      after1: new Uint16Array(n),
      after2: new Uint16Array(n),
    };
    for (let i = 0; i < n; i++) {
      const at = positions[i]!;
      found.before2[i] = at >= 2 ? text.charCodeAt(at - 2) : NONE;
      found.before1[i] = at >= 1 ? text.charCodeAt(at - 1) : NONE;
      found.after1[i] = at + 1 < text.length ? text.charCodeAt(at + 1) : NONE;
      found.after2[i] = at + 2 < text.length ? text.charCodeAt(at + 2) : NONE;
    }
    return found;
  });
}

/** Two ascending lists of distinct positions as one (a linear merge: sorting twelve thousand numbers costs more). */
function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(a[i]! < b[j]! ? a[i++]! : b[j++]!);
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/**
 * Every match of `re` with the semantics of a global scan (leftmost first, non-overlapping, empty
 * matches skipped), trying only the candidate starts. Exact as long as the candidates include every
 * position a match can start at; they must be ascending.
 */
export function* matchesAt(re: RegExp, text: string, starts: Iterable<number>): Generator<RegExpExecArray> {
  const sticky = new RegExp(re.source, re.flags.replace("g", "") + (re.sticky ? "" : "y"));
  let covered = 0;
  let tried = -1;
  for (const start of starts) {
    // A start behind one already tried would be silently skipped: a candidate list out of order is a
    // bug in its plan, and failing loudly (the sanitizer then withholds the text) beats a missed secret.
    if (start < tried) throw new Error(`sanitize candidate starts out of order: ${start} after ${tried}`);
    if (start < covered || start === tried) continue;
    tried = start;
    sticky.lastIndex = start;
    const m = sticky.exec(text);
    if (m === null || m[0].length === 0) continue;
    covered = m.index + m[0].length;
    yield m;
  }
}

/** A lookup table of ASCII characters (a Set lookup per separator costs more than the rest of the loop). */
export function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (const c of chars) table[c.charCodeAt(0) & 127] = 1;
  return table;
}

/** How a `key[:=]value` pattern reads from its key up to its separator. */
export interface KeyShape {
  /** The separators that follow the key (and optional quote and blanks): ":", "=" or ":=". */
  separators: string;
  /** Quote characters that may stand between the key and the blanks before the separator. */
  quotes: string;
  /** Every character a key may end with, lower case (letters match either case). */
  lastChars: string;
  /** The key as a global regex ending in `$`: where it matches in a window ending at the key's end, a match may start. */
  key: RegExp;
  /** The longest key, in characters. */
  maxKey: number;
}

/**
 * Where each separator's key would end, shared by every key shape on the same separators: from each
 * separator back over blanks (to the previous separator at most, so linear in all), and the two
 * characters before that point. A shape then decides from two table reads per separator.
 */
interface KeyEnds {
  /** The position after blanks are walked back from each separator. */
  ends: Int32Array;
  /** The character code before `ends[i]` and the one before that; 0xffff where the text starts. */
  last: Uint16Array;
  beforeLast: Uint16Array;
}

function keyEndsOf(text: string, separators: string): KeyEnds {
  return cached(text, `keyEnds:${separators}`, (): KeyEnds => {
    const positions = positionsOf(text, separators);
    const ends = new Int32Array(positions.length);
    const last = new Uint16Array(positions.length);
    const beforeLast = new Uint16Array(positions.length);
    let floor = 0;
    for (let i = 0; i < positions.length; i++) {
      const at = positions[i]!;
      let end = at;
      while (end > floor && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 9)) end--;
      floor = at + 1;
      ends[i] = end;
      last[i] = end >= 1 ? text.charCodeAt(end - 1) : NONE;
      beforeLast[i] = end >= 2 ? text.charCodeAt(end - 2) : NONE;
    }
    return { ends, last, beforeLast };
  });
}

/**
 * The shapes seen so far, grouped by the separators whose walk they read (a shape on `:` alone reads
 * the `:=` walk and skips its `=`: the walk back from a `:` stops at the first non-blank either way).
 * Each shape is one bit of its group's tables, so one pass over a group's separators sorts every
 * separator to the shapes whose key can end before it.
 */
interface ShapeGroup {
  separators: string;
  shapes: KeyShape[];
  /** For each ASCII code, the shapes whose key may end with it. */
  last: Int32Array;
  /** For each ASCII code, the shapes for which it is a quote between key and separator. */
  quotes: Int32Array;
  /** The shapes on `:` alone in a `:=` group. */
  colonOnly: number;
}

const MAX_SHAPES = 31;
const groups = new Map<string, ShapeGroup>();
const shapeBits = new WeakMap<KeyShape, { group: ShapeGroup; bit: number }>();

function registered(shape: KeyShape): { group: ShapeGroup; bit: number } {
  const known = shapeBits.get(shape);
  if (known !== undefined) return known;
  if (!shape.key.global) throw new Error(`sanitize key regex ${shape.key} must be global`);
  const separators = shape.separators === ":" ? ":=" : shape.separators;
  let group = groups.get(separators);
  if (group === undefined) {
    group = { separators, shapes: [], last: new Int32Array(128), quotes: new Int32Array(128), colonOnly: 0 };
    groups.set(separators, group);
  }
  if (group.shapes.length >= MAX_SHAPES)
    throw new Error(`sanitize has more than ${MAX_SHAPES} key shapes on ${separators}`);
  const bit = group.shapes.length;
  group.shapes.push(shape);
  for (const c of shape.lastChars + shape.lastChars.toUpperCase()) group.last[c.charCodeAt(0) & 127]! |= 1 << bit;
  for (const c of shape.quotes) group.quotes[c.charCodeAt(0) & 127]! |= 1 << bit;
  if (separators !== shape.separators) group.colonOnly |= 1 << bit;
  const entry = { group, bit };
  shapeBits.set(shape, entry);
  return entry;
}

/** The key ends of a shape in the text, sorted for all shapes its group had when first asked (a later shape sorts again). */
function keyEndsFor(text: string, group: ShapeGroup, bit: number): readonly number[] {
  const perShape = cached(text, `shapes:${group.separators}:${group.shapes.length}`, () => sortToShapes(text, group));
  return perShape[bit]!;
}

/** One pass over the group's separators: each goes to the shapes whose key can end before it (two table reads). */
function sortToShapes(text: string, group: ShapeGroup): number[][] {
  const { ends, last: lastCodes, beforeLast } = keyEndsOf(text, group.separators);
  const positions = positionsOf(text, group.separators);
  const perShape = group.shapes.map((): number[] => []);
  for (let i = 0; i < ends.length; i++) {
    const c0 = lastCodes[i]!;
    const c1 = beforeLast[i]!;
    // A shape that takes c0 as its quote looks one character further back; codes past ASCII match nothing.
    const quoted = c0 < 128 ? group.quotes[c0]! : 0;
    let shapes = ((c0 < 128 ? group.last[c0]! : 0) & ~quoted) | ((c1 < 128 ? group.last[c1]! : 0) & quoted);
    if (shapes === 0) continue;
    if ((shapes & group.colonOnly) !== 0 && text.charCodeAt(positions[i]!) !== 0x3a) shapes &= ~group.colonOnly;
    while (shapes !== 0) {
      const lowest = shapes & -shapes;
      const bit = 31 - Math.clz32(lowest);
      perShape[bit]!.push((quoted & lowest) !== 0 ? ends[i]! - 1 : ends[i]!);
      shapes ^= lowest;
    }
  }
  return perShape;
}

/**
 * Candidate starts of a `key ["']? [ \t]* [:=]` pattern: from each separator, back over blanks and
 * an optional quote to where the key ends, then every position in the few characters before it where
 * the key pattern matches up to there. A separator whose preceding character cannot end a key (most
 * `:` of a log: times, ports, `step 10:`) costs two table reads, once for all shapes.
 */
export function keyedStarts(text: string, shape: KeyShape): number[] {
  const { group, bit } = registered(shape);
  const starts: number[] = [];
  for (const end of keyEndsFor(text, group, bit)) {
    const from = Math.max(0, end - shape.maxKey);
    const window = text.slice(from, end);
    shape.key.lastIndex = 0;
    for (let m = shape.key.exec(window); m !== null; m = shape.key.exec(window)) {
      starts.push(from + m.index);
      shape.key.lastIndex = m.index + 1;
    }
  }
  return starts;
}

/**
 * Candidate starts `offset` characters before each of the given characters, where the text there
 * reads `literal` ignoring case (a loose check: a candidate too many only costs a sticky try).
 */
export function literalStarts(text: string, chars: string, offset: number, literal: string): number[] {
  const starts: number[] = [];
  const codes = [...literal].map((c) => c.charCodeAt(0) | 0x20);
  // The characters next to the anchor first, from the compact arrays; the text only where they fit.
  const { positions, before1, after1 } = around(text, chars);
  const before = offset > 0 ? codes[offset - 1]! : -1;
  const after = offset + 1 < codes.length ? codes[offset + 1]! : -1;
  for (let i = 0; i < positions.length; i++) {
    if (before !== -1 && (before1[i]! | 0x20) !== before) continue;
    if (after !== -1 && (after1[i]! | 0x20) !== after) continue;
    const start = positions[i]! - offset;
    if (start < 0) continue;
    let k = 0;
    while (k < codes.length && (text.charCodeAt(start + k) | 0x20) === codes[k]) k++;
    if (k === codes.length) starts.push(start);
  }
  return starts;
}
