/** The bot's memory for one PR or issue: the types and bounds come from schemas/ledger.schema.json; the helpers live here. */
import {
  ledgerSchema,
  type Accepted,
  type Acceptance,
  type AcceptanceVia,
  type Change,
  type Dispatch,
  type DispatchState,
  type EndReason,
  type Finding,
  type Ledger,
  type StoredGateResult,
  type StoredResults,
} from "../schemas/ledger.generated.js";

export type {
  Accepted,
  Acceptance,
  AcceptanceVia,
  Change,
  Dispatch,
  DispatchState,
  EndReason,
  Finding,
  Ledger,
  StoredGateResult,
  StoredResults,
};

const defs = ledgerSchema.$defs;

export const DISPATCH_STATES: readonly DispatchState[] = defs.dispatchState.enum;
export const END_REASONS: readonly EndReason[] = defs.endReason.enum;

/** Bounds the schema enforces, for the code that must stay inside them. */
export const MAX_DISPATCHES = ledgerSchema.properties.dispatches.maxItems;
export const MAX_GATES_PER_RESULT = defs.validResults.properties.gates.maxItems;
export const MAX_METRICS_PER_GATE = defs.storedGateResult.properties.metrics.maxProperties;
export const MAX_ALSO_COVERS = defs.dispatch.properties.alsoCovers.maxItems;
export const MAX_REFUSED = ledgerSchema.properties.refused.maxItems;
export const MAX_SAFETY_SOURCES = ledgerSchema.properties.safety.maxProperties;
export const MAX_FINDINGS_PER_SOURCE = ledgerSchema.properties.safety.additionalProperties.maxItems;
export const MAX_ACCEPTANCES = ledgerSchema.properties.acceptances.maxItems;

/** States in which a run may still start or is running: a second request for the same target is a duplicate. */
export const ACTIVE_STATES: readonly DispatchState[] = ["recorded", "dispatched", "queued", "waiting", "in_progress"];
/** Active states in which no job has started yet, so cancelling loses no GPU work. */
export const NOT_STARTED_STATES: readonly DispatchState[] = ["recorded", "dispatched", "queued", "waiting"];

export function isActive(d: Pick<Dispatch, "state">): boolean {
  return ACTIVE_STATES.includes(d.state);
}

export function emptyLedger(): Ledger {
  return { version: 2, dispatches: [] };
}
