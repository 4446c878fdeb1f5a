/**
 * The criteria that did not pass, for the marker that opens our `merge-captain` check's text
 * (its format lives with the bot's other markers in core/markers.ts). Only our App can write its
 * check runs, so the marker is trusted when the check run is ours.
 */
import { criteriaMarker, readCriteriaMarker, type CriteriaLists, type Marker } from "../markers.js";
import type { CriterionResult } from "../verdict/types.js";

export type VerdictMarker = CriteriaLists;

export function verdictMarker(results: readonly CriterionResult[]): Marker {
  const ids = (status: CriterionResult["status"]) => results.filter((r) => r.status === status).map((r) => r.id);
  return criteriaMarker({ fail: ids("fail"), pending: ids("pending"), unverified: ids("unverified") });
}

/** The marker in a check run's text (its first line), or undefined (an older check, or none). */
export function readVerdictMarker(text: string | null | undefined): VerdictMarker | undefined {
  return readCriteriaMarker(text);
}
