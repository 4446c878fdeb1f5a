/**
 * The Octokit the demo and the tests give the app: Probot's own, with the write throttle and
 * retries off (the throttle spaces writes ≥ 1 s apart; retries would hide injected faults).
 * A defaults *function* is needed: Probot layers its own throttle options over plain defaults,
 * which would replace `enabled: false` wholesale; a function runs last and keeps it.
 */
import { ProbotOctokit } from "probot";

export const UnthrottledOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { ...(options["throttle"] as object | undefined), enabled: false },
}));
