/**
 * Someone who may not command the bot gets at most one reply per PR or issue, whatever they post:
 * the first command is explained (or, for `/help`, answered, once per PR), every later one is
 * silent. Spam costs the bot one reply, never one per comment.
 */
import { MAX_REFUSED, type Ledger } from "../ledger/types.js";

export type RefusalReply =
  /** Why they may not command the bot. */
  | { kind: "explain" }
  /** The command list (their first command was `/help`, and nobody without permission got it here yet). */
  | { kind: "help" }
  /** Already told: say nothing. */
  | { kind: "silent" };

export interface RefusalOutcome {
  reply: RefusalReply;
  /** The ledger that remembers the reply; unchanged when silent. */
  ledger: Ledger;
}

export function decideRefusalReply(ledger: Ledger, login: string, askedForHelp: boolean): RefusalOutcome {
  const who = login.toLowerCase();
  const refused = ledger.refused ?? [];
  if (refused.includes(who)) return { reply: { kind: "silent" }, ledger };
  const next: Ledger = { ...ledger, refused: [...refused, who].slice(-MAX_REFUSED) };
  if (askedForHelp && ledger.helped !== true) return { reply: { kind: "help" }, ledger: { ...next, helped: true } };
  return { reply: { kind: "explain" }, ledger: next };
}
