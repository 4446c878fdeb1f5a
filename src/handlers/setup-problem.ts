/** When the repo's own setup is broken (config), the PR's check says so — not verified, never green. */
import type { Problem } from "../core/problem.js";
import { problemList } from "../core/render/problems.js";
import { CHECK_NAME } from "../core/render/verdict.js";
import type { RepoClient } from "../github/client.js";
import { findCheckRun, upsertCheckRun } from "../github/checks.js";
import type { PullSnapshot } from "../github/pulls.js";

export async function publishSetupProblem(client: RepoClient, pr: PullSnapshot, problems: Problem[]): Promise<void> {
  const existing = await findCheckRun(client, pr.headSha, CHECK_NAME);
  await upsertCheckRun(client, existing, {
    name: CHECK_NAME,
    headSha: pr.headSha,
    status: "completed",
    conclusion: "failure",
    title: "Not verified: the merge-captain config is invalid",
    summary: `The repository's \`.github/merge-captain.yml\` (default branch) has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}, so this PR was not checked:\n\n${problemList(problems)}`,
    text: "A maintainer must fix the config on the default branch; the bot does not guess.",
  });
}
