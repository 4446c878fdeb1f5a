/** May this user command the bot? Write/maintain/admin from the API, or the config's users and teams — never `author_association`. */
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { RepoClient } from "./client.js";
import { getPermission, isTeamMember } from "./permissions.js";

export async function mayCommand(client: RepoClient, config: ResolvedConfig, login: string): Promise<boolean> {
  const permission = await getPermission(client, login);
  if (permission === "admin" || permission === "maintain" || permission === "write") return true;
  if (config.tier_b.users.some((u) => u.toLowerCase() === login.toLowerCase())) return true;
  for (const team of config.tier_b.teams) if (await isTeamMember(client, team, login)) return true;
  return false;
}
