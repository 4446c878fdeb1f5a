/** The replies to `/help` and to a usage error: what the commands are and which bundles and gates exist. */
import { bundleNames, tierBGateIds, type TierBRegistry } from "../tierb/registry-view.js";
import { SAFE_TOKEN, type UsageError } from "./parse.js";

/** Long registries are cut so a reply stays readable; the registry file is the full list. */
const MAX_LISTED = 40;

function list(names: readonly string[]): string {
  const safe = names.filter((n) => SAFE_TOKEN.test(n));
  if (safe.length === 0) return "_none_";
  const shown = safe
    .slice(0, MAX_LISTED)
    .map((n) => "`" + n + "`")
    .join(", ");
  return safe.length > MAX_LISTED ? `${shown}, … (${safe.length - MAX_LISTED} more in the gate registry)` : shown;
}

/** What is valid, from the registry on the default branch. */
export function validChoices(registry: TierBRegistry): string {
  return [
    `**Bundles:** ${list(bundleNames(registry))}`,
    `**Tier-B gates** (for \`single\`): ${list(tierBGateIds(registry))}`,
  ].join("\n");
}

export function renderHelp(registry: TierBRegistry): string {
  return [
    "**merge-captain commands** — write one on its own line (not in a quote or code block); only the first command in a comment counts.",
    "",
    "| command | what it does |",
    "|---|---|",
    "| `/tier-b <bundle>` | run a Tier-B bundle on this PR's current head (needs write access; a maintainer approves the run) |",
    "| `/tier-b single <gate-id>` | run one Tier-B gate |",
    "| `… baseline=<ref>` | compare perf against this git ref (default: the workflow's) |",
    "| `… budget=<pct>` | perf budget in %, e.g. `-10` = may fall by at most 10 % |",
    "| `/tier-b cancel` | cancel this PR's Tier-B runs that have not started |",
    "| `/recheck` | re-evaluate the merge-captain verdict |",
    "| `/accept` (on the contract's issue) | make that issue's contract, as it reads now, the policy its PRs are judged by |",
    "| `/help` | this message |",
    "",
    validChoices(registry),
  ].join("\n");
}

/** The reply to a command that could not be run: what was wrong, a suggestion, and what is valid. */
export function renderUsage(error: UsageError, registry: TierBRegistry): string {
  const lines = [`⚠️ ${/[.?!]$/.test(error.message) ? error.message : error.message + "."}`];
  const suggestions = error.suggestions.filter((s) => SAFE_TOKEN.test(s.replace(/=$/, "")));
  if (suggestions.length > 0 && error.code !== "command.misspelt")
    lines.push(`Did you mean ${suggestions.map((s) => "`" + s + "`").join(" or ")}?`);
  lines.push("", validChoices(registry), "", "Write `/help` for the command list.");
  return lines.join("\n");
}
