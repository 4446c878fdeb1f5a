/** The PR's sticky comment as the bot's state: read the sealed ledger in it, and save a new ledger keeping the visible text. */
import type { Ledger } from "../core/ledger/types.js";
import { WORKING_ON_IT } from "../core/render/pr-comment.js";
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
  await writeSticky(client, state, currentVisible(state, WORKING_ON_IT), ledger, priority);
}
