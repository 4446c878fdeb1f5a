/** The bot's one-off replies to commands it will not run: who may command it, and why an `/accept` did not take. */
import { code } from "./markdown.js";

export type RefusalReason = "bot" | "no-permission";

/** Why a command was not run, said once per person per PR or issue (later ones get no reply). */
/** What an issue comment asked for: on an issue, `/accept` (the default) or `/recheck`. */
export type RefusedCommand = "accept" | "recheck";

export function renderRefusal(
  reason: RefusalReason,
  login: string,
  where: "pr" | "issue",
  command: RefusedCommand = "accept",
): string {
  const once = `This is the only reply: merge-captain ignores further commands from ${code(login)} ${where === "pr" ? "on this PR" : "on this issue"}.`;
  switch (reason) {
    case "bot":
      return `😕 ${code(login)} is a bot. merge-captain judges bots' work like anyone's, but never takes commands from a bot. ${once}`;
    case "no-permission":
      return where === "pr"
        ? `😕 ${code(login)} needs write access to run Tier-B or other merge-captain commands (read from the repository's collaborator permissions). ${once}`
        : command === "recheck"
          ? `😕 ${code(login)} needs write access to run \`/recheck\` on the repository (read from the repository's collaborator permissions). ${once}`
          : `😕 ${code(login)} needs write access to accept a contract: a contract is policy only when someone with write access wrote, edited or accepted it. ${once}`;
  }
}

/** The `/help` answer for someone who may not command the bot: the list, and that they need write access. */
export function helpForOutsider(help: string): string {
  return `${help}\n\nCommands need write access to the repository; merge-captain answers \`/help\` from others once per PR.`;
}

export const REGISTRY_BROKEN_REPLY =
  "⚠️ The gate registry on the default branch is broken, so commands cannot run. See the merge-captain check.";

export const NOTHING_TO_ACCEPT =
  "😕 There is no valid contract on this issue to accept: fix the contract first (this issue's merge-captain comment lists the errors), then `/accept`.";

/** `/accept <hash>` named another version than the one the issue holds now. */
export function acceptedOtherVersion(given: string, current: string): string {
  return `😕 Not accepted: the contract here is now ${code(current.slice(0, 12))}, not ${code(given.slice(0, 12))}. It changed since you read it; review it again, then \`/accept\`.`;
}

/** A malformed `/accept` line: the parser's own sentence (it never repeats the comment's words). */
export function issueUsageReply(message: string): string {
  return `⚠️ ${message}.`;
}

/** What a sticky comment shows when the bot had to create it only to remember something. */
export const BARE_STICKY = "### merge-captain";
