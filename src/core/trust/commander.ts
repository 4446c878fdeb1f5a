/**
 * Who may command the bot: a human with write, maintain or admin permission (read from the
 * collaborator-permission API, never from `author_association`), or one the config lists by login
 * or team. Bots are never obeyed, whatever their permission.
 */

/** A user's effective role on the repository, as the collaborator-permission API reports it. */
export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** Write, maintain and admin may push: they set policy. Triage may edit issues but not push. */
export function hasWrite(permission: Permission): boolean {
  switch (permission) {
    case "admin":
    case "maintain":
    case "write":
      return true;
    case "triage":
    case "read":
    case "none":
      return false;
  }
}

/** A GitHub App's account: type `Bot`, or a `name[bot]` login (which no human account can have). */
export function isBotAccount(user: { login: string; type?: string | null | undefined }): boolean {
  return user.type === "Bot" || /\[bot\]$/i.test(user.login);
}

/** What the handler read about the commenter. Facts not read are undefined (a bot needs none). */
export interface CommanderFacts {
  bot: boolean;
  permission: Permission | undefined;
  /** In the config's `tier_b.users`. */
  listed: boolean;
  /** An active member of one of the config's `tier_b.teams`; undefined when not asked. */
  teamMember: boolean | undefined;
}

export type CommanderDecision =
  { allowed: true; via: "permission" | "listed" | "team" } | { allowed: false; reason: "bot" | "no-permission" };

export function decideCommander(f: CommanderFacts): CommanderDecision {
  if (f.bot) return { allowed: false, reason: "bot" };
  if (f.permission !== undefined && hasWrite(f.permission)) return { allowed: true, via: "permission" };
  if (f.listed) return { allowed: true, via: "listed" };
  if (f.teamMember === true) return { allowed: true, via: "team" };
  return { allowed: false, reason: "no-permission" };
}
