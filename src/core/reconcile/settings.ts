/** The reconciler's knobs and their defaults (the operator sets them through the environment; see src/runtime/settings.ts). */

export interface ReconcilerSettings {
  /** Time from the end of one periodic run to the start of the next; 0 turns the reconciler off (start-up and periodic). */
  everyMs: number;
  /** API calls one run may make over all installations. */
  runBudget: number;
  /** API calls one run may make for one installation (a `/recheck` of one repository gets the same). */
  installationBudget: number;
  /** Stop an installation when GitHub's remaining rate limit falls below this percentage of its limit. */
  rateFloorPct: number;
}

export const DEFAULT_RECONCILER: ReconcilerSettings = Object.freeze({
  everyMs: 10 * 60_000,
  runBudget: 2000,
  installationBudget: 500,
  rateFloorPct: 20,
});
