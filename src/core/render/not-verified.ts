/**
 * The `merge-captain` check when the bot could not check a PR at all — the repo's config is
 * broken, or GitHub's API failed while reading the PR: "not verified", never green, never silent.
 */
import { CONFIG_PATH } from "../config/resolve.js";
import type { Problem } from "../problem.js";
import { problemList } from "./problems.js";

export interface NotVerifiedOutput {
  title: string;
  summary: string;
  text: string;
}

export function setupProblemOutput(problems: readonly Problem[]): NotVerifiedOutput {
  const count = problems.length === 1 ? "a problem" : `${problems.length} problems`;
  return {
    title: "Not verified: the merge-captain config is invalid",
    summary: `The repository's \`${CONFIG_PATH}\` (default branch) has ${count}, so this PR was not checked:\n\n${problemList(problems)}`,
    text: "A maintainer must fix the config on the default branch; the bot does not guess.",
  };
}

/** `status`: GitHub's HTTP status, undefined for a network error. */
export function apiFailureOutput(status: number | undefined): NotVerifiedOutput {
  return {
    title: "Not verified: GitHub's API failed while checking this PR",
    summary: `GitHub answered ${status !== undefined ? `HTTP ${status}` : "with a network error"} while merge-captain was reading this PR, so nothing was verified. This is not a verdict on the PR.`,
    text: "Comment `/recheck` (write access) or push again to retry.",
  };
}
