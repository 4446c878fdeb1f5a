/** The PR's sticky comment as the bot's state: read the sealed ledger in it, and save a new ledger keeping the visible text. */
import type { Ledger } from "../core/ledger/types.js";
import { PR_COMMENT_PLACEHOLDER } from "../core/render/pr-comment.js";
import type { RepoClient } from "./client.js";
import { currentVisible, readSticky, writeSticky, type StickyState } from "./ledger-store.js";
import type { WritePriority } from "./priority.js";

export interface PrState extends StickyState {
  /**
   * False while the ledger may lack dispatches (no sticky, a hand-edited one, or one from before
   * sealing): Tier-B decisions rebuild it from the workflow's runs first (see rebuild.ts).
   */
  trusted: boolean;
}

export async function readPrState(client: RepoClient, pr: number): Promise<PrState> {
  const state = await readSticky(client, "pr", pr);
  return { ...state, trusted: state.integrity === "sealed" };
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
  if (state.number !== pr) throw new Error(`saveLedger: state is for #${state.number}, not #${pr}`);
  await writeSticky(client, state, currentVisible(state, PR_COMMENT_PLACEHOLDER), ledger, priority);
}
