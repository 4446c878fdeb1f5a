/** Errors are values: every user-facing failure is a Problem with a JSON-pointer path and a fix. */

export interface Problem {
  /** Stable machine-readable code, e.g. `yaml.alias`, `schema.enum`, `scope.denied`. */
  code: string;
  /** JSON pointer into the document the problem is about ("" is the whole document). */
  path: string;
  /** What is wrong, showing the offending value where that helps. */
  message: string;
  /** How to fix it. */
  hint?: string;
}

export type Result<T> = { ok: true; value: T; warnings: Problem[] } | { ok: false; errors: Problem[] };

export function ok<T>(value: T, warnings: Problem[] = []): Result<T> {
  return { ok: true, value, warnings };
}

export function fail<T>(...errors: Problem[]): Result<T> {
  return { ok: false, errors };
}

export function problem(code: string, path: string, message: string, hint?: string): Problem {
  return hint === undefined ? { code, path, message } : { code, path, message, hint };
}

/** JSON pointer from path segments (RFC 6901 escaping). */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** Show a user value inside a message: JSON-quoted and cut to a readable length. */
export function show(value: unknown, max = 80): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}
