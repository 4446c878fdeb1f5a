/**
 * Is an issue an experiment issue, and which rules apply to it: the repo config's, with the
 * contract's `experiment` section naming its own logbook and only ever shortening the cadence.
 */
import type { ResolvedConfig } from "../config/defaults.js";
import type { ContractReport } from "../contract/read.js";
import { fillPlaceholders } from "../contract/rules.js";

export interface ExperimentSettings {
  /** Why it is one: a `kind: experiment` contract, or the configured title prefix. */
  source: "contract" | "title";
  sections: readonly string[];
  /** The logbook path or glob the body must link to; undefined when none is required. */
  logbook: string | undefined;
  claimSections: readonly string[];
  confidenceLabels: readonly string[];
  /** 0: no heartbeat. */
  cadenceHours: number;
  updatesFrom: "owners" | "humans";
}

export type ExperimentKind =
  | { kind: "experiment"; settings: ExperimentSettings }
  | { kind: "not-an-experiment" }
  /** The contract is invalid, so its kind cannot be trusted either way: change nothing. */
  | { kind: "unknown" };

/**
 * `contract` is the contract as read WITHOUT the registry (the kind does not depend on
 * gate ids). A contract of another kind is not an experiment even if the title has the prefix:
 * the contract is the more deliberate statement.
 */
export function experimentKind(
  title: string,
  contract: ContractReport,
  config: ResolvedConfig["experiment"],
): ExperimentKind {
  const prefix = config.title_prefix.trim();
  const titled = prefix !== "" && title.trimStart().toLowerCase().startsWith(prefix.toLowerCase());
  switch (contract.status) {
    case "valid": {
      const c = contract.contract;
      if (c.nmoe.kind !== "experiment") return { kind: "not-an-experiment" };
      const own = c.experiment ?? {};
      // A logbook pattern whose placeholders do not fill (no slug) falls back to any name.
      const logbookText = own.logbook ?? config.logbook;
      const filled = logbookText === "" ? undefined : fillPlaceholders(logbookText, c.nmoe, "");
      const cadence =
        own.cadence_hours === undefined
          ? config.cadence_hours
          : config.cadence_hours === 0
            ? own.cadence_hours
            : Math.min(config.cadence_hours, own.cadence_hours);
      return {
        kind: "experiment",
        settings: {
          ...common(config),
          source: "contract",
          logbook: filled === undefined ? undefined : filled.ok ? filled.value : anyName(logbookText),
          cadenceHours: cadence,
        },
      };
    }
    case "invalid":
      return titled ? titled_(config) : { kind: "unknown" };
    case "absent":
      return titled ? titled_(config) : { kind: "not-an-experiment" };
  }
}

function titled_(config: ResolvedConfig["experiment"]): ExperimentKind {
  return {
    kind: "experiment",
    settings: {
      ...common(config),
      source: "title",
      logbook: config.logbook === "" ? undefined : anyName(config.logbook),
      cadenceHours: config.cadence_hours,
    },
  };
}

function common(
  config: ResolvedConfig["experiment"],
): Pick<ExperimentSettings, "sections" | "claimSections" | "confidenceLabels" | "updatesFrom"> {
  return {
    sections: config.sections,
    claimSections: config.claim_sections,
    confidenceLabels: config.confidence_labels,
    updatesFrom: config.updates_from,
  };
}

/** Without a contract there is no id or slug: `{slug}` then stands for any one path segment. */
function anyName(pattern: string): string {
  return pattern.replace(/\{[^{}]*\}/g, "*");
}
