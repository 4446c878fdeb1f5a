/**
 * What the experiment's status comment remembers, as base64url JSON in one hidden marker: the last
 * update and the gap already reminded about. Anything malformed reads as nothing remembered, and
 * the handler rebuilds it from the thread.
 */
import { experimentStateMarker, trailingExperimentState, type Marker } from "../markers.js";
import { validateAgainst } from "../schemas/validate.js";
import type { Update } from "./heartbeat.js";

export interface ExperimentState {
  v: 1;
  last: Update;
  /** The `last.at` a reminder was posted for. */
  reminded?: string;
}

const isoTime = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$" } as const;

/** Internal state, so its schema lives beside its type (as the PR ledger's does). */
export const experimentStateSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://merge-captain.dev/internal/experiment-state.schema.json",
  type: "object",
  additionalProperties: false,
  required: ["v", "last"],
  properties: {
    v: { const: 1 },
    last: {
      type: "object",
      additionalProperties: false,
      required: ["at", "by"],
      properties: { at: isoTime, by: { type: "string", pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\\[bot\\])?$" } },
    },
    reminded: isoTime,
  },
} as const;

export function encodeExperimentState(state: ExperimentState): Marker {
  return experimentStateMarker(Buffer.from(JSON.stringify(state), "utf8").toString("base64url"));
}

/** The state on the last line of a status comment (where the bot writes it), or undefined. */
export function decodeExperimentState(body: string | undefined): ExperimentState | undefined {
  const payload = trailingExperimentState(body);
  if (payload === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  return validateAgainst(experimentStateSchema, value).length === 0 ? (value as ExperimentState) : undefined;
}
