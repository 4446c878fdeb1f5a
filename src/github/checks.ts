/** Check runs on a head SHA: find ours by name, create or update it, and skip the write when nothing changed. */
import { createHash } from "node:crypto";
import { digestMarker, trailingDigest, trailingInputs, type Marker } from "../core/markers.js";
import { fit, LIMITS, outgoing, outgoingField, type RepoClient } from "./client.js";
import { atPriority, type WritePriority } from "./priority.js";

export type CheckConclusion =
  "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";
export type CheckStatus = "queued" | "in_progress" | "completed";

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title?: string;
  message: string;
}

export interface CheckRunSpec {
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion?: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  /** One of our markers to open the text with (added after the choke point, byte-exact). */
  textMarker?: Marker;
  annotations?: CheckAnnotation[];
  detailsUrl?: string;
  externalId?: string;
  /** How urgent the write is: `verdict` (the required check) unless the caller says otherwise. */
  priority?: WritePriority;
  /**
   * The verdict-inputs key (src/core/reconcile/inputs.ts), recorded in the hidden marker when the
   * check is written. Not part of the digest: new inputs with the same answer write nothing.
   */
  inputs?: string;
}

export interface ExistingCheckRun {
  id: number;
  status: string;
  conclusion: string | null;
  /** As listed (absent when the id came from our ledger). */
  title?: string | null;
  text: string | null;
  /** The verdict-inputs key the check was last written with (none: not written by this version, or "not verified"). */
  inputs?: string | undefined;
}

/** At most this many annotations are sent for one check run (10 requests of 50); the text lists the rest. */
export const MAX_ANNOTATIONS = 500;

/** Our check run named `name` on `sha`, if any (one call). */
export async function findCheckRun(
  client: RepoClient,
  sha: string,
  name: string,
): Promise<ExistingCheckRun | undefined> {
  const res = await client.octokit.rest.checks.listForRef({
    owner: client.owner,
    repo: client.repo,
    ref: sha,
    check_name: name,
    filter: "latest",
    per_page: 100,
  });
  const run = res.data.check_runs.find((r) => r.app?.id === client.appId);
  if (!run) return undefined;
  const text = run.output?.text ?? null;
  return {
    id: run.id,
    status: run.status,
    conclusion: run.conclusion,
    title: run.output?.title ?? null,
    text,
    inputs: trailingInputs(text),
  };
}

function digestOf(spec: CheckRunSpec): string {
  return createHash("sha256")
    .update(
      JSON.stringify([
        spec.status,
        spec.conclusion ?? null,
        spec.title,
        spec.summary,
        spec.textMarker ?? "",
        spec.text ?? "",
        spec.annotations ?? [],
        spec.detailsUrl ?? null,
      ]),
    )
    .digest("hex")
    .slice(0, 16);
}

/**
 * Make the check run read `spec`. Creates it when absent; updates it when its digest differs;
 * otherwise makes no write. Annotations beyond the first 50 go out in follow-up updates of 50,
 * which GitHub appends. Returns the check run id.
 */
export async function upsertCheckRun(
  client: RepoClient,
  existing: ExistingCheckRun | undefined,
  spec: CheckRunSpec,
): Promise<number> {
  const digest = digestOf(spec);
  // Only the digest our last write put at the end counts; user text in the output cannot carry one.
  if (existing && trailingDigest(existing.text) === digest) return existing.id;
  const annotations = (spec.annotations ?? []).slice(0, MAX_ANNOTATIONS).map((a) => ({
    ...a,
    path: outgoing(client, a.path),
    message: outgoingField(client, a.message, 64 * 1024),
    ...(a.title === undefined ? {} : { title: outgoingField(client, a.title, 255) }),
  }));
  const marker = `\n\n${digestMarker(digest, spec.inputs)}`;
  const opening = spec.textMarker === undefined ? "" : `${spec.textMarker}\n\n`;
  const output = (batch: typeof annotations) => ({
    title: outgoingField(client, spec.title, LIMITS.checkTitle),
    summary: outgoingField(client, spec.summary, LIMITS.checkSummary),
    text: opening + fit(outgoing(client, spec.text ?? ""), LIMITS.checkText - opening.length - marker.length) + marker,
    ...(batch.length > 0 ? { annotations: batch } : {}),
  });
  const common = {
    owner: client.owner,
    repo: client.repo,
    name: outgoing(client, spec.name),
    status: spec.status,
    ...(spec.status === "completed" && spec.conclusion ? { conclusion: spec.conclusion } : {}),
    ...(spec.detailsUrl ? { details_url: spec.detailsUrl } : {}),
    ...(spec.externalId ? { external_id: spec.externalId } : {}),
  };
  const first = annotations.slice(0, LIMITS.annotationsPerRequest);
  const priority = atPriority(spec.priority ?? "verdict");
  let id: number;
  if (existing) {
    await client.octokit.rest.checks.update({
      ...common,
      check_run_id: existing.id,
      output: output(first),
      ...priority,
    });
    id = existing.id;
  } else {
    const res = await client.octokit.rest.checks.create({
      ...common,
      head_sha: spec.headSha,
      output: output(first),
      ...priority,
    });
    id = res.data.id;
  }
  for (let i = LIMITS.annotationsPerRequest; i < annotations.length; i += LIMITS.annotationsPerRequest) {
    await client.octokit.rest.checks.update({
      owner: client.owner,
      repo: client.repo,
      check_run_id: id,
      output: output(annotations.slice(i, i + LIMITS.annotationsPerRequest)),
      ...priority,
    });
  }
  return id;
}
