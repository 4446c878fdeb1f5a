/** What every handler reads first: the repo config and the gate registry, both from the default branch. */
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
  let raw: unknown;
  try {
    raw = await context.config(CONFIG_PATH.replace(/^\.github\//, ""));
  } catch (err) {
    const status = httpStatus(err);
    if (status !== undefined && status >= 500) throw err;
    return configUnreadable((err instanceof Error ? err.message.split("\n")[0] : undefined) ?? "unreadable");
  }
  const resolved = resolveConfig(raw);
  if (resolved.ok) readFor.set(context, resolved.value);
  return resolved;
}

/** The registry at `config.registry.path` on the default branch; missing or broken is an error, never a default. */
export async function loadRegistry(client: RepoClient, config: ResolvedConfig): Promise<Result<Registry>> {
  const text = await readFile(client, config.registry.path, client.defaultBranch);
  return text === null ? registryMissing(config.registry.path, client.defaultBranch) : parseRegistry(text);
}
