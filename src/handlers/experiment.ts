/**
 * Experiment issues: keep their status comment and labels in step on issue and comment events,
 * and, from the heartbeat's clock, post one reminder per gap in the owners' updates.
 */
import type { ResolvedConfig } from "../core/config/defaults.js";
import { contractOptions } from "../core/config/readers.js";
import { readContract, type ContractReport } from "../core/contract/read.js";
import { checkExperimentBody } from "../core/experiment/check.js";
import {
  decideHeartbeat,
  isUpdate,
  latestUpdate,
  ownersOf,
  remindedFor,
  type HeartbeatAction,
  type ThreadComment,
} from "../core/experiment/heartbeat.js";
import {
  EXPERIMENT_MARKER,
  renderExperimentStatus,
  renderNoLongerExperiment,
  renderReminder,
} from "../core/experiment/render.js";
import { experimentKind, type ExperimentSettings } from "../core/experiment/settings.js";
import { decodeExperimentState, type ExperimentState } from "../core/experiment/state.js";
import type { RepoClient } from "../github/client.js";
import { findSticky, replyMarked, upsertSticky } from "../github/comments.js";
import { configuredClient } from "../github/context.js";
import { isApiFailure } from "../github/errors.js";
import { syncLabels } from "../github/labels.js";
import { listLabelledIssues, readThread, type ExperimentIssue } from "../github/threads.js";
import type { Runtime } from "../runtime/runtime.js";

export { toExperimentIssue } from "../github/threads.js";

function lockKey(client: RepoClient, issue: number): string {
  return `${client.owner}/${client.repo}#${issue}`;
}

function iso(at: string): string {
  return new Date(at).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Read the thread, decide, write what changed — under the issue's lock, so two instances (or a
 * comment and the timer) never both post a reminder: the second re-reads the thread inside the
 * lock and finds the first one's reminder and state.
 */
async function refresh(
  client: RepoClient,
  config: ResolvedConfig,
  issue: ExperimentIssue,
  settings: ExperimentSettings,
  runtime: Runtime,
  newComment?: ThreadComment,
): Promise<HeartbeatAction> {
  return runtime.locks.run(lockKey(client, issue.number), async () => {
    const thread = await readThread(
      client,
      issue.number,
      EXPERIMENT_MARKER,
      (sticky) => decodeExperimentState(sticky.body)?.last.at,
    );
    const remembered = decodeExperimentState(thread.sticky?.body);
    // The webhook's comment may not be listed yet (GitHub's lists lag behind its events).
    const comments =
      newComment && !thread.comments.some((c) => c.id === newComment.id)
        ? [...thread.comments, newComment]
        : thread.comments;
    const owners = ownersOf(issue);
    const last = latestUpdate(
      { at: issue.createdAt, by: issue.author },
      comments,
      owners,
      settings.updatesFrom,
      remembered?.last,
    );
    const reminders = [remembered?.reminded, remindedFor(comments, last.at)];
    const already = reminders.find((r) => r !== undefined && Date.parse(r) === Date.parse(last.at));
    const staleLabel = config.experiment.stale_label;
    const decision = decideHeartbeat({
      lastUpdate: last,
      reminded: already,
      staleLabel: issue.labels.includes(staleLabel),
      cadenceHours: settings.cadenceHours,
      now: runtime.now(),
    });
    const reminded = already !== undefined || decision.action === "remind";
    const state: ExperimentState = {
      v: 1,
      last: { at: iso(last.at), by: last.by },
      ...(reminded ? { reminded: iso(last.at) } : {}),
    };
    // The reminder first: it is what a person waits for; the state records it right after.
    if (decision.action === "remind")
      await replyMarked(client, issue.number, renderReminder({ owners, last, cadenceHours: settings.cadenceHours }));
    const body = renderExperimentStatus({
      settings,
      titlePrefix: config.experiment.title_prefix,
      check: checkExperimentBody(issue.body, settings),
      last,
      decision,
      reminded,
      state,
    });
    await upsertSticky(client, issue.number, thread.sticky, body);
    await syncLabels(
      client,
      issue.number,
      issue.labels,
      [config.experiment.label, ...(decision.action === "remind" ? [staleLabel] : [])],
      decision.action === "clear" ? [staleLabel] : [],
    );
    return decision.action;
  });
}

/**
 * An issue was opened, edited or reopened. `contract` is its contract read without the registry
 * (the kind does not depend on gate ids). A plain issue that never was an experiment costs nothing.
 */
export async function onExperimentIssue(
  client: RepoClient,
  config: ResolvedConfig,
  issue: ExperimentIssue,
  contract: ContractReport,
  runtime: Runtime,
): Promise<void> {
  const kind = experimentKind(issue.title, contract, config.experiment);
  switch (kind.kind) {
    case "unknown":
      return;
    case "experiment":
      await refresh(client, config, issue, kind.settings, runtime);
      return;
    case "not-an-experiment": {
      const ours = [config.experiment.label, config.experiment.stale_label];
      if (!issue.labels.some((l) => ours.includes(l))) return;
      await runtime.locks.run(lockKey(client, issue.number), async () => {
        const existing = await findSticky(client, issue.number, EXPERIMENT_MARKER);
        if (existing) await upsertSticky(client, issue.number, existing, renderNoLongerExperiment());
        await syncLabels(client, issue.number, issue.labels, [], ours);
      });
      return;
    }
    default: {
      const never: never = kind;
      throw new Error(`unhandled experiment kind ${JSON.stringify(never)}`);
    }
  }
}

/** A comment was created on an open issue: an owner's update moves the heartbeat on; other comments cost nothing. */
export async function onExperimentComment(
  client: RepoClient,
  config: ResolvedConfig,
  issue: ExperimentIssue,
  comment: ThreadComment,
  runtime: Runtime,
): Promise<void> {
  const kind = experimentKind(issue.title, readContract(issue.body, contractOptions(config)), config.experiment);
  if (kind.kind !== "experiment") return;
  if (!isUpdate(comment, ownersOf(issue), kind.settings.updatesFrom)) return;
  await refresh(client, config, issue, kind.settings, runtime, comment);
}

export interface RepoHeartbeat {
  repo: string;
  /** Experiment issues looked at. */
  issues: number;
  reminded: number;
  cleared: number;
  /** Issues whose update failed (an API error); the next run tries again. */
  failed: number;
  /** Set when the repository was skipped: its config is invalid. */
  skipped?: "invalid-config";
}

/** One repository's heartbeat: every open issue with the experiment label, reminded at most once per gap. */
export async function heartbeatRepo(
  base: RepoClient,
  runtime: Runtime,
  report: (line: string, error?: unknown) => void = () => {},
): Promise<RepoHeartbeat> {
  const out: RepoHeartbeat = { repo: `${base.owner}/${base.repo}`, issues: 0, reminded: 0, cleared: 0, failed: 0 };
  const configured = await configuredClient(base);
  // An invalid config is reported on the repo's issues and PRs by the webhook handlers; here it only stops the clock.
  if (!configured.ok) return { ...out, skipped: "invalid-config" };
  const { client, config } = configured;
  for (const issue of await listLabelledIssues(client, config.experiment.label)) {
    const kind = experimentKind(issue.title, readContract(issue.body, contractOptions(config)), config.experiment);
    if (kind.kind !== "experiment") continue;
    out.issues++;
    try {
      const action = await refresh(client, config, issue, kind.settings, runtime);
      if (action === "remind") out.reminded++;
      if (action === "clear") out.cleared++;
    } catch (err) {
      // One issue must not stop the others; the error is logged and the next run retries.
      out.failed++;
      report(`heartbeat: ${out.repo}#${issue.number} failed`, err);
    }
  }
  return out;
}

export interface HeartbeatSummary {
  repos: RepoHeartbeat[];
  /** Repositories whose listing or config read failed. */
  failedRepos: number;
}

/**
 * The heartbeat job: every repository `repos` yields (the App's installations, or one repo in a
 * test). The clock that calls it is the caller's — `startHeartbeat` in src/runtime today, a
 * reconciler's schedule later.
 */
export async function runHeartbeats(
  repos: AsyncIterable<RepoClient>,
  runtime: Runtime,
  report: (line: string, error?: unknown) => void = () => {},
): Promise<HeartbeatSummary> {
  const summary: HeartbeatSummary = { repos: [], failedRepos: 0 };
  for await (const client of repos) {
    try {
      summary.repos.push(await heartbeatRepo(client, runtime, report));
    } catch (err) {
      if (!isApiFailure(err)) throw err;
      summary.failedRepos++;
      report(`heartbeat: ${client.owner}/${client.repo} could not be read`, err);
    }
  }
  return summary;
}
