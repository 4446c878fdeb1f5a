/**
 * Criterion: no protected path (the repository floor's: `.github/`, the registry, the bot's
 * config, agent instruction files, lockfiles…) changed unless the contract names it and a user
 * with write permission accepted that contract. A lazy `**` opens nothing here.
 */
import { code } from "../../render/markdown.js";
import { protectedChanges, type ProtectedChange } from "../../trust/floor.js";
import { contractCounts, validContract } from "../derived.js";
import { rowOf } from "../row.js";
import type { Criterion, PullFacts } from "../types.js";
import { filesUnverified } from "./path-rules.js";

/** Who vouches for the contract that names the files. */
type Vouch = "maintainer" | "trusted-bot" | "nobody" | "unknown";

function vouch(f: PullFacts): Vouch {
  if (f.standing?.status === "unknown") return "unknown";
  if (!contractCounts(f) || f.standing?.status !== "accepted") return "nobody";
  return f.standing.via === "trusted-bot" ? "trusted-bot" : "maintainer";
}

function line(c: ProtectedChange, why: string): string {
  return `${code(c.path)} (protected by ${c.patterns.map((p) => code(p)).join(", ")}): ${why}`;
}

export const protectedPathsCriterion: Criterion = {
  id: "protected-paths",
  title: "Protected paths",
  // The changed files (a push, a retarget), the contract and its acceptance, the floor in the config.
  triggers: ["pr.head", "pr.base", "contract", "registry"],
  evaluate(f) {
    const row = rowOf(this);
    if (!f.files.ok) return filesUnverified(this, "protected paths", f.files.unlisted);
    const contract = validContract(f);
    const check = protectedChanges(f.files.files, f.floor, contract?.scope);
    if (check.overBudget)
      // Too costly to decide is "could not check", never a pass.
      return row("unverified", "protected paths not verified: the changed paths are too costly to match", {
        details: [
          `matching ${check.overBudget.files} changed file${check.overBudget.files === 1 ? "" : "s"} against the protected paths and the contract's scope.allow needs more than the ${check.overBudget.limit} steps one check may take`,
        ],
        fix: "use fewer `*` per file name in the contract's scope.allow, or split the PR",
      });
    const changes = check.changes;
    if (changes.length === 0) return row("pass", "no protected path changed");
    const shown = changes
      .slice(0, 5)
      .map((c) => code(c.path))
      .join(", ");
    const list = changes.length > 5 ? `${shown} and ${changes.length - 5} more` : shown;
    const who = vouch(f);
    const allNamed = changes.every((c) => c.namedBy !== undefined);
    const named = (c: ProtectedChange) => `named by ${code(c.namedBy ?? "")}`;
    if (allNamed && who === "maintainer")
      return row("pass", `${list} changed, named by the accepted contract`, {
        details: changes.map((c) => line(c, named(c))),
      });
    if (allNamed && who === "unknown")
      return row(
        "pending",
        `${list} changed and named by the contract; the bot checks on the PR that a maintainer accepted it`,
        { details: changes.map((c) => line(c, named(c))) },
      );
    const unaccepted =
      who === "trusted-bot"
        ? "but only a trusted bot wrote the contract: protected paths need a maintainer's `/accept`"
        : "but the contract is not accepted by someone with write access";
    return row("fail", `${changes.length} protected file${changes.length === 1 ? "" : "s"} changed: ${list}`, {
      details: changes.map((c) =>
        line(
          c,
          c.namedBy !== undefined
            ? `${named(c)}, ${unaccepted}`
            : contract
              ? "the contract does not name it (a pattern must spell the path out; `**` or `*` alone never does)"
              : "there is no valid contract to name it",
        ),
      ),
      fix: allNamed
        ? "a maintainer reviews the contract and comments `/accept` on its issue"
        : "revert these files, or a maintainer names each in the contract's `scope.allow` (spelled out, not `**`) and accepts it",
    });
  },
};
