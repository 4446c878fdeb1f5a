/**
 * When the bot cannot check a PR — the repo's config is broken, or GitHub's API failed while the
 * facts were being read — the `merge-captain` check says "not verified": never green, never silent.
 */
import type { Problem } from "../core/problem.js";
import { apiFailureOutput, setupProblemOutput, type NotVerifiedOutput } from "../core/render/not-verified.js";
import { CHECK_NAME } from "../core/render/verdict.js";
import type { RepoClient } from "./client.js";
import { httpStatus, isApiFailure } from "./errors.js";
import { findCheckRun, upsertCheckRun } from "./checks.js";
import type { PullSnapshot } from "./pulls.js";

/** Returns whether the head already had a `merge-captain` check (the reconciler counts the ones it adds). */
async function publishNotVerified(client: RepoClient, pr: PullSnapshot, out: NotVerifiedOutput): Promise<boolean> {
  const existing = await findCheckRun(client, pr.headSha, CHECK_NAME);
  await upsertCheckRun(client, existing, {
    name: CHECK_NAME,
    headSha: pr.headSha,
    status: "completed",
    conclusion: "failure",
    ...out,
  });
  return existing !== undefined;
}

/** Returns whether the head already had a `merge-captain` check (the reconciler counts the ones it adds). */
export async function publishSetupProblem(client: RepoClient, pr: PullSnapshot, problems: Problem[]): Promise<boolean> {
  return publishNotVerified(client, pr, setupProblemOutput(problems));
}

export async function publishApiFailure(client: RepoClient, pr: PullSnapshot, err: unknown): Promise<void> {
  await publishNotVerified(client, pr, apiFailureOutput(httpStatus(err)));
}

/**
 * Run `fn` failing closed and visibly: if GitHub's API fails inside it, the check says "not
 * verified" (best effort) rather than keep an old answer, and the error is rethrown so it reaches
 * Probot's log and the delivery is not remembered (it can be redelivered).
 */
export async function failClosed<T>(client: RepoClient, pr: PullSnapshot, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isApiFailure(err)) await publishApiFailure(client, pr, err).catch(() => undefined);
    throw err;
  }
}
