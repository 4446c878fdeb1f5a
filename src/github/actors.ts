/** What the acceptance rules need to know about a person or bot: read from the API and the config, one permission lookup per user per event. */
import type { ResolvedConfig } from "../core/config/defaults.js";
import type { Actor } from "../core/trust/acceptance.js";
import { hasWrite, isBotAccount } from "../core/trust/commander.js";
import type { RepoClient } from "./client.js";
import { getPermission } from "./permissions.js";

export async function actorFacts(
  client: RepoClient,
  config: ResolvedConfig,
  user: { login: string; type?: string | null | undefined },
): Promise<Actor> {
  const bot = isBotAccount(user);
  if (bot) {
    // A bot's own permission is never policy: only the config's trust makes its contracts count.
    const trustedBot = config.policy.trusted_bots.some((b) => b.toLowerCase() === user.login.toLowerCase());
    return { login: user.login, bot, write: false, trustedBot };
  }
  return { login: user.login, bot, write: hasWrite(await getPermission(client, user.login)), trustedBot: false };
}
