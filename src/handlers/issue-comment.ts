/** `issue_comment`: slash commands (created only; permission first), `/accept` on contract issues, and the public-safety scan of every comment. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { contractOptions } from "../core/config/readers.js";
import { readContract } from "../core/contract/read.js";
import { commandWordOf, parseComment, parseIssueComment, type CommentCommand } from "../core/commands/parse.js";
import { renderHelp, renderUsage } from "../core/commands/help.js";
import {
  acceptedOtherVersion,
  BARE_STICKY,
  helpForOutsider,
  issueUsageReply,
  NOTHING_TO_ACCEPT,
  REGISTRY_BROKEN_REPLY,
  renderRefusal,
  type RefusedCommand,
} from "../core/render/replies.js";
import { isCredentialRule, scan, type Finding } from "../core/sanitize/sanitize.js";
import { safetyOf, sameSafety, withSafety, withSource } from "../core/safety/state.js";
import { contractHash } from "../core/trust/acceptance.js";
import { isBotAccount } from "../core/trust/commander.js";
import { decideRefusalReply } from "../core/trust/explain-once.js";
import type { RepoClient } from "../github/client.js";
import { minimizeComment, react, reply } from "../github/comments.js";
import { getPull } from "../github/pulls.js";
import { commanderDecision } from "../github/authorize.js";
import { configuredRepo, sentByUs, type AppOptions } from "../github/context.js";
import { labelNames } from "../github/labels.js";
import { currentVisible, readSticky, writeSticky } from "../github/ledger-store.js";
import { publishIssue, type IssueSnapshot } from "./issues.js";
import { recheckLinkedPulls } from "./pull-request.js";
import { evaluateAndPublish } from "../github/publish.js";
import { readPrState, withPullLock } from "../github/pr-state.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadRegistry } from "../github/settings.js";
import { cancelTierB, requestTierB } from "./tier-b/dispatch.js";
import { onRecheckInIssue } from "./reconcile.js";
import { onExperimentComment } from "./experiment.js";
import { ownersOf, type ThreadComment } from "../core/experiment/heartbeat.js";
import { toExperimentIssue, type ExperimentIssue } from "../github/threads.js";

type CommentEvent = Context<"issue_comment.created" | "issue_comment.edited" | "issue_comment.deleted">;

interface Commenter {
  login: string;
  type: string | null | undefined;
}

export async function onIssueComment(context: CommentEvent, app: AppOptions, runtime: Runtime): Promise<void> {
  const { comment, issue, action } = context.payload;
  // Our own comments (and events we caused) trigger nothing. Other bots' comments are scanned,
  // and their commands refused: bots are judged, never obeyed.
  if (sentByUs(context, app) || comment.performed_via_github_app?.id === app.appId) return;
  // The config is read for every comment the bot may act on: its internal domains and hosts are part of the scan.
  const repo = await configuredRepo(context, app);
  if (!repo.ok) return; // the PR's check and the issue's sticky comment already report a broken config
  const { client, config } = repo;
  const commenterLogin = comment.user?.login ?? "ghost";
  const text = action === "deleted" ? "" : (comment.body ?? "");
  // What the comment said before this event: an edit or a deletion may clear an earlier warning.
  const before =
    action === "edited"
      ? (context.payload.changes?.body?.from ?? "")
      : action === "deleted"
        ? (comment.body ?? "")
        : "";
  // An experiment thread's update; a bot's counts only when it owns the thread (an agent App posting its progress).
  const update = experimentUpdateOf(context, app);
  if (update && (update.byOwner || !isBotAccount({ login: commenterLogin, type: comment.user?.type })))
    await onExperimentComment(client, config, update.issue, update.comment, runtime);
  const findings = scan(text, client.sanitize);
  const hadFindings = before !== "" && scan(before, client.sanitize).length > 0;
  const isPull = Boolean(issue.pull_request);
  // Only comments that address one of our commands; `/cc`, `/assign` and the like belong to other bots.
  const maybeCommand =
    action === "created" &&
    (isPull
      ? commandWordOf(text) !== undefined
      : parseIssueComment(text).kind !== "none" &&
        readContract(issue.body ?? "", contractOptions(config)).status !== "absent");
  // `/recheck` outside a PR reconciles the repository (src/handlers/reconcile.ts), for those who may command.
  const recheck = action === "created" && !isPull && commandWordOf(text)?.word === "recheck";
  if (!maybeCommand && !recheck && findings.length === 0 && !hadFindings) return;

  const issueSnapshot: IssueSnapshot = {
    number: issue.number,
    body: issue.body ?? "",
    labels: labelNames(issue.labels),
    author: { login: issue.user?.login ?? "ghost", type: issue.user?.type ?? null },
  };
  const commenter: Commenter = { login: commenterLogin, type: comment.user?.type };
  let recheckAllowed = false;
  await withPullLock(runtime.locks, client, issue.number, async () => {
    const source = { source: `comment:${comment.id}`, findings };
    if (findings.length > 0 || hadFindings) {
      if (isPull) await recordPullCommentSafety(client, config, issue.number, source);
      else await publishIssue(client, config, issueSnapshot, { at: comment.updated_at, comment: source });
    }
    if (findings.some((f) => isCredentialRule(f.rule)) && config.public_safety.minimize_leaks)
      await minimizeComment(client, comment.node_id);
    const c = { number: issue.number, commentId: comment.id, user: commenter, text, at: comment.created_at };
    // Permission before any reply, as for every command: a refusal is explained once per person and issue.
    if (recheck) {
      const who = await commanderDecision(client, config, commenter);
      if (who.allowed) recheckAllowed = true;
      else await refuseOnce(client, config, "issue", c, who.reason, false, "recheck");
    }
    if (!maybeCommand) return;
    if (isPull) await runPullCommand(client, config, runtime, c);
    else await runIssueCommand(client, config, runtime, issueSnapshot, c);
  });
  // Outside the issue's lock: a recheck of a busy repository takes a while, and takes the PRs' locks.
  if (recheckAllowed)
    await onRecheckInIssue(client, runtime, app, {
      number: issue.number,
      commentId: comment.id,
      text,
      installationId: context.payload.installation?.id,
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

interface CommandComment {
  number: number;
  commentId: number;
  user: Commenter;
  text: string;
  at: string;
}

/**
 * Someone who may not command the bot: at most one reply per person per PR or issue, decided
 * before anything is parsed, so neither usage errors nor `/help` can make the bot talk more.
 */
async function refuseOnce(
  client: RepoClient,
  config: ResolvedConfig,
  where: "pr" | "issue",
  c: CommandComment,
  reason: "bot" | "no-permission",
  askedForHelp: boolean,
  command?: RefusedCommand,
): Promise<void> {
  const state = await readSticky(client, where, c.number);
  const outcome = decideRefusalReply(state.ledger, c.user.login, askedForHelp);
  switch (outcome.reply.kind) {
    case "silent":
      return;
    case "help": {
      const registry = await loadRegistry(client, config);
      await reply(
        client,
        c.number,
        registry.ok ? helpForOutsider(renderHelp(registry.value)) : renderRefusal(reason, c.user.login, where, command),
      );
      break;
    }
    case "explain":
      await reply(client, c.number, renderRefusal(reason, c.user.login, where, command));
      break;
  }
  // No reaction: the reply says it, and a refusal costs two writes at most (reply and record).
  // A record that cannot be believed is rebuilt (and sealed) by the next verdict, not overwritten here.
  if (state.integrity === "tampered" || state.integrity === "legacy") return;
  // Remembered even when there was no sticky comment yet (the app was installed later): writing
  // creates one, otherwise every retry would get the same reply again.
  await writeSticky(client, state, currentVisible(state, BARE_STICKY), outcome.ledger);
}

function isHelp(parsed: CommentCommand): boolean {
  return parsed.kind === "command" && parsed.command.kind === "help";
}

async function runPullCommand(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  c: CommandComment,
): Promise<void> {
  const who = await commanderDecision(client, config, c.user);
  if (!who.allowed) {
    // No registry is read for a refusal: `/help` is recognised by its word alone.
    const word = commandWordOf(c.text);
    return refuseOnce(client, config, "pr", c, who.reason, word?.word === "help" && word.exact);
  }
  const registry = await loadRegistry(client, config);
  if (!registry.ok) {
    await reply(client, c.number, REGISTRY_BROKEN_REPLY);
    return;
  }
  const parsed = parseComment(c.text, registry.value);
  if (parsed.kind === "none") return;
  if (isHelp(parsed)) {
    await reply(client, c.number, renderHelp(registry.value));
    return;
  }
  // Read once: it recognises a redelivered command and holds the ledger.
  const state = await readPrState(client, c.number);
  // A redelivered command that was already acted on: silent, no reactions, no reply.
  if (state.ledger.dispatches.some((d) => d.commentId === c.commentId)) return;
  // Reactions only where nothing else answers: a reply, a Tier-B check run or a changed verdict is
  // the acknowledgement (and each goes out at the command's priority), so 👀/🚀/😕 would repeat it.
  if (parsed.kind === "usage") {
    await reply(client, c.number, renderUsage(parsed.error, registry.value));
    return;
  }
  const pr = await getPull(client, c.number);
  if (!pr) return;
  const command = parsed.command;
  switch (command.kind) {
    case "help":
    case "accept":
      return; // answered above (help), or a usage error on a PR (accept)
    case "recheck":
      await evaluateAndPublish({ client, config, registry, pr, state });
      await react(client, c.commentId, "+1");
      return;
    case "tier-b-cancel":
      await cancelTierB({ client, config, registry: registry.value, pr, state, runtime });
      await evaluateAndPublish({ client, config, registry, pr, state });
      return;
    case "tier-b": {
      await requestTierB({
        client,
        config,
        registry: registry.value,
        registryResult: registry,
        pr,
        state,
        runtime,
        command,
        requester: c.user.login,
        commentId: c.commentId,
      });
      return;
    }
  }
}

/** `/accept` on a contract issue: a write user makes this version of the contract policy; linked PRs are re-checked. */
async function runIssueCommand(
  client: RepoClient,
  config: ResolvedConfig,
  runtime: Runtime,
  issue: IssueSnapshot,
  c: CommandComment,
): Promise<void> {
  const parsed = parseIssueComment(c.text);
  if (parsed.kind === "none") return;
  const who = await commanderDecision(client, config, c.user);
  if (!who.allowed) return refuseOnce(client, config, "issue", c, who.reason, false);
  if (parsed.kind === "usage") {
    await reply(client, c.number, issueUsageReply(parsed.error.message));
    return;
  }
  const registry = await loadRegistry(client, config);
  // The version accepted is the body this comment's event carries: what the maintainer had in front of them.
  const report = readContract(issue.body, contractOptions(config), registry.ok ? registry : undefined);
  if (report.status !== "valid" || !registry.ok) {
    await reply(client, c.number, registry.ok ? NOTHING_TO_ACCEPT : REGISTRY_BROKEN_REPLY);
    return;
  }
  const hash = contractHash(report.contract);
  const pinned = parsed.command.kind === "accept" ? parsed.command.hash : undefined;
  if (pinned !== undefined && !hash.startsWith(pinned)) {
    await reply(client, c.number, acceptedOtherVersion(pinned, hash));
    return;
  }
  const published = await publishIssue(client, config, issue, {
    at: c.at,
    registry,
    event: { kind: "accept", by: c.user.login, hash, at: c.at },
  });
  // No 👍: the contract's comment now says who accepted which version.
  await recheckLinkedPulls(client, config, issue.number, runtime, registry, published.state.ledger);
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
  if (sameSafety(next, safetyOf(state.ledger))) return;
  const pr = await getPull(client, number);
  if (!pr) return;
  state.ledger = withSafety(state.ledger, next);
  await evaluateAndPublish({ client, config, registry: await loadRegistry(client, config), pr, state });
}
