/** `check_run.rerequested`: the "Re-run" button on our `merge-captain` check evaluates its PRs again. */
import type { Context } from "probot";
import { CHECK_NAME } from "../core/render/verdict.js";
import { configuredRepo, type AppOptions } from "../github/context.js";
import { failClosed, publishSetupProblem } from "../github/not-verified.js";
import { readPrState, withPullLock } from "../github/pr-state.js";
import { evaluateAndPublish } from "../github/publish.js";
import { getPull } from "../github/pulls.js";
import { loadRegistry } from "../github/settings.js";
import type { Runtime } from "../runtime/runtime.js";

export async function onCheckRerequested(
  context: Context<"check_run.rerequested">,
  app: AppOptions,
  runtime: Runtime,
): Promise<void> {
  const run = context.payload.check_run;
  if (run.name !== CHECK_NAME || run.app?.id !== app.appId) return;
  const repo = await configuredRepo(context, app);
  for (const ref of run.pull_requests.slice(0, 10)) {
    await withPullLock(runtime.locks, repo.client, ref.number, async () => {
      const pr = await getPull(repo.client, ref.number);
      if (!pr || pr.state !== "open") return;
      if (!repo.ok) return publishSetupProblem(repo.client, pr, repo.errors);
      const { client, config } = repo;
      // As for a PR event: an API failure while re-checking says "not verified", never keeps the old answer.
      await failClosed(client, pr, async () => {
        const state = await readPrState(client, pr.number);
        await evaluateAndPublish({ client, config, registry: await loadRegistry(client, config), pr, state });
      });
    });
  }
}
