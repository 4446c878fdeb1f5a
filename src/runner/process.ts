/** Run one shell command as a contained gate: stream its output line by line, stop it on timeout or cancel, and resolve only once every process it started is gone (or known not to be). */
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { GateJail } from "./containment.js";

export { groupAlive, signalGroup } from "./containment.js";

export type ProcessOutcome =
  | { kind: "exited"; code: number; durationMs: number }
  | { kind: "signalled"; signal: NodeJS.Signals; durationMs: number }
  | { kind: "timeout"; durationMs: number }
  | { kind: "cancelled"; durationMs: number }
  | { kind: "spawn-error"; code: string; durationMs: number }
  /** The wrapper could not set the mark or enter the cgroup; the command never ran. */
  | { kind: "contain-error"; durationMs: number };

/** What was left of the command once its shell had exited, and whether all of it is gone now. */
export interface ContainmentReport {
  /** The command's processes found alive after its shell exited (or was stopped); all were signalled. */
  leftover: number;
  /** Of those, how many had left the gate's process group (setsid, setpgid): an attempt to outlive the gate. */
  escaped: number;
  /** A last look found none of the command's processes alive. */
  confirmed: boolean;
  /** Orphans with a lowered or foreign mark that were still alive after a wait and were killed, not counted as this command's (see `Survivor.own`). */
  strays: number;
}

export interface CommandRun {
  outcome: ProcessOutcome;
  containment: ContainmentReport;
}

export interface RunCommandOptions {
  cmd: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Where the command's processes are tracked; one per command, from `Containment.jail()`. */
  jail: GateJail;
  /** Seconds before the command is stopped; undefined or 0 means no limit. */
  timeoutS?: number | undefined;
  /** Time between SIGTERM and SIGKILL, so a gate can flush and clean up GPU state. */
  graceMs: number;
  /** Called for every complete output line (stdout and stderr alike), without the newline. */
  onLine: (line: string, stream: "stdout" | "stderr") => void;
  /** Aborting stops the command like a timeout, and the outcome is `cancelled`. */
  signal?: AbortSignal | undefined;
  /** Called with the process group id once the command has started inside its jail. */
  onStart?: ((pgid: number) => void) | undefined;
}

/** A partial line longer than this is passed on as a line of its own, so a gate that never prints a newline cannot grow memory. */
export const MAX_LINE_CHARS = 64 * 1024;
/** How often survivors are looked for while they are being stopped. */
const POLL_MS = 25;
/** After SIGKILL, how long processes may take to disappear before the gate counts as not contained. */
const KILL_WAIT_MS = 2000;
/** How long an orphan of unknown run is left to its own runner before this one kills it. */
const STRAY_WAIT_MS = 500;
/** Once every process is gone the pipes close at once; this only bounds a pipe held open from outside the gate. */
const PIPE_WAIT_MS = 1000;

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

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * SIGTERM the command's own survivors, SIGKILL what is left after the grace period, and look again
 * until none is alive or the kill wait runs out; each look finds processes the survivors started
 * meanwhile. Strays (orphans with another or a lowered mark) get `STRAY_WAIT_MS` first: another
 * runner on this host stops its own leftovers at once, so what is still alive then is no one's
 * but possibly a gate of this run that hid, and is killed too.
 */
async function stopSurvivors(jail: GateJail, graceMs: number): Promise<ContainmentReport> {
  const own = new Set<number>();
  const strays = new Set<number>();
  const escaped = new Set<number>();
  // Every look counts: a survivor may call setsid only once it was asked to stop.
  const look = (): { own: number; strays: number[] } => {
    const now = jail.survivors();
    for (const s of now) {
      (s.own ? own : strays).add(s.pid);
      if (s.own && s.pgrp !== jail.group) escaped.add(s.pid);
    }
    return { own: now.filter((s) => s.own).length, strays: now.filter((s) => !s.own).map((s) => s.pid) };
  };
  let now = look();
  if (now.own > 0) {
    jail.signal("SIGTERM");
    const killAt = Date.now() + graceMs;
    while (Date.now() < killAt && look().own > 0) await sleep(POLL_MS);
    const deadline = Date.now() + KILL_WAIT_MS;
    while ((now = look()).own > 0 && Date.now() < deadline) {
      jail.signal("SIGKILL");
      await sleep(POLL_MS);
    }
  }
  let killed = 0;
  if (strays.size > 0) {
    await sleep(STRAY_WAIT_MS);
    const deadline = Date.now() + KILL_WAIT_MS;
    const left = new Set<number>();
    while ((now = look()).strays.length > 0 && Date.now() < deadline) {
      for (const pid of now.strays) left.add(pid);
      jail.killStrays(now.strays);
      await sleep(POLL_MS);
    }
    killed = left.size;
  }
  const confirmed = now.own === 0 && now.strays.length === 0 && jail.release();
  return { leftover: own.size, escaped: escaped.size, strays: killed, confirmed };
}

/**
 * `/bin/sh -c cmd` as the leader of a new session and process group, inside the jail (see
 * `containment.ts`). A timeout or cancel stops every process of the jail — torchrun's workers and
 * anything that called setsid included — with SIGTERM and, after the grace period, SIGKILL. When
 * the shell exits on its own, whatever it left behind is stopped the same way before this
 * resolves, so nothing of one gate survives into the next or into the results.
 */
export function runCommand(opts: RunCommandOptions): Promise<CommandRun> {
  const started = Date.now();
  const elapsed = (): number => Date.now() - started;
  return new Promise((resolve) => {
    if (opts.signal?.aborted) {
      resolve({
        outcome: { kind: "cancelled", durationMs: 0 },
        containment: { leftover: 0, escaped: 0, strays: 0, confirmed: true },
      });
      return;
    }
    const child = spawn("/bin/sh", opts.jail.spawnArgs(opts.cmd), {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    const pgid = child.pid;
    let ready = false;
    let stopReason: "timeout" | "cancelled" | undefined;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let termSentAt: number | undefined;
    const timers: NodeJS.Timeout[] = [];

    const out = new LineSplitter((l) => opts.onLine(l, "stdout"));
    const err = new LineSplitter((l) => opts.onLine(l, "stderr"));
    // With a fourth stdio entry the typings no longer promise these; `pipe` still creates them.
    const stdout = child.stdio[1] as Readable;
    const stderr = child.stdio[2] as Readable;
    stdout.setEncoding("utf8").on("data", (c: string) => out.push(c));
    stderr.setEncoding("utf8").on("data", (c: string) => err.push(c));
    const control = child.stdio[3] as Readable | null;
    const controlDone = new Promise<void>((r) => {
      if (control === null) return r();
      control.setEncoding("utf8");
      control.on("data", (c: string) => {
        if (ready || pgid === undefined || !c.includes("ready")) return;
        ready = true;
        opts.jail.attach(pgid);
        opts.onStart?.(pgid);
      });
      control.on("close", () => r());
      control.on("error", () => r());
    });
    const pipesClosed = new Promise<void>((r) => child.on("close", () => r()));

    const terminate = (): void => {
      if (killTimer !== undefined || !ready) return;
      termSentAt = Date.now();
      opts.jail.signal("SIGTERM");
      killTimer = setTimeout(() => opts.jail.signal("SIGKILL"), opts.graceMs);
      timers.push(killTimer);
    };
    const stop = (why: "timeout" | "cancelled"): void => {
      if (stopReason !== undefined) return;
      stopReason = why;
      terminate();
    };
    if (opts.timeoutS !== undefined && opts.timeoutS > 0)
      timers.push(setTimeout(() => stop("timeout"), opts.timeoutS * 1000));
    const onAbort = (): void => stop("cancelled");
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined>((r) => {
      child.on("exit", (code, signal) => r({ code, signal }));
      child.on("error", (e: NodeJS.ErrnoException) => {
        spawnError = e.code ?? "spawn-failed";
        if (pgid === undefined) r(undefined);
      });
    });

    void (async () => {
      const exit = await exited;
      // The ready line (or its absence) is known once the wrapper's end of fd 3 is closed.
      if (spawnError === undefined) await controlDone;
      // A timeout that fired before the wrapper was ready could not signal yet.
      if (stopReason !== undefined) terminate();
      for (const t of timers) clearTimeout(t);
      // What is left of the grace period a timeout or cancel already started.
      const graceLeft = termSentAt === undefined ? opts.graceMs : Math.max(0, termSentAt + opts.graceMs - Date.now());
      const containment = ready
        ? await stopSurvivors(opts.jail, graceLeft)
        : { leftover: 0, escaped: 0, strays: 0, confirmed: opts.jail.release() };
      opts.signal?.removeEventListener("abort", onAbort);
      // `close` fires once both pipes are drained; with every process gone that is at once.
      const drained =
        spawnError !== undefined ||
        (await Promise.race([pipesClosed.then(() => true), sleep(PIPE_WAIT_MS).then(() => false)]));
      if (!drained) {
        stdout.destroy();
        stderr.destroy();
      }
      out.end();
      err.end();
      const durationMs = elapsed();
      let outcome: ProcessOutcome;
      if (spawnError !== undefined) outcome = { kind: "spawn-error", code: spawnError, durationMs };
      else if (!ready) outcome = { kind: "contain-error", durationMs };
      else if (stopReason !== undefined) outcome = { kind: stopReason, durationMs };
      else if (exit?.code !== null && exit?.code !== undefined)
        outcome = { kind: "exited", code: exit.code, durationMs };
      else outcome = { kind: "signalled", signal: exit?.signal ?? "SIGKILL", durationMs };
      resolve({ outcome, containment });
    })();
  });
}
