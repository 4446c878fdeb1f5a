/** `issue_comment`: slash commands on PRs (created only, humans only), and the public-safety scan of every comment. */
import type { Context } from "probot";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { commandLines, parseComment } from "../core/commands/parse.js";
import { renderHelp, renderUsage } from "../core/commands/help.js";
import { ISSUE_MARKER } from "../core/render/issue-comment.js";
import { isCredentialRule, scan } from "../core/sanitize/sanitize.js";
import { safetySection } from "../core/render/safety.js";
import { describeSource, readSafetyState, withSource, writeSafetyState } from "../core/safety/state.js";
import type { RepoClient } from "../github/client.js";
import { findSticky, minimizeComment, react, reply, upsertSticky } from "../github/comments.js";
import { syncLabels } from "../github/labels.js";
import { getPull } from "../github/pulls.js";
import { mayCommand } from "./authorize.js";
import { repoClient, withConfig, type AppOptions } from "./client.js";
import { evaluateAndPublish, readPrState, safetyOf, saveLedger, withSafety } from "./publish.js";
import type { Runtime } from "./runtime.js";
import { loadConfig, loadRegistry } from "./settings.js";
import { cancelTierB, requestTierB } from "./tier-b/dispatch.js";

type CommentEvent = Context<"issue_comment.created" | "issue_comment.edited" | "issue_comment.deleted">;

export async function onIssueComment(context: CommentEvent, app: AppOptions, runtime: Runtime): Promise<void> {
  const { comment, issue, action } = context.payload;
  // Only humans: bots (this app included) are ignored, whoever they claim to be.
  if (context.isBot || comment.user?.type === "Bot" || comment.performed_via_github_app) return;
  const base = repoClient(context, app);
  const body = action === "deleted" ? "" : (comment.body ?? "");
  const labels = (issue.labels ?? []).flatMap((l) => (l?.name ? [l.name] : []));
  const isPull = Boolean(issue.pull_request);
  const maybeCommand = action === "created" && isPull && commandLines(body).length > 0;
  const findings = scan(body, base.sanitize);
  // Most comments: no command, nothing found, nothing to undo → no calls at all.
  if (!maybeCommand && findings.length === 0 && !labels.includes("public-safety") && action !== "deleted") return;

  const cfg = await loadConfig(context);
  if (!cfg.ok) return; // the PR's check already reports the broken config
  const config = cfg.value;
  const client = withConfig(base, config);
  const rescanned = scan(body, client.sanitize);
  const safetyRelevant = rescanned.length > 0 || labels.includes(config.labels.public_safety);

  await runtime.locks.run(`${client.owner}/${client.repo}#${issue.number}`, async () => {
    if (safetyRelevant) await recordCommentSafety(client, config, issue.number, isPull, labels, `comment:${comment.id}`, rescanned);
    if (rescanned.some((f) => isCredentialRule(f.rule)) && config.public_safety.minimize_leaks && action !== "deleted") {
      await minimizeComment(client, comment.node_id);
    }
    if (!maybeCommand) return;
    const registry = await loadRegistry(client, config);
    if (!registry.ok) {
      await reply(client, issue.number, "⚠️ The gate registry on the default branch is broken, so commands cannot run. See the merge-captain check.");
      return;
    }
    const parsed = parseComment(body, registry.value);
    if (parsed.kind === "none") return;
    // A redelivered command that was already acted on: silent, no reactions, no reply.
    if (parsed.kind === "command" && parsed.command.kind === "tier-b") {
      const seen = await readPrState(client, issue.number);
      if (seen.ledger.dispatches.some((d) => d.commentId === comment.id)) return;
    }
    await react(client, comment.id, "eyes");
    if (parsed.kind === "usage") {
      await reply(client, issue.number, renderUsage(parsed.error, registry.value));
      await react(client, comment.id, "confused");
      return;
    }
    const command = parsed.command;
    if (command.kind === "help") {
      await reply(client, issue.number, renderHelp(registry.value));
      return;
    }
    const login = comment.user?.login ?? "";
    if (!(await mayCommand(client, config, login))) {
      await refuse(client, issue.number, login);
      await react(client, comment.id, "confused");
      return;
    }
    const pr = await getPull(client, issue.number);
    if (!pr) return;
    const state = await readPrState(client, pr.number);
    switch (command.kind) {
      case "recheck":
        await evaluateAndPublish({ client, config, registry, pr, state });
        await react(client, comment.id, "+1");
        return;
      case "tier-b-cancel":
        await cancelTierB({ client, config, registry: registry.value, pr, state, runtime });
        await evaluateAndPublish({ client, config, registry, pr, state });
        await react(client, comment.id, "+1");
        return;
      case "tier-b": {
        const outcome = await requestTierB({ client, config, registry: registry.value, registryResult: registry, pr, state, runtime, command, requester: login, commentId: comment.id });
        await react(client, comment.id, outcome === "dispatched" ? "rocket" : "confused");
        return;
      }
    }
  });
}

/** "Explained once": the first refusal per user per PR gets a reply, later ones only the 😕 reaction. */
async function refuse(client: RepoClient, pr: number, login: string): Promise<void> {
  const state = await readPrState(client, pr);
  const refused = (state.ledger.extra?.["refused"] ?? "").split(",").filter((x) => x !== "");
  if (refused.includes(login.toLowerCase())) return;
  await reply(client, pr, `@${login} needs write access to run Tier-B or other merge-captain commands (read from the repository's collaborator permissions).`);
  // Remembered even when the PR has no sticky comment yet (the app was installed after it opened):
  // saveLedger creates one, otherwise every retry would get the same reply again.
  const next = [...refused, login.toLowerCase()].slice(-30).join(",");
  await saveLedger(client, pr, state, { ...state.ledger, extra: { ...(state.ledger.extra ?? {}), refused: next.slice(-500) } });
}

/** Remember (or forget) a comment's findings in the sticky of its issue or PR, and keep the label in step. */
async function recordCommentSafety(client: RepoClient, config: ResolvedConfig, number: number, isPull: boolean, labels: string[], source: string, findings: ReturnType<typeof scan>): Promise<void> {
  if (isPull) {
    const state = await readPrState(client, number);
    const next = withSource(safetyOf(state.ledger), source, findings);
    if (JSON.stringify(next) === JSON.stringify(safetyOf(state.ledger))) return;
    const pr = await getPull(client, number);
    if (!pr) return;
    state.ledger = withSafety(state.ledger, next);
    const registry = await loadRegistry(client, config);
    await evaluateAndPublish({ client, config, registry, pr, state });
    return;
  }
  const sticky = await findSticky(client, number, ISSUE_MARKER);
  const before = readSafetyState(sticky?.body);
  const next = withSource(before, source, findings);
  if (JSON.stringify(next) === JSON.stringify(before)) return;
  const visible = sticky ? sticky.body.replace(/\n?<!-- merge-captain:safety [A-Za-z0-9_-]* -->\s*$/, "") : ISSUE_MARKER;
  const withoutOld = visible.replace(/\n*### ⚠️ Public safety[\s\S]*$/, "");
  const section = safetySection({ sources: Object.entries(next).map(([s, f]) => ({ what: describeSource(s, "issue"), findings: f })) });
  await upsertSticky(client, number, sticky, `${withoutOld}${section ? "\n\n" + section : ""}\n${writeSafetyState(next)}`);
  const any = Object.keys(next).length > 0;
  await syncLabels(client, number, labels, any ? [config.labels.public_safety] : [], any ? [] : [config.labels.public_safety]);
}
