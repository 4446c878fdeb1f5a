/**
 * A hidden line at the top of our `merge-captain` check's text naming the criteria that did not
 * pass, so a reader of the check alone (the merge plan) can tell "red only because a dependency is
 * open" from "red for other reasons". Only our App can write its check runs, so the line is trusted
 * when the check run is ours; ids are ours, never user text.
 */
import type { CriterionResult, Status } from "../verdict/types.js";

export interface VerdictMarker {
  fail: string[];
  pending: string[];
  unverified: string[];
}

const KINDS = ["fail", "pending", "unverified"] as const satisfies readonly Status[];
const ID = /^[a-z][a-z0-9-]{0,40}$/;
const LINE = /<!-- merge-captain:criteria v1((?: (?:fail|pending|unverified)=[a-z0-9,-]{0,400}){3}) -->/;

export function verdictMarker(results: readonly CriterionResult[]): string {
  const parts = KINDS.map(
    (k) =>
      `${k}=${results
        .filter((r) => r.status === k)
        .map((r) => r.id)
        .join(",")}`,
  );
  return `<!-- merge-captain:criteria v1 ${parts.join(" ")} -->`;
}

/** The marker in a check run's text, or undefined (an older check, or none). */
export function readVerdictMarker(text: string | null | undefined): VerdictMarker | undefined {
  const m = LINE.exec((text ?? "").slice(0, 2000));
  if (!m) return undefined;
  const out: VerdictMarker = { fail: [], pending: [], unverified: [] };
  for (const part of m[1]!.trim().split(" ")) {
    const [kind, list] = part.split("=") as [(typeof KINDS)[number], string];
    const ids = list === "" ? [] : list.split(",");
    if (!ids.every((id) => ID.test(id))) return undefined;
    out[kind] = ids;
  }
  return out;
}
