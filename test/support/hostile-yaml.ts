/**
 * YAML built to hurt a parser that expands what it reads: nine levels of nine aliases each
 * (`a` to `i`), 9^9 nodes once expanded, a few hundred bytes as written.
 */
export const ALIAS_BOMB = [
  "a: &a [x, x, x, x, x, x, x, x, x]",
  ...Array.from({ length: 8 }, (_, i) => {
    const name = String.fromCharCode(98 + i);
    const previous = String.fromCharCode(97 + i);
    return `${name}: &${name} [${Array(9)
      .fill("*" + previous)
      .join(", ")}]`;
  }),
].join("\n");
