/** The per-event handle on one repository: the Octokit to call, the coordinates, and the outgoing-text filter. */
import type { ProbotOctokit } from "probot";
import type { LedgerKey } from "../core/ledger/codec.js";
import { defuseMarkers, type MarkedText } from "../core/markers.js";
import { sanitizeOrWithhold, type SanitizeOptions } from "../core/sanitize/sanitize.js";
import type { Permission } from "../core/trust/commander.js";

export type Octokit = ProbotOctokit;

export interface RepoClient {
  octokit: Octokit;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Our GitHub App's id: comments we wrote carry it in `performed_via_github_app`. */
  appId: number;
  /** Our App's bot account (`<slug>[bot]`): its own events are skipped, and only runs it dispatched count. */
  botLogin: string;
  /** The server-side key ledgers are sealed with. */
  ledgerKey: LedgerKey;
  /** Sanitizer settings from the repo config (internal domains and hosts). */
  sanitize: SanitizeOptions;
  /** Permission lookups made in this event, one per user (shared by every copy of this client). */
  permissionCache: Map<string, Promise<Permission>>;
}

/**
 * The choke point: every string this layer sends to GitHub passes through here last. Secrets and
 * internal hosts become placeholders (if the sanitizer throws, the text is withheld rather than
 * sent unfiltered), and nothing in it can open or close an HTML comment, so the bot's own
 * markers are the only hidden text in what it writes.
 */
export function outgoing(client: RepoClient, text: string): string {
  return defuseMarkers(
    sanitizeOrWithhold(text, { ...client.sanitize, allowedHosts: ["github.com", `${client.owner}.github.io`] }),
  );
}

/** A comment the bot writes with its markers: one opening it, optionally one (its state) closing it. */
export type CommentParts = MarkedText;

/** A comment body: the visible text through the choke point and cut to fit, our markers around it byte-exact. */
export function outgoingComment(client: RepoClient, parts: CommentParts): string {
  const closing = parts.closing === undefined ? "\n" : `\n\n${parts.closing}\n`;
  const room = LIMITS.commentBody - parts.opening.length - 1 - closing.length;
  return `${parts.opening}\n${fit(outgoing(client, parts.visible).trim(), room)}${closing}`;
}

/** GitHub's limits for the fields we write (REST API docs). */
export const LIMITS = {
  commentBody: 65_536,
  checkSummary: 65_535,
  checkText: 65_535,
  checkTitle: 255,
  annotationsPerRequest: 50,
  labelName: 50,
} as const;

const TRUNCATED = "\n\n… (truncated: the full list is longer than GitHub allows here)";

/** Cut text to a GitHub field limit with a visible marker, never mid-surrogate. */
export function fit(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let cut = limit - TRUNCATED.length;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return text.slice(0, cut) + TRUNCATED;
}

/** Sanitize, then fit: the order matters, placeholders may change the length. */
export function outgoingField(client: RepoClient, text: string, limit: number): string {
  return fit(outgoing(client, text), limit);
}
