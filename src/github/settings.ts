/** What every handler reads first: the repo config and the gate registry, both from the default branch. */
import deepmerge from "deepmerge";
import type { Context } from "probot";
import { configUnreadable, registryMissing, resolveConfig, CONFIG_PATH } from "../core/config/resolve.js";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { parseRegistry, type Registry } from "../core/gates/registry.js";
import type { Result } from "../core/problem.js";
import type { RepoClient } from "./client.js";
import { readFile } from "./contents.js";
import { httpStatus } from "./errors.js";

/** The config each event's handler read, so work that follows the event (the merge plan) needs no second read. */
const readFor = new WeakMap<Context, ResolvedConfig>();

/** The valid config this event's handler already read, if it read one. */
export function configReadFor(context: Context): ResolvedConfig | undefined {
  return readFor.get(context);
}

/**
 * The repo config through Probot's `context.config` (default branch, with the owner's `.github`
 * repo as fallback), called without defaults so lists are not concatenated; validated here.
 */
export async function loadConfig(context: Context): Promise<Result<ResolvedConfig>> {
  const resolved = await readConfig(() => context.config(CONFIG_PATH.replace(/^\.github\//, "")));
  if (resolved.ok) readFor.set(context, resolved.value);
  return resolved;
}

/**
 * The same config for work outside a webhook (the reconciler, the heartbeat): the same plugin call
 * Probot's `context.config` makes — default branch, `_extends`, the owner's `.github` repo —
 * merged the same way (deepmerge), and null when no file exists anywhere.
 */
export async function loadRepoConfig(client: RepoClient): Promise<Result<ResolvedConfig>> {
  return readConfig(async () => {
    const { config, files } = await client.octokit.config.get({
      owner: client.owner,
      repo: client.repo,
      path: CONFIG_PATH,
      defaults: (configs: Record<string, unknown>[]) => deepmerge.all<Record<string, unknown>>([{}, ...configs]),
    });
    return files.some((f) => f.config !== null) ? config : null;
  });
}

async function readConfig(read: () => Promise<unknown>): Promise<Result<ResolvedConfig>> {
  let raw: unknown;
  try {
    raw = await read();
  } catch (err) {
    const status = httpStatus(err);
    if (status !== undefined && status >= 500) throw err;
    return configUnreadable((err instanceof Error ? err.message.split("\n")[0] : undefined) ?? "unreadable");
  }
  return resolveConfig(raw);
}

/** The registry at `config.registry.path` on the default branch; missing or broken is an error, never a default. */
export async function loadRegistry(client: RepoClient, config: ResolvedConfig): Promise<Result<Registry>> {
  const text = await readFile(client, config.registry.path, client.defaultBranch);
  return text === null ? registryMissing(config.registry.path, client.defaultBranch) : parseRegistry(text);
}
