/** `check_run.rerequested`: the "Re-run" button on our `merge-captain` check evaluates its PRs again. */
import type { Context } from "probot";
import { CHECK_NAME } from "../core/render/verdict.js";
import { repoClient, withConfig, type AppOptions } from "../github/context.js";
import { publishSetupProblem } from "../github/not-verified.js";
import { readPrState } from "../github/pr-state.js";
import { evaluateAndPublish } from "../github/publish.js";
import { getPull } from "../github/pulls.js";
import { loadConfig, loadRegistry } from "../github/settings.js";
import type { Runtime } from "../runtime/runtime.js";

export async function onCheckRerequested(
  context: Context<"check_run.rerequested">,
  app: AppOptions,
  runtime: Runtime,
): Promise<void> {
  const run = context.payload.check_run;
  if (run.name !== CHECK_NAME || run.app?.id !== app.appId) return;
  const base = repoClient(context, app);
  const cfg = await loadConfig(context);
  for (const ref of run.pull_requests.slice(0, 10)) {
    await runtime.locks.run(`${base.owner}/${base.repo}#${ref.number}`, async () => {
      const pr = await getPull(base, ref.number);
      if (!pr || pr.state !== "open") return;
      if (!cfg.ok) return publishSetupProblem(base, pr, cfg.errors);
      const client = withConfig(base, cfg.value);
      const state = await readPrState(client, pr.number);
      await evaluateAndPublish({
        client,
        config: cfg.value,
        registry: await loadRegistry(client, cfg.value),
        pr,
        state,
      });
    });
  }
}
