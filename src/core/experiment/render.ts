/** The experiment issue's status comment and the heartbeat reminder, in the bot's own words. */
import { EXPERIMENT_STICKY, heartbeatMarker, readHeartbeatMarker, type MarkedText } from "../markers.js";
import { code, inline } from "../render/markdown.js";
import type { ExperimentCheck } from "./check.js";
import type { HeartbeatDecision, Update } from "./heartbeat.js";
import type { ExperimentSettings } from "./settings.js";
import { encodeExperimentState, type ExperimentState } from "./state.js";

export const EXPERIMENT_MARKER = EXPERIMENT_STICKY;
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
/** Owners named in one reminder. */
const MAX_PINGED = 5;

/** `2025-06-02T09:00:00Z` → `2025-06-02 09:00 UTC`. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "an unknown time" : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

function hours(h: number): string {
  return `${Number.isInteger(h) ? h : Math.round(h * 10) / 10} h`;
}

/** For a reminder of ours: the update it was about; undefined for any other comment. */
export function reminderFor(body: string | null | undefined): string | undefined {
  return readHeartbeatMarker(body);
}

export interface StatusInput {
  settings: ExperimentSettings;
  /** The configured title prefix, shown when that is why the issue counts. */
  titlePrefix: string;
  check: ExperimentCheck;
  last: Update;
  decision: HeartbeatDecision;
  /** A reminder for the current gap has been posted. */
  reminded: boolean;
  state: ExperimentState;
}

function heartbeatLine(i: StatusInput): string {
  const last = `last update ${formatTime(i.last.at)} by ${inline(i.last.by, 60)}`;
  if (i.decision.dueAt === undefined) return `**Heartbeat:** off (${last})`;
  if (i.decision.overdue)
    return `**Heartbeat:** ⏰ **overdue** since ${formatTime(i.decision.dueAt)}: no update for ${hours(i.settings.cadenceHours)} (${last})${i.reminded ? "; a reminder was posted" : ""}`;
  return `**Heartbeat:** ✅ ${last} · next due by ${formatTime(i.decision.dueAt)} (every ${hours(i.settings.cadenceHours)}, or at every milestone)`;
}

function sectionsLine(c: ExperimentCheck, settings: ExperimentSettings): string {
  if (settings.sections.length === 0) return "**Sections:** none required";
  if (c.missing.length === 0 && c.empty.length === 0)
    return `**Sections:** ✅ ${settings.sections.map((s) => code(s)).join(", ")}`;
  const parts: string[] = [];
  if (c.missing.length > 0) parts.push(`missing ${c.missing.map((s) => code(s)).join(", ")}`);
  if (c.empty.length > 0) parts.push(`empty ${c.empty.map((s) => code(s)).join(", ")}`);
  return `**Sections:** ❌ ${parts.join(" · ")} — add each as a \`##\` or \`###\` heading with its content`;
}

function logbookLine(c: ExperimentCheck): string | undefined {
  const l = c.logbook;
  if (!l.required) return undefined;
  if ("problem" in l)
    return `**Logbook:** ❔ the configured logbook pattern ${code(l.pattern)} is not usable: ${inline(l.problem.message)}`;
  if (l.found !== undefined) return `**Logbook:** ✅ ${code(l.found)}`;
  return `**Logbook:** ❌ the issue does not link to ${code(l.pattern)} — link the thread's append-only logbook (and link this issue from it)`;
}

function claimsLines(c: ExperimentCheck, settings: ExperimentSettings): string[] {
  if (c.claims === 0) return [];
  const labels = settings.confidenceLabels.map((l) => code(l)).join(", ");
  if (c.unlabeledCount === 0)
    return [
      `**Claims:** ✅ ${c.claims === 1 ? "the claim carries" : `all ${c.claims} claims carry`} a confidence label`,
    ];
  const lines = [
    `**Claims:** ⚠️ ${c.unlabeledCount} of ${c.claims} claim${c.claims === 1 ? "" : "s"} carry no confidence label (${labels}):`,
    ...c.unlabeled.map((u) => `- ${inline(u.section, 60)}, line ${u.line}: ${inline(u.text, 160)}`),
  ];
  if (c.unlabeledCount > c.unlabeled.length) lines.push(`- … and ${c.unlabeledCount - c.unlabeled.length} more`);
  return lines;
}

/** The whole status comment: what the issue lacks, the heartbeat, and the hidden state (markers added after the choke point). */
export function renderExperimentStatus(i: StatusInput): MarkedText {
  const why =
    i.settings.source === "contract"
      ? "its contract has `kind: experiment`"
      : `its title starts with ${code(i.titlePrefix.trim())}`;
  const logbook = logbookLine(i.check);
  const visible = [
    "### 🧪 merge-captain: experiment",
    `<sub>This is an experiment issue because ${why}.</sub>`,
    "",
    heartbeatLine(i),
    "",
    sectionsLine(i.check, i.settings),
    ...(logbook ? ["", logbook] : []),
    ...(claimsLines(i.check, i.settings).length > 0 ? ["", ...claimsLines(i.check, i.settings)] : []),
    "",
    "_Edit the issue to fix what is missing; post updates as comments. This comment updates itself._",
  ].join("\n");
  // The choke point breaks any `<!--` in the visible part, so no state marker can be forged.
  return { opening: EXPERIMENT_STICKY, visible, closing: encodeExperimentState(i.state) };
}

/** The status comment of an issue that stopped being an experiment issue. */
export function renderNoLongerExperiment(): MarkedText {
  return {
    opening: EXPERIMENT_STICKY,
    visible:
      "### 🧪 merge-captain: experiment\n\nThis issue is no longer an experiment issue, so there is no heartbeat.",
  };
}

/**
 * The one reminder for a gap: it names the owners (the point is to reach them), says since when
 * nothing came, and what a heartbeat holds. Its first line marks which update it was about.
 */
export function renderReminder(input: { owners: readonly string[]; last: Update; cadenceHours: number }): MarkedText {
  const ping = input.owners
    .filter((o) => LOGIN.test(o))
    .slice(0, MAX_PINGED)
    .map((o) => `@${o}`);
  const at = new Date(input.last.at).toISOString().replace(/\.000Z$/, "Z");
  return {
    opening: heartbeatMarker(at),
    visible: [
      `⏰ ${ping.length > 0 ? ping.join(" ") + ": " : ""}no update on this experiment for ${hours(input.cadenceHours)} — the last was ${formatTime(input.last.at)} by ${inline(input.last.by, 60)}.`,
      "",
      "Post a heartbeat even when nothing happened: **status**, **blockers** and the **next ETA**. It clears the `stale` label.",
    ].join("\n"),
  };
}
