/**
 * When the bot cannot check a PR — the repo's config is broken, or GitHub's API failed while the
 * facts were being read — the `merge-captain` check says "not verified": never green, never silent.
 */
import type { Problem } from "../core/problem.js";
import { problemList } from "../core/render/problems.js";
import { CHECK_NAME } from "../core/render/verdict.js";
import type { RepoClient } from "./client.js";
import { httpStatus } from "./errors.js";

import { findCheckRun, upsertCheckRun } from "./checks.js";
import type { PullSnapshot } from "./pulls.js";

async function publishNotVerified(
  client: RepoClient,
  pr: PullSnapshot,
  title: string,
  summary: string,
  text: string,
): Promise<boolean> {
  const existing = await findCheckRun(client, pr.headSha, CHECK_NAME);
  await upsertCheckRun(client, existing, {
    name: CHECK_NAME,
    headSha: pr.headSha,
    status: "completed",
    conclusion: "failure",
    title,
    summary,
    text,
  });
  return existing !== undefined;
}

/** Returns whether the head already had a `merge-captain` check (the reconciler counts the ones it adds). */
export async function publishSetupProblem(client: RepoClient, pr: PullSnapshot, problems: Problem[]): Promise<boolean> {
  return publishNotVerified(
    client,
    pr,
    "Not verified: the merge-captain config is invalid",
    `The repository's \`.github/merge-captain.yml\` (default branch) has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}, so this PR was not checked:\n\n${problemList(problems)}`,
    "A maintainer must fix the config on the default branch; the bot does not guess.",
  );
}

export async function publishApiFailure(client: RepoClient, pr: PullSnapshot, err: unknown): Promise<void> {
  const status = httpStatus(err);
  await publishNotVerified(
    client,
    pr,
    "Not verified: GitHub's API failed while checking this PR",
    `GitHub answered ${status !== undefined ? `HTTP ${status}` : "with a network error"} while merge-captain was reading this PR, so nothing was verified. This is not a verdict on the PR.`,
    "Comment `/recheck` (write access) or push again to retry.",
  );
}
