/** Sticky comment bodies as our app writes them in handler tests: the marker, the visible text, the sealed ledger. */
import { readLedger, sealedState } from "../../src/core/ledger/codec.js";
import type { Ledger } from "../../src/core/ledger/types.js";
import { stickyMarker, type StickyKind } from "../../src/core/markers.js";
import { LEDGER_KEY, OWNER, REPO } from "./probot.js";

export function stickyBody(kind: StickyKind, number: number, visible: string, ledger: Ledger): string {
  const state = sealedState(ledger, { repo: `${OWNER}/${REPO}`, kind, number }, LEDGER_KEY);
  return `${stickyMarker(kind)}\n${visible.trim()}\n\n${state}\n`;
}

/** The sealed ledger in a sticky body our app wrote; throws unless it reads as sealed with the test key. */
export function ledgerIn(body: string, kind: StickyKind, number: number): Ledger {
  const read = readLedger(body, { repo: `${OWNER}/${REPO}`, kind, number }, LEDGER_KEY);
  if (read.status !== "sealed") throw new Error(`the sticky comment's ledger is ${read.status}`);
  return read.ledger;
}
