/**
 * The reconciler: at start-up, periodically and on `/recheck` in an issue, it repairs what
 * webhooks missed — open PRs whose head has no `merge-captain` check from this App or one older
 * than its inputs, and Tier-B runs that moved on unnoticed — within a budget of API calls, well
 * inside the rate limit, reading with conditional requests so an unchanged repository costs ~0.
 */
import { CHECK_NAME } from "../core/render/verdict.js";
import { invalidConfigKey, settingsKey } from "../core/reconcile/inputs.js";
import { commentIsForHead } from "../core/render/pr-comment.js";
import {
  judgePull,
  previousHead,
  pullsToCheck,
  remember,
  repairOrder,
  runKey,
  runsToCheck,
  runWasMissed,
  stopReason,
  type PullFinding,
  type StopReason,
} from "../core/reconcile/plan.js";
import { recheckReply, runSummary, type RepoReport, type RunReport } from "../core/reconcile/report.js";
import { parseComment } from "../core/commands/parse.js";
import { DEFAULT_RECONCILER } from "../core/reconcile/settings.js";
import { react, reply } from "../github/comments.js";
import type { AppOptions } from "../github/context.js";
import { runOrigin, type RunOrigin } from "../core/trust/provenance.js";
import { expectedOrigin } from "../github/tier-b-runs.js";
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Registry } from "../core/gates/registry.js";
import type { Result } from "../core/problem.js";
import { listDispatchRuns } from "../github/actions.js";
import { findCheckRun } from "../github/checks.js";
import type { Octokit, RepoClient } from "../github/client.js";
import { configuredClient } from "../github/context.js";
import { isApiFailure, isNotFound } from "../github/errors.js";
import {
  installationClient,
  listInstallationRepositories,
  listInstallations,
  type AppIdentity,
} from "../github/installations.js";
import { failClosed, publishSetupProblem } from "../github/not-verified.js";
import { readPrState, withPullLock } from "../github/pr-state.js";
import { evaluateAndPublish, verdictInputsOf } from "../github/publish.js";
import { openIssuesWithContracts, type IssueWithContract } from "../github/pull-facts.js";
import { getPull, listOpenPulls, type PullSnapshot } from "../github/pulls.js";
import { loadRegistry } from "../github/settings.js";
import { CallBudgetExhausted, CallMeter, metered } from "../runtime/api-calls.js";
import type { ReconcileOutcome } from "../runtime/metrics.js";
import type { Runtime } from "../runtime/runtime.js";
import type { PeriodicJob } from "../runtime/scheduler.js";
import type { ReconcilerSettings } from "../core/reconcile/settings.js";
import { onHeadMoved } from "./tier-b/stale.js";
import { advanceRun, afterRun, type AdvancedRun } from "./tier-b/workflow-run.js";
import { scheduleMergePlan } from "./merge-plan.js";

export interface ReconcilerDeps {
  /** Who the App is: its own comments and runs, and the key its ledgers are sealed with. */
  app: AppIdentity;
  runtime: Runtime;
  settings: ReconcilerSettings;
  /** Probot's `app.auth`: the App itself without an id, an installation with one. */
  auth: (installationId?: number) => Promise<Octokit>;
  log: { info(message: string): void; warn(message: string): void; error(error: unknown, message: string): void };
}

/** Between units of work: the reason to stop, if any (the meters' budgets, the installation's rate limit). */
type Allowance = () => StopReason | undefined;

function allowance(
  runtime: Runtime,
  settings: ReconcilerSettings,
  installation: string,
  meters: CallMeter[],
): Allowance {
  return () =>
    stopReason(
      meters.map((m) => m.left),
      runtime.rateLimits.get(installation),
      settings.rateFloorPct,
    );
}

interface Lists {
  openIssues: IssueWithContract[];
  openPulls: PullSnapshot[];
}

/** Judge one PR again, as its own event would (under its lock); returns the inputs its check now stands for. */
async function repairPull(
  client: RepoClient,
  config: ResolvedConfig,
  registry: Result<Registry>,
  number: number,
  lists: Lists,
  runtime: Runtime,
): Promise<string | undefined> {
  return withPullLock(runtime.locks, client, number, async () => {
    // The list omits changed_files, which the scope check needs: re-read the PR.
    const pr = await getPull(client, number);
    if (!pr || pr.state !== "open") return undefined;
    return failClosed(client, pr, async () => {
      const state = await readPrState(client, number);
      // A push whose `synchronize` was missed leaves dispatches on an older head: stale, as on the event.
      const before = previousHead(state.ledger, pr.headSha);
      if (before !== undefined)
        state.ledger = await onHeadMoved(client, pr, before, state, runtime, registry.ok ? registry.value : undefined);
      return (await evaluateAndPublish({ client, config, registry, pr, state, prefetched: lists })).inputs;
    });
  });
}

/** A repository whose config does not validate: PRs get the "not verified: config invalid" check, nothing else. */
async function reconcileInvalidConfig(
  client: RepoClient,
  problems: Parameters<typeof publishSetupProblem>[2],
  pulls: PullSnapshot[],
  report: RepoReport,
  force: boolean,
  stop: Allowance,
  runtime: Runtime,
): Promise<Map<number, string>> {
  const key = invalidConfigKey(problems);
  const memory = await runtime.reconciled.get(`${client.owner}/${client.repo}`);
  const confirmed = new Map<number, string>();
  for (const pr of pullsToCheck(
    pulls.map((p) => ({ number: p.number, inputs: key })),
    memory,
    force,
  )) {
    const why = stop();
    if (why) {
      report.stopped = why;
      break;
    }
    const pull = pulls.find((p) => p.number === pr.number)!;
    report.looked += 1;
    const existed = await withPullLock(runtime.locks, client, pr.number, () =>
      publishSetupProblem(client, pull, problems),
    );
    if (!existed) report.missing += 1;
    confirmed.set(pr.number, key);
  }
  report.stopped ??= "config-invalid";
  return confirmed;
}

/**
 * Reconcile one repository: PRs first (missing checks before stale ones), then Tier-B runs.
 * `force` looks at every open PR's check, not only those whose inputs changed since the last run.
 */
export async function reconcileRepository(
  base: RepoClient,
  runtime: Runtime,
  options: { force: boolean; stop: Allowance },
): Promise<RepoReport> {
  const repo = `${base.owner}/${base.repo}`;
  const report: RepoReport = { repo, openPulls: 0, looked: 0, missing: 0, stale: 0, comments: 0, runs: 0 };
  const { stop, force } = options;
  // One reconciliation of a repository at a time, whichever instance or trigger started it.
  return runtime.locks.run(`${repo}#reconcile`, async () => {
    try {
      await reconcileLocked(base, runtime, report, force, stop);
    } catch (err) {
      // A spent budget or GitHub failing ends this repository's turn; what was confirmed is kept.
      if (err instanceof CallBudgetExhausted) report.stopped = "budget";
      else if (isApiFailure(err)) report.stopped = "failed";
      else throw err;
    }
    return report;
  });
}

async function reconcileLocked(
  base: RepoClient,
  runtime: Runtime,
  report: RepoReport,
  force: boolean,
  stop: Allowance,
): Promise<void> {
  const repo = report.repo;
  const memory = await runtime.reconciled.get(repo);
  const configured = await configuredClient(base);
  const openPulls = await listOpenPulls(base);
  const open = new Set(openPulls.map((p) => p.number));
  report.openPulls = openPulls.length;
  if (!configured.ok) {
    const confirmed = await reconcileInvalidConfig(base, configured.errors, openPulls, report, force, stop, runtime);
    await runtime.reconciled.set(repo, remember(memory, open, confirmed, []));
    return;
  }
  const { client, config } = configured;
  const registry = await loadRegistry(client, config);
  const openIssues = await openIssuesWithContracts(client, config, registry);
  const lists = { openIssues, openPulls };
  const settings = settingsKey(config, registry);
  const confirmed = new Map<number, string>();
  const runsDone: string[] = [];
  try {
    const expected = openPulls.map((p) => ({
      number: p.number,
      inputs: verdictInputsOf(client, config, settings, p, openIssues),
    }));
    const found: Array<{ number: number; inputs: string; finding: PullFinding }> = [];
    for (const candidate of pullsToCheck(expected, memory, force)) {
      const why = stop();
      if (why) {
        report.stopped = why;
        break;
      }
      const pull = openPulls.find((p) => p.number === candidate.number)!;
      const check = await findCheckRun(client, pull.headSha, CHECK_NAME);
      report.looked += 1;
      const finding = await judgePull(candidate.inputs, check, async () => {
        const sticky = (await readPrState(client, pull.number)).sticky;
        return sticky !== undefined && commentIsForHead(sticky.body, pull.headSha);
      });
      if (finding === "current") confirmed.set(candidate.number, candidate.inputs);
      else found.push({ ...candidate, finding });
    }
    for (const f of repairOrder(found)) {
      const why = stop();
      if (why) {
        report.stopped = why;
        break;
      }
      const inputs = await repairPull(client, config, registry, f.number, lists, runtime);
      if (inputs === undefined) continue;
      confirmed.set(f.number, inputs);
      switch (f.finding) {
        case "missing-check":
          report.missing += 1;
          break;
        case "stale-check":
          report.stale += 1;
          break;
        case "missing-comment":
          report.comments += 1;
          break;
        case "current":
          break;
      }
    }
    if (registry.ok && report.stopped === undefined)
      await reconcileRuns(client, config, runtime, open, memory, runsDone, report, stop);
    // What it repaired may move rows of the merge plan (opt-in): refreshed like after an event.
    if (report.missing + report.stale + report.comments + report.runs > 0) scheduleMergePlan(runtime, client, config);
  } finally {
    // What was confirmed before a failure or a stop is kept: the next run does not redo it.
    await runtime.reconciled.set(repo, remember(memory, open, confirmed, runsDone));
  }
}

async function reconcileRuns(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  open: ReadonlySet<number>,
  memory: Awaited<ReturnType<Runtime["reconciled"]["get"]>>,
  runsDone: string[],
  report: RepoReport,
  stop: Allowance,
): Promise<void> {
  let runs: RunOrigin[];
  try {
    runs = await listDispatchRuns(client, config.tier_b.workflow);
  } catch (err) {
    // No Tier-B workflow in this repository: nothing to catch up on.
    if (isNotFound(err)) return;
    throw err;
  }
  // Only runs that pass provenance's origin checks (our workflow file, the default branch, a
  // dispatch by this App) are worth a look; advanceRun checks them against the sealed ledger too.
  const expected = expectedOrigin(client, config);
  const ours = runs.filter((r) => runOrigin(r, expected).ok);
  for (const [pr, prRuns] of runsToCheck(ours, open, memory)) {
    const why = stop();
    if (why) {
      report.stopped = why;
      return;
    }
    const advanced = await withPullLock(runtime.locks, client, pr, async () => {
      const done: AdvancedRun[] = [];
      let state = await readPrState(client, pr);
      for (const run of prRuns) {
        if (runWasMissed(state.ledger, run, runtime.now())) {
          done.push(await advanceRun(client, config, runtime, pr, run, run.status === "completed"));
          report.runs += 1;
          state = await readPrState(client, pr);
        }
        runsDone.push(runKey(run));
      }
      return done;
    });
    for (const a of advanced) await afterRun(client, config, runtime, a);
  }
}

/** Every installation's every active repository, within the run's and each installation's budget. */
async function runAll(deps: ReconcilerDeps, meter: CallMeter): Promise<RunReport> {
  const { runtime, settings } = deps;
  const report: RunReport = { repos: [], counted: 0, revalidated: 0 };
  const installations = await listInstallations(await deps.auth());
  for (const installation of installations) {
    if (installation.suspended) continue;
    const perInstallation = new CallMeter(settings.installationBudget);
    const stop = allowance(runtime, settings, String(installation.id), [meter, perInstallation]);
    if (stop() === "budget") {
      report.stopped = "budget";
      break;
    }
    try {
      await metered(perInstallation, async () => {
        const octokit = await deps.auth(installation.id);
        for (const repo of await listInstallationRepositories(octokit)) {
          if (!repo.active) continue;
          const why = stop();
          if (why) {
            report.stopped = why;
            return;
          }
          const done = await reconcileRepository(installationClient(octokit, deps.app, repo), runtime, {
            force: false,
            stop,
          });
          report.repos.push(done);
          if (done.stopped === "budget" || done.stopped === "rate-limit") {
            report.stopped = done.stopped;
            return;
          }
        }
      });
    } catch (err) {
      if (err instanceof CallBudgetExhausted) report.stopped = "budget";
      else if (isApiFailure(err)) {
        // One installation's trouble (GitHub failing, access revoked) does not stop the others.
        report.stopped = "failed";
        deps.log.warn(`reconciler: installation ${installation.id} failed: ${err instanceof Error ? err.message : ""}`);
      } else throw err;
    }
  }
  return report;
}

function outcomeOf(report: RunReport): ReconcileOutcome {
  switch (report.stopped) {
    case undefined:
      return "completed";
    case "budget":
      return "budget-spent";
    case "rate-limit":
      return "rate-limited";
    case "failed":
      return "failed";
  }
}

/** One reconciler run over every installation, unless another instance (or trigger) is running one. */
export async function reconcileAll(deps: ReconcilerDeps, reason: string): Promise<RunReport | undefined> {
  const { runtime } = deps;
  const result = await runtime.leases.tryRun("reconciler", () =>
    runtime.work.track(`reconciler (${reason})`, async () => {
      const meter = new CallMeter(deps.settings.runBudget);
      try {
        const report = await metered(meter, () => runAll(deps, meter));
        report.counted = meter.counted;
        report.revalidated = meter.revalidated;
        return report;
      } catch (err) {
        runtime.telemetry.reconcileRun("failed");
        throw err;
      }
    }),
  );
  if (!result.ran) {
    runtime.telemetry.reconcileRun("skipped");
    return undefined;
  }
  const report = result.value;
  runtime.telemetry.reconcileRun(outcomeOf(report));
  runtime.telemetry.repaired(
    "missing-check",
    report.repos.reduce((n, r) => n + r.missing, 0),
  );
  runtime.telemetry.repaired(
    "stale-check",
    report.repos.reduce((n, r) => n + r.stale, 0),
  );
  runtime.telemetry.repaired(
    "tier-b-run",
    report.repos.reduce((n, r) => n + r.runs, 0),
  );
  deps.log.info(runSummary(report));
  return report;
}

/** The periodic job: at start-up and every `everyMs`, once per interval over all instances. */
export function reconcilerJob(deps: ReconcilerDeps): PeriodicJob {
  const intervalClaim = Math.max(1, deps.settings.everyMs * 0.9);
  return {
    name: "reconciler",
    everyMs: deps.settings.everyMs,
    atStart: true,
    run: async (reason) => {
      // Instances behind a load balancer share the interval: the first to claim it runs.
      if (reason === "periodic" && !(await deps.runtime.leases.claim("reconciler-interval", intervalClaim))) return;
      await reconcileAll(deps, reason);
    },
  };
}

/** `/recheck` in an issue: this repository now, every open PR's check looked at, within one installation's budget. */
export async function recheckRepository(
  client: RepoClient,
  runtime: Runtime,
  settings: ReconcilerSettings,
  installationId: number | undefined,
): Promise<RepoReport> {
  const meter = new CallMeter(settings.installationBudget);
  const stop = allowance(runtime, settings, String(installationId ?? "app"), [meter]);
  return metered(meter, () => reconcileRepository(client, runtime, { force: true, stop }));
}

/** No bundles or gates: on an issue only `/recheck` is a command, and it needs no registry. */
const NO_REGISTRY = { gates: new Map(), bundles: new Map() } as const;

/**
 * `/recheck` in a comment on an issue (not a PR): reconcile this repository now. The caller has
 * decided that the commenter may command the bot (permission first, refusals explained once).
 */
export async function onRecheckInIssue(
  client: RepoClient,
  runtime: Runtime,
  app: AppOptions,
  c: { number: number; commentId: number; text: string; installationId: number | undefined },
): Promise<void> {
  const parsed = parseComment(c.text, NO_REGISTRY);
  if (parsed.kind !== "command" || parsed.command.kind !== "recheck") return;
  // A recheck of a busy repository takes a while: say it was seen.
  await react(client, c.commentId, "eyes", "command");
  const report = await recheckRepository(client, runtime, app.reconciler ?? DEFAULT_RECONCILER, c.installationId);
  await reply(client, c.number, recheckReply(report));
}
