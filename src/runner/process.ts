/** Run one shell command in its own process group, stream its output line by line, and kill the whole group on timeout or cancel. */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export type ProcessOutcome =
  | { kind: "exited"; code: number; durationMs: number }
  | { kind: "signalled"; signal: NodeJS.Signals; durationMs: number }
  | { kind: "timeout"; durationMs: number }
  | { kind: "cancelled"; durationMs: number }
  | { kind: "spawn-error"; code: string; durationMs: number };

export interface RunCommandOptions {
  cmd: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Seconds before the group is killed; undefined or 0 means no limit. */
  timeoutS?: number | undefined;
  /** Time between SIGTERM and SIGKILL, so a gate can flush and clean up GPU state. */
  graceMs: number;
  /** Called for every complete output line (stdout and stderr alike), without the newline. */
  onLine: (line: string, stream: "stdout" | "stderr") => void;
  /** Aborting kills the group like a timeout, and the outcome is `cancelled`. */
  signal?: AbortSignal | undefined;
  /** Called with the group id once the command has started (tests use it to check the group is gone). */
  onStart?: ((pgid: number) => void) | undefined;
}

/** A partial line longer than this is passed on as a line of its own, so a gate that never prints a newline cannot grow memory. */
export const MAX_LINE_CHARS = 64 * 1024;

/** Send a signal to every process in the group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

/**
 * True while any process of the group is alive. On Linux this reads /proc and ignores zombies:
 * in a container whose PID 1 does not reap orphans, killed processes stay zombies forever and
 * `kill(-pgid, 0)` would call the group alive.
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return signalGroup(pgid, 0);
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // Fields after the parenthesised command name: state ppid pgrp …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
  }
  return false;
}

class LineSplitter {
  private partial = "";
  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: string): void {
    let text = this.partial + chunk;
    let nl: number;
    while ((nl = text.indexOf("\n")) >= 0) {
      this.emit(text.slice(0, nl).replace(/\r$/, ""));
      text = text.slice(nl + 1);
    }
    while (text.length > MAX_LINE_CHARS) {
      this.emit(text.slice(0, MAX_LINE_CHARS));
      text = text.slice(MAX_LINE_CHARS);
    }
    this.partial = text;
  }

  end(): void {
    if (this.partial.length > 0) this.emit(this.partial);
    this.partial = "";
  }
}

/**
 * `/bin/sh -c cmd` as the leader of a new process group (`detached`), so a timeout or cancel can
 * kill everything the command started — torchrun's workers included — with SIGTERM and, after the
 * grace period, SIGKILL. When the leader exits on its own, leftovers in its group are cleaned up
 * the same way, so nothing from one gate survives into the next.
 */
export function runCommand(opts: RunCommandOptions): Promise<ProcessOutcome> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  return new Promise((resolve) => {
    if (opts.signal?.aborted) {
      resolve({ kind: "cancelled", durationMs: 0 });
      return;
    }
    const child = spawn("/bin/sh", ["-c", opts.cmd], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stopReason: "timeout" | "cancelled" | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];

    const pgid = child.pid;
    const out = new LineSplitter((l) => opts.onLine(l, "stdout"));
    const err = new LineSplitter((l) => opts.onLine(l, "stderr"));
    child.stdout.setEncoding("utf8").on("data", (c: string) => out.push(c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => err.push(c));

    const terminate = (): void => {
      if (pgid === undefined || killTimer !== undefined) return;
      signalGroup(pgid, "SIGTERM");
      killTimer = setTimeout(() => signalGroup(pgid, "SIGKILL"), opts.graceMs);
      timers.push(killTimer);
    };
    const stop = (why: "timeout" | "cancelled"): void => {
      if (exit !== undefined || stopReason !== undefined) return;
      stopReason = why;
      terminate();
    };

    if (pgid !== undefined) opts.onStart?.(pgid);
    if (opts.timeoutS !== undefined && opts.timeoutS > 0)
      timers.push(setTimeout(() => stop("timeout"), opts.timeoutS * 1000));
    const onAbort = (): void => stop("cancelled");
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    const finish = (): void => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener("abort", onAbort);
      out.end();
      err.end();
      const durationMs = elapsed();
      if (spawnError !== undefined) resolve({ kind: "spawn-error", code: spawnError, durationMs });
      else if (stopReason !== undefined) resolve({ kind: stopReason, durationMs });
      else if (exit?.code !== null && exit?.code !== undefined)
        resolve({ kind: "exited", code: exit.code, durationMs });
      else resolve({ kind: "signalled", signal: exit?.signal ?? "SIGKILL", durationMs });
    };

    /** Resolve only once the group is gone: SIGTERM, then SIGKILL after the grace period, polling in between. */
    const finishWhenGroupGone = (): void => {
      if (pgid === undefined || !groupAlive(pgid)) {
        finish();
        return;
      }
      terminate();
      const deadline = Date.now() + opts.graceMs + 2000;
      const poll = setInterval(() => {
        if (groupAlive(pgid) && Date.now() < deadline) return;
        if (groupAlive(pgid)) signalGroup(pgid, "SIGKILL");
        clearInterval(poll);
        finish();
      }, 25);
    };

    child.on("error", (e: NodeJS.ErrnoException) => {
      spawnError = e.code ?? "spawn-failed";
      if (pgid === undefined) finish();
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      // The leader is gone; whatever it left behind in its group goes too.
      if (pgid !== undefined && groupAlive(pgid)) terminate();
    });
    // `close` fires once both pipes are drained, i.e. once nothing in the group holds them open.
    child.on("close", finishWhenGroupGone);
  });
}
