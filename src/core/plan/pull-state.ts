/** A PR's standing in the merge plan, read from our `merge-captain` check on its head. */
import { readVerdictMarker } from "../render/verdict-marker.js";
import type { PullState } from "./build.js";

/** The parts of our check run that matter here; undefined when the head has none. */
export interface CheckSeen {
  status: string;
  conclusion: string | null;
  title?: string | null;
  text: string | null;
}

export function pullStateOf(check: CheckSeen | undefined): { state: PullState; summary: string } {
  if (!check) return { state: "waiting", summary: "no merge-captain check on its head yet" };
  const summary = check.title ?? "";
  if (check.status !== "completed") return { state: "waiting", summary };
  if (check.conclusion === "success") return { state: "green", summary };
  const marker = readVerdictMarker(check.text);
  // Without the marker (an older check) nothing finer can be said: blocked until it is checked again.
  if (!marker) return { state: summary.startsWith("Not verified") ? "unverified" : "blocked", summary };
  if (marker.fail.length === 0 && marker.unverified.length > 0) return { state: "unverified", summary };
  const onlyDependencies = marker.fail.length === 1 && marker.fail[0] === "depends-on";
  if (onlyDependencies && marker.unverified.length === 0 && marker.pending.length === 0)
    return { state: "deps-only", summary };
  return { state: "blocked", summary };
}

/** A PR past the plan's read limit: its check was not read, so it is not verified, and the row says why. */
export function pullNotRead(limit: number): { state: PullState; summary: string } {
  return { state: "unverified", summary: `not read: more than ${limit} open PRs` };
}
