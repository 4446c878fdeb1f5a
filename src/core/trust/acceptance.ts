/**
 * Contract authority: a contract is policy only when a user with write permission wrote it, edited
 * it to what it says, or accepted it (`/accept`). Acceptance is recorded per contract hash in the
 * issue's ledger, so any other change — seen as an edit, or only noticed at evaluation time when
 * no acceptance covers the hash — leaves the contract "changed since acceptance".
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical-json.js";
import type { Contract } from "../schemas/contract.generated.js";
import {
  MAX_ACCEPTANCES,
  type Accepted,
  type Acceptance,
  type AcceptanceVia,
  type Change,
  type Ledger,
} from "../ledger/types.js";

/**
 * The contract's identity: SHA-256 of the canonical JSON of the parsed contract. Whitespace,
 * comments and key order in the issue do not change it; any change of meaning does.
 */
export function contractHash(contract: Contract): string {
  return createHash("sha256").update(canonicalJson(contract), "utf8").digest("hex");
}

/** Who did something to a contract, as the handler read it from the API. */
export interface Actor {
  login: string;
  bot: boolean;
  /** Write, maintain or admin (never looked up for a bot: bots are never policy on their own). */
  write: boolean;
  /** A bot the config's `policy.trusted_bots` lists: its contracts count without `/accept`. */
  trustedBot: boolean;
}

/** How an actor's own writing counts: a write user's and a trusted bot's do; anyone else's needs acceptance. */
function ownAuthority(actor: Actor): AcceptanceVia | undefined {
  if (actor.bot) return actor.trustedBot ? "trusted-bot" : undefined;
  return actor.write ? "author" : undefined;
}

export type IssueEvent =
  /** The issue was opened (the actor is its author) with this contract. */
  | { kind: "opened"; actor: Actor; hash: string; at: string }
  /** The body was edited; `previous` is the contract's hash before (undefined: there was none valid). */
  | { kind: "edited"; actor: Actor; hash: string; previous: string | undefined; at: string }
  /** `/accept` by a user the handler checked has write permission. */
  | { kind: "accept"; by: string; hash: string; at: string };

function accept(ledger: Ledger, a: Acceptance): Ledger {
  const kept = (ledger.acceptances ?? []).filter((x) => x.hash !== a.hash);
  const next: Ledger = { ...ledger, acceptances: [...kept, a].slice(-MAX_ACCEPTANCES) };
  // An acceptance of the current contract settles the last change.
  if (next.change?.hash === a.hash) delete next.change;
  return next;
}

/** What an issue event does to its ledger's acceptance record. */
export function recordIssueEvent(ledger: Ledger, event: IssueEvent): Ledger {
  switch (event.kind) {
    case "accept":
      return accept(ledger, { hash: event.hash, by: event.by, at: event.at, via: "command" });
    case "opened": {
      const via = ownAuthority(event.actor);
      return via ? accept(ledger, { hash: event.hash, by: event.actor.login, at: event.at, via }) : ledger;
    }
    case "edited": {
      if (event.previous === event.hash) return ledger; // the contract itself did not change
      const own = ownAuthority(event.actor);
      if (own)
        return accept(ledger, {
          hash: event.hash,
          by: event.actor.login,
          at: event.at,
          via: own === "author" ? "edit" : own,
        });
      const change: Change = { hash: event.hash, by: event.actor.login, at: event.at };
      return { ...ledger, change };
    }
  }
}

export type Authority =
  | { status: "accepted"; by: string; via: AcceptanceVia }
  | {
      status: "unaccepted";
      /** Some other version of this contract was accepted: this one is "changed since acceptance". */
      everAccepted: boolean;
      /** Who made the change the bot saw, when it is this version. */
      changedBy?: string;
      changedAt?: string;
    };

/** The facts contract authority is decided on; each is read only if the ones before it do not settle it. */
export interface AuthorityInput {
  issue: number;
  hash: string;
  /** The PR ledger's memory of the acceptance that counted last time (acceptances never expire). */
  cached: Accepted | undefined;
  /** The issue's ledger; undefined while not read. */
  record: Pick<Ledger, "acceptances" | "change"> | undefined;
  /** The issue's author; undefined while not looked up. */
  author: Actor | undefined;
}

export type AuthorityAnswer = Authority | { status: "need"; fact: "record" | "author" };

/**
 * Decide, or say which fact is needed next. The issue's record comes first; the author counts
 * only when the record is empty (the bot was installed after the issue was written), because an
 * author's permission says nothing about who changed the contract since.
 */
export function contractAuthority(input: AuthorityInput): AuthorityAnswer {
  const { cached, hash } = input;
  if (cached !== undefined && cached.issue === input.issue && cached.hash === hash)
    return { status: "accepted", by: cached.by, via: cached.via };
  if (input.record === undefined) return { status: "need", fact: "record" };
  const acceptances = input.record.acceptances ?? [];
  const covering = acceptances.filter((a) => a.hash === hash).at(-1);
  if (covering) return { status: "accepted", by: covering.by, via: covering.via };
  const change = input.record.change;
  if (acceptances.length > 0 || change !== undefined) {
    const seen = change !== undefined && change.hash === hash;
    return {
      status: "unaccepted",
      everAccepted: acceptances.length > 0,
      ...(seen ? { changedBy: change.by, changedAt: change.at } : {}),
    };
  }
  if (input.author === undefined) return { status: "need", fact: "author" };
  const via = ownAuthority(input.author);
  return via ? { status: "accepted", by: input.author.login, via } : { status: "unaccepted", everAccepted: false };
}

/** The PR ledger's cache entry for an accepted contract (what `contractAuthority` reads back as `cached`). */
export function cacheEntry(issue: number, hash: string, a: Extract<Authority, { status: "accepted" }>): Accepted {
  return { issue, hash, by: a.by, via: a.via };
}

/** Accepted by a person with write permission (not only by a trusted bot): what protected paths need. */
export function acceptedByWriteUser(a: Authority | undefined): boolean {
  return a?.status === "accepted" && a.via !== "trusted-bot";
}
