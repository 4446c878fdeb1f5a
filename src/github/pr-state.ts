/** The PR's sticky comment as the bot's state: read the ledger in it, and save a new ledger keeping the visible text. */
import { parseLedger, renderStickyBody, STICKY_MARKER } from "../core/ledger/codec.js";
import { emptyLedger, type Ledger } from "../core/ledger/types.js";
import { PR_COMMENT_PLACEHOLDER } from "../core/render/pr-comment.js";
import { decodeSafety, encodeSafety, type SafetyState } from "../core/safety/state.js";
import type { RepoClient } from "./client.js";
import { findSticky, upsertSticky, type StickyComment } from "./comments.js";
import type { WritePriority } from "./priority.js";

export interface PrState {
  sticky: StickyComment | undefined;
  ledger: Ledger;
  /**
   * False when there was no sticky comment or its hidden state was unreadable: the ledger may
   * have lost dispatches, so Tier-B decisions rebuild it from the workflow's runs first.
   */
  trusted: boolean;
}

/** The PR's sticky comment and the ledger in it (an unreadable ledger reads as empty for the verdict). */
export async function readPrState(client: RepoClient, pr: number): Promise<PrState> {
  const sticky = await findSticky(client, pr, STICKY_MARKER);
  if (!sticky) return { sticky, ledger: emptyLedger(), trusted: false };
  const parsed = parseLedger(sticky.body);
  return parsed.ok
    ? { sticky, ledger: parsed.value, trusted: true }
    : { sticky, ledger: emptyLedger(), trusted: false };
}

/** What serialises the events of one PR (the runtime's per-key lock, in memory or in Redis). */
export interface PullLocks {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

/** Events for one PR never interleave their read-modify-write of its sticky comment and check. */
export function withPullLock<T>(locks: PullLocks, client: RepoClient, pr: number, fn: () => Promise<T>): Promise<T> {
  return locks.run(`${client.owner}/${client.repo}#${pr}`, fn);
}

/** The rest of every PR handler's opening: the PR's lock, and its state read fresh while holding it. */
export function withPrState<T>(
  locks: PullLocks,
  client: RepoClient,
  pr: number,
  fn: (state: PrState) => Promise<T>,
): Promise<T> {
  return withPullLock(locks, client, pr, async () => fn(await readPrState(client, pr)));
}

export function safetyOf(ledger: Ledger): SafetyState {
  return decodeSafety(ledger.extra?.["safety"]);
}

export function withSafety(ledger: Ledger, state: SafetyState): Ledger {
  const encoded = encodeSafety(state);
  const extra = { ...(ledger.extra ?? {}) };
  if (encoded === "") delete extra["safety"];
  else extra["safety"] = encoded;
  return Object.keys(extra).length === 0 ? { ...ledger, extra: undefined } : { ...ledger, extra };
}

/**
 * Write the sticky comment with a new ledger, keeping its visible text (before an API call that
 * must be idempotent). `command` when a dispatch waits for this write.
 */
export async function saveLedger(
  client: RepoClient,
  pr: number,
  state: PrState,
  ledger: Ledger,
  priority: WritePriority = "refresh",
): Promise<void> {
  const visible = state.sticky
    ? state.sticky.body
        .replace(/^<!-- merge-captain:pr v1 -->\n?/, "")
        .replace(/<!-- merge-captain:state v1 [^>]* -->\s*$/, "")
    : PR_COMMENT_PLACEHOLDER;
  state.ledger = ledger;
  state.sticky = await upsertSticky(client, pr, state.sticky, renderStickyBody(visible, ledger), priority);
}
