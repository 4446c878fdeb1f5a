/** The per-event handle on one repository: the Octokit to call, the coordinates, and the outgoing-text filter. */
import type { ProbotOctokit } from "probot";
import { sanitizeOrWithhold, type SanitizeOptions } from "../core/sanitize/sanitize.js";

export type Octokit = ProbotOctokit;

export interface RepoClient {
  octokit: Octokit;
  owner: string;
  repo: string;
  defaultBranch: string;
  /** Our GitHub App's id: comments we wrote carry it in `performed_via_github_app`. */
  appId: number;
  /** Sanitizer settings from the repo config (internal domains and hosts). */
  sanitize: SanitizeOptions;
}

/**
 * The choke point: every string this layer sends to GitHub passes through here last.
 * If the sanitizer throws, the text is withheld rather than sent unfiltered.
 */
export function outgoing(client: RepoClient, text: string): string {
  return sanitizeOrWithhold(text, { ...client.sanitize, allowedHosts: ["github.com", `${client.owner}.github.io`] });
}

/** Our hidden state markers: base64 of schema-validated JSON (or a reminder's timestamp), written by us, left byte-exact. */
const HIDDEN_STATE =
  /<!-- merge-captain:(?:(?:state v1|safety|experiment v1) [A-Za-z0-9+/=_-]*|heartbeat \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z) -->/g;

/** A comment body: every part sanitized except our own hidden state markers. */
export function outgoingComment(client: RepoClient, body: string): string {
  let out = "";
  let last = 0;
  for (const m of body.matchAll(HIDDEN_STATE)) {
    out += outgoing(client, body.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + outgoing(client, body.slice(last));
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
