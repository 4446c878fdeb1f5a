import { describe, expect, test } from "@jest/globals";
import { Containment } from "../../src/runner/containment.js";
import {
  groupAlive,
  runCommand,
  type ContainmentReport,
  type ProcessOutcome,
  type RunCommandOptions,
} from "../../src/runner/process.js";

const containment = Containment.open({ cgroup: false });

async function run(
  cmd: string,
  extra: Partial<RunCommandOptions> = {},
): Promise<{ outcome: ProcessOutcome; containment: ContainmentReport; lines: string[]; pgid: number | undefined }> {
  const lines: string[] = [];
  let pgid: number | undefined;
  const r = await runCommand({
    cmd,
    cwd: process.cwd(),
    env: process.env,
    jail: containment.jail(),
    graceMs: 200,
    onLine: (l) => lines.push(l),
    onStart: (p) => (pgid = p),
    ...extra,
  });
  return { ...r, lines, pgid };
}

describe("runCommand (real /bin/sh processes)", () => {
  test("streams stdout and stderr as lines and reports the exit code", async () => {
    const { outcome, lines } = await run("echo one; echo two >&2; printf 'no newline'; exit 3");
    expect(outcome).toMatchObject({ kind: "exited", code: 3 });
    expect(lines.sort()).toEqual(["no newline", "one", "two"]);
  });

  test("a silent hang is killed at the timeout and its whole group is gone", async () => {
    const { outcome, pgid } = await run("sleep 30 & sleep 30", { timeoutS: 0.3 });
    expect(outcome.kind).toBe("timeout");
    expect(pgid).toBeDefined();
    expect(groupAlive(pgid!)).toBe(false);
  });

  test("a command that ignores SIGTERM is SIGKILLed after the grace period", async () => {
    const { outcome, pgid } = await run("trap '' TERM; sleep 30", { timeoutS: 0.2, graceMs: 100 });
    expect(outcome.kind).toBe("timeout");
    expect(groupAlive(pgid!)).toBe(false);
  });

  test("leftovers of a finished command are cleaned up, so nothing leaks into the next gate", async () => {
    const { outcome, pgid, lines, containment } = await run("sleep 30 & echo started");
    expect(outcome).toMatchObject({ kind: "exited", code: 0 });
    expect(lines).toEqual(["started"]);
    expect(containment).toMatchObject({ leftover: 1, escaped: 0, confirmed: true });
    expect(groupAlive(pgid!)).toBe(false);
  });

  test("a command that leaves nothing behind reports nothing", async () => {
    const { containment } = await run("true");
    expect(containment).toMatchObject({ leftover: 0, escaped: 0, confirmed: true });
  });

  test("abort cancels a running command and kills its group", async () => {
    const ac = new AbortController();
    const pending = run("sleep 30", { signal: ac.signal, onStart: () => setTimeout(() => ac.abort(), 50) });
    const { outcome } = await pending;
    expect(outcome.kind).toBe("cancelled");
  });

  test("a missing working directory is a spawn error, not a throw", async () => {
    const { outcome } = await run("true", { cwd: "/nonexistent/dir/for/sure" });
    expect(outcome).toMatchObject({ kind: "spawn-error", code: "ENOENT" });
  });
});
