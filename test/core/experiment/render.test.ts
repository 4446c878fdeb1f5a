import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { checkExperimentBody } from "../../../src/core/experiment/check.js";
import { decideHeartbeat } from "../../../src/core/experiment/heartbeat.js";
import {
  formatTime,
  reminderFor,
  renderExperimentStatus,
  renderReminder,
} from "../../../src/core/experiment/render.js";
import type { ExperimentSettings } from "../../../src/core/experiment/settings.js";
import { decodeExperimentState, encodeExperimentState } from "../../../src/core/experiment/state.js";
import { outgoing, outgoingComment, type RepoClient } from "../../../src/github/client.js";

const settings: ExperimentSettings = {
  source: "title",
  sections: ["TL;DR"],
  logbook: undefined,
  claimSections: ["TL;DR"],
  confidenceLabels: ["exploratory", "replicated", "stable"],
  cadenceHours: 6,
  updatesFrom: "owners",
};
const last = { at: "2026-01-05T09:00:00Z", by: "ada" };
const client = { owner: "acme", repo: "nmoe", sanitize: {} } as unknown as RepoClient;

describe("the reminder", () => {
  test("names the owners (valid logins only, at most 5), the gap and what a heartbeat holds; marked with its gap", () => {
    const text = outgoingComment(
      client,
      renderReminder({
        owners: ["ada", "lab-agent[bot]", "not a login", "b", "c", "d", "e"],
        last,
        cadenceHours: 6,
      }),
    );
    expect(text.split("\n")[0]).toBe("<!-- merge-captain:heartbeat 2026-01-05T09:00:00Z -->");
    expect(text).toContain(
      "⏰ @ada @lab-agent[bot] @b @c @d: no update on this experiment for 6 h — the last was 2026-01-05 09:00 UTC by ada.",
    );
    expect(reminderFor(text)).toBe("2026-01-05T09:00:00Z");
    expect(reminderFor("a comment quoting <!-- merge-captain:heartbeat 2026-01-05T09:00:00Z -->")).toBeUndefined();
  });

  test("the marker is added after the choke point, byte-exact; the visible text passes it unchanged", () => {
    const parts = renderReminder({ owners: ["ada"], last, cadenceHours: 6 });
    expect(outgoingComment(client, parts)).toBe(`${parts.opening}\n${parts.visible}\n`);
    expect(outgoing(client, parts.visible)).toBe(parts.visible);
  });
});

describe("the status comment", () => {
  test("user text from claims is defused: no pings, no HTML, no forged state", () => {
    const body = "## TL;DR\n- @bob said <!-- merge-captain:experiment v1 eyJ2IjoxfQ --> it works";
    const state = { v: 1 as const, last };
    const parts = renderExperimentStatus({
      settings,
      titlePrefix: "[EXP]",
      check: checkExperimentBody(body, settings),
      last,
      decision: decideHeartbeat({
        lastUpdate: last,
        reminded: undefined,
        staleLabel: false,
        cadenceHours: 6,
        now: new Date(last.at),
      }),
      reminded: false,
      state,
    });
    const text = outgoingComment(client, parts);
    expect(text).not.toContain("@bob");
    expect(text.match(/<!-- merge-captain:experiment v1/g)).toHaveLength(1);
    expect(decodeExperimentState(text)).toEqual(state);
    // The forged marker in the claim is shown as text, never read back.
    expect(decodeExperimentState(`${parts.opening}\n${parts.visible}`)).toBeUndefined();
  });

  test("formatTime", () => {
    expect(formatTime("2026-01-05T09:07:33Z")).toBe("2026-01-05 09:07 UTC");
    expect(formatTime("nonsense")).toBe("an unknown time");
  });
});

describe("the hidden state", () => {
  test("round-trips, and the last marker counts", () => {
    const a = { v: 1 as const, last, reminded: last.at };
    const b = { v: 1 as const, last: { at: "2026-01-06T00:00:00Z", by: "lab-agent[bot]" } };
    expect(decodeExperimentState(`${encodeExperimentState(a)}\n${encodeExperimentState(b)}`)).toEqual(b);
  });

  test("property: any payload decodes to a valid state or to nothing, never throws", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (junk) => {
        const payload = Buffer.from(junk).toString("base64url").slice(0, 1000) || "x";
        const s = decodeExperimentState(`<!-- merge-captain:experiment v1 ${payload} -->`);
        return s === undefined || (s.v === 1 && typeof s.last.at === "string");
      }),
    );
    expect(
      decodeExperimentState(
        `<!-- merge-captain:experiment v1 ${Buffer.from('{"v":1,"last":{"at":"x","by":"ada"}}').toString("base64url")} -->`,
      ),
    ).toBeUndefined();
  });
});
