/** The bot's ledgers in its sticky comments: find ours, verify the seal of what it holds, and write it back sealed. */
import { readLedger, sealedState, type LedgerPlace } from "../core/ledger/codec.js";
import { emptyLedger, type Ledger } from "../core/ledger/types.js";
import { stickyMarker, visiblePart, type StickyKind } from "../core/markers.js";
import type { RepoClient } from "./client.js";
import { findSticky, upsertSticky, type StickyComment } from "./comments.js";
import type { WritePriority } from "./priority.js";

/**
 * How the ledger was read. `sealed`: written by us for this comment, believed. `missing`: no
 * sticky comment or no state in it. `tampered`: the seal failed (edited by hand, or the key
 * changed). `legacy`: written before sealing. Only `sealed` is believed as is.
 */
export type Integrity = "sealed" | "missing" | "tampered" | "legacy";

export interface StickyState {
  kind: StickyKind;
  number: number;
  sticky: StickyComment | undefined;
  ledger: Ledger;
  integrity: Integrity;
}

export function placeOf(client: RepoClient, kind: StickyKind, number: number): LedgerPlace {
  return { repo: `${client.owner}/${client.repo}`, kind, number };
}

/** Our sticky comment of `kind` on issue or PR `number` and the ledger in it (one paginated read). */
export async function readSticky(client: RepoClient, kind: StickyKind, number: number): Promise<StickyState> {
  const sticky = await findSticky(client, number, stickyMarker(kind));
  if (!sticky) return { kind, number, sticky, ledger: emptyLedger(), integrity: "missing" };
  const read = readLedger(sticky.body, placeOf(client, kind, number), client.ledgerKey);
  switch (read.status) {
    case "sealed":
    case "legacy":
      return { kind, number, sticky, ledger: read.ledger, integrity: read.status };
    case "missing":
    case "tampered":
      return { kind, number, sticky, ledger: emptyLedger(), integrity: read.status };
  }
}

/** Write the sticky comment so it shows `visible` and holds `ledger`, sealed (no write when nothing changed). */
export async function writeSticky(
  client: RepoClient,
  state: StickyState,
  visible: string,
  ledger: Ledger,
  priority: WritePriority = "refresh",
): Promise<void> {
  state.ledger = ledger;
  state.sticky = await upsertSticky(
    client,
    state.number,
    state.sticky,
    {
      opening: stickyMarker(state.kind),
      visible,
      closing: sealedState(ledger, placeOf(client, state.kind, state.number), client.ledgerKey),
    },
    priority,
  );
  state.integrity = "sealed";
}

/** What the sticky comment shows now (kept when only the ledger changes). */
export function currentVisible(state: StickyState, otherwise: string): string {
  return state.sticky ? visiblePart(state.sticky.body, state.kind) : otherwise;
}
