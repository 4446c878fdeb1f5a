/** The JSON Schema a decoded ledger must match; internal state, so it lives beside its type rather than in schemas/. */
import { DISPATCH_STATES, END_REASONS } from "./types.js";

export const MAX_DISPATCHES = 50;
export const MAX_GATES_PER_RESULT = 60;
export const MAX_METRICS_PER_GATE = 8;
export const MAX_ALSO_COVERS = 5;

const sha = { type: "string", pattern: "^[0-9a-f]{40}$" } as const;
const gateId = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$" } as const;
const isoTime = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,3})?Z$" } as const;
const positiveInt = { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const gitRef = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$" } as const;

const storedGateResult = {
  type: "object",
  additionalProperties: false,
  required: ["id", "status"],
  properties: {
    id: gateId,
    status: { enum: ["pass", "fail", "skipped", "pending", "error", "missing"] },
    rc: { type: "integer", minimum: -255, maximum: 255 },
    durationS: { type: "number", minimum: 0 },
    reasonCode: { type: "string", pattern: "^[a-z][a-z0-9-]{0,31}$" },
    envNames: { type: "array", maxItems: 10, items: { type: "string", pattern: "^[A-Z_][A-Z0-9_]{0,63}$" } },
    metrics: {
      type: "object",
      maxProperties: MAX_METRICS_PER_GATE,
      propertyNames: { type: "string", pattern: "^[a-z][a-z0-9_]{0,63}$" },
      additionalProperties: { type: "number" },
    },
    compareGate: gateId,
    metricName: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]{0,63}$" },
    baselineRef: gitRef,
    direction: { enum: ["lower", "higher"] },
    tolerancePct: { type: "number", minimum: 0, maximum: 100 },
    baselineGate: gateId,
  },
} as const;

const storedResults = {
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: ["outcome", "gates"],
      properties: {
        outcome: { const: "valid" },
        gates: { type: "array", maxItems: MAX_GATES_PER_RESULT, items: storedGateResult },
        detailsDropped: { type: "boolean" },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["outcome"],
      properties: { outcome: { const: "missing" } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["outcome", "code"],
      properties: { outcome: { const: "refused" }, code: { type: "string", pattern: "^[a-z][a-z0-9.-]{0,63}$" } },
    },
  ],
} as const;

const dispatch = {
  type: "object",
  additionalProperties: false,
  required: ["id", "pr", "sha", "bundle", "requester", "requestedAt", "state"],
  properties: {
    id: { type: "string", pattern: "^[A-Za-z0-9-]{8,64}$" },
    pr: positiveInt,
    sha,
    bundle: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" },
    singleGate: gateId,
    baselineRef: gitRef,
    budgetPct: { type: "number", minimum: -100, maximum: 1000 },
    requester: { type: "string", pattern: "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$" },
    requestedAt: isoTime,
    commentId: positiveInt,
    state: { enum: DISPATCH_STATES },
    updatedAt: isoTime,
    runId: positiveInt,
    runUrl: {
      type: "string",
      maxLength: 300,
      pattern: "^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[A-Za-z0-9._/-]+/actions/runs/[0-9]+(/attempts/[0-9]+)?$",
    },
    runAttempt: positiveInt,
    checkRunId: positiveInt,
    runConclusion: { type: "string", pattern: "^[a-z][a-z_]{0,31}$" },
    conclusion: { enum: ["success", "failure", "neutral"] },
    results: storedResults,
    endReason: { enum: END_REASONS },
    treeSha: sha,
    stale: { type: "boolean" },
    staleBy: sha,
    alsoCovers: { type: "array", maxItems: MAX_ALSO_COVERS, items: sha },
    recovered: { type: "boolean" },
    mergeGroup: {
      type: "object",
      additionalProperties: false,
      required: ["ref"],
      properties: {
        ref: { type: "string", pattern: "^gh-readonly-queue/[A-Za-z0-9._/-]{1,200}/pr-[1-9][0-9]{0,9}-[0-9a-f]{40}$" },
      },
    },
  },
} as const;

export const ledgerSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://merge-captain.dev/internal/ledger.schema.json",
  type: "object",
  additionalProperties: false,
  required: ["version", "dispatches"],
  properties: {
    version: { const: 1 },
    dispatches: { type: "array", maxItems: MAX_DISPATCHES, items: dispatch },
    verdictDigest: { type: "string", pattern: "^[A-Za-z0-9+/=_:.-]{1,128}$" },
    extra: {
      type: "object",
      maxProperties: 16,
      propertyNames: { type: "string", pattern: "^[a-z][a-z0-9_.-]{0,63}$" },
      additionalProperties: { type: "string", maxLength: 512 },
    },
  },
} as const;
