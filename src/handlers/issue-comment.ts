/** `issue_comment`: slash commands on PRs (created only, humans only), and the public-safety scan of every comment. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { commandLines, parseComment } from "../core/commands/parse.js";
import { renderHelp, renderUsage } from "../core/commands/help.js";
import { isCredentialRule, scan, type Finding } from "../core/sanitize/sanitize.js";
import { withSource } from "../core/safety/state.js";
import type { RepoClient } from "../github/client.js";
import { minimizeComment, react, reply } from "../github/comments.js";
import { labelNames } from "../github/labels.js";
import { getPull } from "../github/pulls.js";
import { mayCommand } from "../github/authorize.js";
import { configuredRepo, type AppOptions } from "../github/context.js";
import { publishIssue } from "./issues.js";
import { evaluateAndPublish } from "../github/publish.js";
import { readPrState, safetyOf, saveLedger, withPullLock, withSafety, type PrState } from "../github/pr-state.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadRegistry } from "../github/settings.js";
import { cancelTierB, requestTierB } from "./tier-b/dispatch.js";
import { onRecheckInIssue } from "./reconcile.js";
import { onExperimentComment } from "./experiment.js";
import { ownersOf, type ThreadComment } from "../core/experiment/heartbeat.js";
import { toExperimentIssue, type ExperimentIssue } from "../github/threads.js";

type CommentEvent = Context<"issue_comment.created" | "issue_comment.edited" | "issue_comment.deleted">;

export async function onIssueComment(context: CommentEvent, app: AppOptions, runtime: Runtime): Promise<void> {
  const { comment, issue, action } = context.payload;
  const update = experimentUpdateOf(context, app);
  // Only humans: bots (this app included) are ignored, whoever they claim to be.
  if (context.isBot || comment.user?.type === "Bot" || comment.performed_via_github_app) {
    // An agent App that owns an experiment thread posts its updates as a bot: judged, never obeyed.
    if (update?.byOwner) {
      const repo = await configuredRepo(context, app);
      if (repo.ok) await onExperimentComment(repo.client, repo.config, update.issue, update.comment, runtime);
    }
    return;
  }
  // The config is read for every human comment: its internal domains and hosts are part of the scan.
  const repo = await configuredRepo(context, app);
  if (!repo.ok) return; // the PR's check and the issue's sticky comment already report a broken config
  const { client, config } = repo;
  const text = action === "deleted" ? "" : (comment.body ?? "");
  // What the comment said before this event: an edit or a deletion may clear an earlier warning.
  const before =
    action === "edited"
      ? (context.payload.changes?.body?.from ?? "")
      : action === "deleted"
        ? (comment.body ?? "")
        : "";
  if (update) await onExperimentComment(client, config, update.issue, update.comment, runtime);
  const findings = scan(text, client.sanitize);
  const hadFindings = before !== "" && scan(before, client.sanitize).length > 0;
  const isPull = Boolean(issue.pull_request);
  const maybeCommand = action === "created" && isPull && commandLines(text).length > 0;
  // `/recheck` outside a PR reconciles the repository (src/handlers/reconcile.ts).
  if (action === "created" && !isPull && commandLines(text).length > 0)
    await onRecheckInIssue(client, config, runtime, app, {
      number: issue.number,
      commentId: comment.id,
      login: comment.user?.login ?? "",
      text,
      installationId: context.payload.installation?.id,
    });
  if (!maybeCommand && findings.length === 0 && !hadFindings) return;

  await withPullLock(runtime.locks, client, issue.number, async () => {
    const source = { source: `comment:${comment.id}`, findings };
    if (findings.length > 0 || hadFindings) {
      const labels = labelNames(issue.labels);
      if (isPull) await recordPullCommentSafety(client, config, issue.number, source);
      else await publishIssue(client, config, { number: issue.number, body: issue.body ?? "", labels }, source);
    }
    if (findings.some((f) => isCredentialRule(f.rule)) && config.public_safety.minimize_leaks)
      await minimizeComment(client, comment.node_id);
    if (maybeCommand)
      await runCommand(client, config, runtime, {
        number: issue.number,
        commentId: comment.id,
        login: comment.user?.login ?? "",
        text,
      });
  });
}

/**
 * A created comment on an open issue (not a PR), as a possible experiment update; `byOwner` when
 * its author owns the thread. Our own comments are never updates.
 */
function experimentUpdateOf(
  context: CommentEvent,
  app: AppOptions,
): { issue: ExperimentIssue; comment: ThreadComment; byOwner: boolean } | undefined {
  const { comment, issue, action } = context.payload;
  if (action !== "created" || issue.pull_request || issue.state !== "open") return undefined;
  if (comment.performed_via_github_app?.id === app.appId) return undefined;
  const thread = toExperimentIssue(issue);
  const login = comment.user?.login ?? "ghost";
  return {
    issue: thread,
    comment: {
      id: comment.id,
      at: comment.created_at,
      login,
      bot: comment.user?.type === "Bot" || Boolean(comment.performed_via_github_app),
      ours: false,
    },
    byOwner: ownersOf(thread).includes(login.toLowerCase()),
  };
}

async function runCommand(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  c: { number: number; commentId: number; login: string; text: string },
): Promise<void> {
  const registry = await loadRegistry(client, config);
  if (!registry.ok) {
    await reply(
      client,
      c.number,
      "⚠️ The gate registry on the default branch is broken, so commands cannot run. See the merge-captain check.",
    );
    return;
  }
  const parsed = parseComment(c.text, registry.value);
  if (parsed.kind === "none") return;
  if (parsed.kind === "command" && parsed.command.kind === "help") {
    await react(client, c.commentId, "eyes");
    await reply(client, c.number, renderHelp(registry.value));
    return;
  }
  // Read once: it recognises a redelivered command, remembers refusals, and holds the ledger.
  const state = await readPrState(client, c.number);
  // A redelivered command that was already acted on: silent, no reactions, no reply.
  if (state.ledger.dispatches.some((d) => d.commentId === c.commentId)) return;
  // The acknowledgement comes before the dispatch in this handler: at the lowest priority it would
  // hold the dispatch behind every queued refresh of a burst.
  await react(client, c.commentId, "eyes", "command");
  if (parsed.kind === "usage") {
    await reply(client, c.number, renderUsage(parsed.error, registry.value));
    await react(client, c.commentId, "confused");
    return;
  }
  if (!(await mayCommand(client, config, c.login))) {
    await refuse(client, c.number, c.login, state);
    await react(client, c.commentId, "confused");
    return;
  }
  const pr = await getPull(client, c.number);
  if (!pr) return;
  const command = parsed.command;
  switch (command.kind) {
    case "help":
      return; // answered above, before the permission check
    case "recheck":
      await evaluateAndPublish({ client, config, registry, pr, state });
      await react(client, c.commentId, "+1");
      return;
    case "tier-b-cancel":
      await cancelTierB({ client, config, registry: registry.value, pr, state, runtime });
      await evaluateAndPublish({ client, config, registry, pr, state });
      await react(client, c.commentId, "+1");
      return;
    case "tier-b": {
      const outcome = await requestTierB({
        client,
        config,
        registry: registry.value,
        registryResult: registry,
        pr,
        state,
        runtime,
        command,
        requester: c.login,
        commentId: c.commentId,
      });
      await react(client, c.commentId, outcome === "dispatched" ? "rocket" : "confused");
      return;
    }
  }
}

/** "Explained once": the first refusal per user per PR gets a reply, later ones only the 😕 reaction. */
async function refuse(client: RepoClient, pr: number, login: string, state: PrState): Promise<void> {
  const refused = (state.ledger.extra?.["refused"] ?? "").split(",").filter((x) => x !== "");
  if (refused.includes(login.toLowerCase())) return;
  await reply(
    client,
    pr,
    `@${login} needs write access to run Tier-B or other merge-captain commands (read from the repository's collaborator permissions).`,
  );
  // Remembered even when the PR has no sticky comment yet (the app was installed after it opened):
  // saveLedger creates one, otherwise every retry would get the same reply again.
  const next = [...refused, login.toLowerCase()].slice(-30).join(",");
  await saveLedger(client, pr, state, {
    ...state.ledger,
    extra: { ...(state.ledger.extra ?? {}), refused: next.slice(-500) },
  });
}

/** A PR comment's findings live in the PR ledger; the verdict's public-safety row and the label follow. */
async function recordPullCommentSafety(
  client: RepoClient,
  config: ResolvedConfig,
  number: number,
  comment: { source: string; findings: Finding[] },
): Promise<void> {
  const state = await readPrState(client, number);
  const next = withSource(safetyOf(state.ledger), comment.source, comment.findings);
  if (JSON.stringify(next) === JSON.stringify(safetyOf(state.ledger))) return;
  const pr = await getPull(client, number);
  if (!pr) return;
  state.ledger = withSafety(state.ledger, next);
  await evaluateAndPublish({ client, config, registry: await loadRegistry(client, config), pr, state });
}
