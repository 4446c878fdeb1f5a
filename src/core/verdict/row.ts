/**
 * Builds a criterion's row: its id and title said once, no detail lines unless there are some,
 * and no `fix` or annotations keys unless there is a next step or a file to mark.
 */
import type { CriterionResult, Status } from "./types.js";

/** What a row may add to its status and summary. */
export type RowExtras = Partial<Pick<CriterionResult, "details" | "fix" | "annotations">>;

export type Row = (status: Status, summary: string, extras?: RowExtras) => CriterionResult;

/** `const row = rowOf(this)` in `evaluate`, then `return row("pass", "…")`. */
export function rowOf(criterion: Pick<CriterionResult, "id" | "title">): Row {
  return (status, summary, { details = [], fix, annotations } = {}) => ({
    id: criterion.id,
    title: criterion.title,
    status,
    summary,
    details,
    ...(fix !== undefined ? { fix } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
  });
}
