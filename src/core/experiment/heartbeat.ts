/**
 * The heartbeat, decided from data alone: who owns the thread, which comments are updates, when
 * the next one is due, and whether to remind (once per gap), clear the stale label, or do nothing.
 * The caller passes `now`; nothing here reads a clock.
 */

/** A comment as the heartbeat sees it. */
export interface ThreadComment {
  id: number;
  /** ISO time the comment was created. */
  at: string;
  login: string;
  /** Written by a bot account (an agent App, or us). */
  bot: boolean;
  /** Written by this App: never an update, whatever it says. */
  ours: boolean;
  /** For our reminders: the update (its time) the reminder was about. */
  reminderFor?: string;
}

export interface Update {
  at: string;
  by: string;
}

export interface ThreadOwner {
  author: string;
  assignees: readonly string[];
}

/**
 * The owners: the issue's author and its assignees. Either may carry the thread — an agent opens it
 * and a researcher is assigned, or a researcher opens it and assigns the agent — so an update from
 * any of them means the thread moved. Logins compare case-insensitively, as GitHub's do.
 */
export function ownersOf(issue: ThreadOwner): string[] {
  return [...new Set([issue.author, ...issue.assignees].map((l) => l.toLowerCase()).filter((l) => l !== ""))];
}

/**
 * An update is a comment from an owner (a bot owner too: an agent App's updates are judged, not
 * obeyed), or with `humans` from anyone who is not a bot. This App's own comments never count,
 * even if it were somehow an owner.
 */
export function isUpdate(c: ThreadComment, owners: readonly string[], from: "owners" | "humans"): boolean {
  if (c.ours) return false;
  if (owners.includes(c.login.toLowerCase())) return true;
  return from === "humans" && !c.bot;
}

function later(a: Update, b: Update | undefined): Update {
  return b !== undefined && Date.parse(b.at) > Date.parse(a.at) ? b : a;
}

/** The newest update: the issue's opening, what the status comment remembered, or a newer comment. */
export function latestUpdate(
  opened: Update,
  comments: readonly ThreadComment[],
  owners: readonly string[],
  from: "owners" | "humans",
  remembered?: Update,
): Update {
  let last = later(opened, remembered);
  for (const c of comments) if (isUpdate(c, owners, from)) last = later(last, { at: c.at, by: c.login });
  return last;
}

/** The newest update a reminder of ours was posted for, at or after `since` (reminders for older gaps do not matter). */
export function remindedFor(comments: readonly ThreadComment[], since: string): string | undefined {
  let out: string | undefined;
  for (const c of comments) {
    if (!c.ours || c.reminderFor === undefined) continue;
    if (Date.parse(c.reminderFor) < Date.parse(since)) continue;
    if (out === undefined || Date.parse(c.reminderFor) > Date.parse(out)) out = c.reminderFor;
  }
  return out;
}

export type HeartbeatAction = "remind" | "clear" | "none";

export interface HeartbeatInput {
  lastUpdate: Update;
  /** The update a reminder was already posted for (from the status comment or our reminder comments). */
  reminded: string | undefined;
  staleLabel: boolean;
  /** 0: no heartbeat. */
  cadenceHours: number;
  now: Date;
}

export interface HeartbeatDecision {
  action: HeartbeatAction;
  /** ISO time the next update is due; undefined without a heartbeat. */
  dueAt: string | undefined;
  /** No update for a whole cadence. */
  overdue: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * Overdue and not yet reminded for this gap (the same last update): remind, once. A new update
 * since the last reminder starts a new gap. Not overdue but still labelled stale: clear. A stale
 * label someone removed during the same gap is not put back (a person decided).
 */
export function decideHeartbeat(input: HeartbeatInput): HeartbeatDecision {
  if (!(input.cadenceHours > 0))
    return { action: input.staleLabel ? "clear" : "none", dueAt: undefined, overdue: false };
  const due = Date.parse(input.lastUpdate.at) + input.cadenceHours * HOUR_MS;
  const dueAt = new Date(due).toISOString().replace(/\.000Z$/, "Z");
  if (input.now.getTime() >= due) {
    const already = input.reminded !== undefined && Date.parse(input.reminded) === Date.parse(input.lastUpdate.at);
    return { action: already ? "none" : "remind", dueAt, overdue: true };
  }
  return { action: input.staleLabel ? "clear" : "none", dueAt, overdue: false };
}
