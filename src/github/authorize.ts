/**
 * Gather what `decideCommander` needs about a commenter, reading no more than the answer requires:
 * nothing for a bot, the permission first, teams only when nothing else allowed them.
 */
import type { ResolvedConfig } from "../core/config/defaults.js";
import { decideCommander, hasWrite, isBotAccount, type CommanderDecision } from "../core/trust/commander.js";
import type { RepoClient } from "./client.js";
import { getPermission, isTeamMember } from "./permissions.js";

export async function commanderDecision(
  client: RepoClient,
  config: ResolvedConfig,
  user: { login: string; type?: string | null | undefined },
): Promise<CommanderDecision> {
  const bot = isBotAccount(user);
  if (bot) return decideCommander({ bot, permission: undefined, listed: false, teamMember: undefined });
  const permission = await getPermission(client, user.login);
  const listed = config.tier_b.users.some((u) => u.toLowerCase() === user.login.toLowerCase());
  let teamMember: boolean | undefined;
  if (!hasWrite(permission) && !listed && config.tier_b.teams.length > 0) {
    teamMember = false;
    for (const team of config.tier_b.teams) {
      if (await isTeamMember(client, team, user.login)) {
        teamMember = true;
        break;
      }
    }
  }
  return decideCommander({ bot, permission, listed, teamMember });
}

/** May this (human) user still command the bot? For a requester re-checked later (the protection rule). */
export async function mayCommand(client: RepoClient, config: ResolvedConfig, login: string): Promise<boolean> {
  return (await commanderDecision(client, config, { login, type: "User" })).allowed;
}
