/**
 * Narrow a tagged union in a test (`{ ok: false }`, `{ status: "invalid" }`, `{ kind: "usage" }`):
 * the test fails, showing the value, when it is another variant. Instead of `if (r.ok) expect(…)`,
 * whose assertions silently do not run when the branch is not taken.
 */
import { expect } from "@jest/globals";

export function narrow<T extends object, K extends keyof T, const V extends T[K]>(
  value: T,
  key: K,
  want: V,
): Extract<T, Record<K, V>> {
  expect(value).toMatchObject({ [key]: want });
  return value as Extract<T, Record<K, V>>;
}
