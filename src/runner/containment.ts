/** Keep every process a gate starts findable and killable — setsid and double-fork included — so that nothing of a gate outlives it. */
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { join } from "node:path";
import type { ContainmentKind } from "../core/gates/summary.js";
import { cgroupProcs, createCgroup, killCgroup, ownCgroupDir, removeCgroup } from "./cgroup.js";
import { hardLockLimit, isGone, listPids, parseLockLimit, procAvailable, readStat, type ProcStat } from "./proc.js";

/*
 * ContainmentKind:
 * - `cgroup`: each gate runs in its own cgroup v2, which the kernel keeps every descendant in
 *   whatever it does to its session or parent; killed at once through `cgroup.kill`. The mark
 *   below is checked as well, for a gate that moves itself out of its cgroup.
 * - `proc`: the mark only — every gate process carries a lowered file-lock limit it cannot raise
 *   again, found by walking /proc.
 * - `group`: no /proc (not Linux): only the gate's process group is seen, so a process that
 *   calls setsid cannot be found. Never used for results bound to a Tier-B dispatch.
 */
export type { ContainmentKind };

export interface Survivor {
  pid: number;
  pgrp: number;
  /**
   * True when it is certainly this gate's: in its cgroup, its session or process group, or
   * carrying this run's exact mark. False for an orphan whose mark was lowered further — most
   * likely another runner's leftover, possibly a gate hiding; stopped either way, counted apart.
   */
  own: boolean;
}

/**
 * The shell every gate command starts under, as the leader of a new session: it lowers the
 * file-lock limit to the run's mark, moves itself into the gate's cgroup, tells the runner it
 * is ready on fd 3 and closes it, then becomes the gate's `/bin/sh -c cmd`. Nothing of the gate
 * runs before the mark and the cgroup hold. dash spells the limit `-w`, bash `-x`.
 */
const WRAPPER = [
  '[ -z "$2" ] || ulimit -w "$2" 2>/dev/null || ulimit -x "$2" 2>/dev/null || exit 97',
  '[ -z "$3" ] || { echo 0 >"$3"; } 2>/dev/null || exit 98',
  "echo ready >&3 || exit 99",
  "exec 3>&-",
  'exec /bin/sh -c "$1"',
].join("\n");

const MAX_ANCESTRY = 128;

/** Send a signal to every process in a group; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw err;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: gone already. EPERM: it changed user; it stays a survivor and the gate is not confirmed.
  }
}

/**
 * True while any process of the group is alive. On Linux this reads /proc and ignores zombies:
 * in a container whose PID 1 does not reap orphans, killed processes stay zombies forever and
 * `kill(-pgid, 0)` would call the group alive.
 */
export function groupAlive(pgid: number): boolean {
  if (!procAvailable()) return signalGroup(pgid, 0);
  return listPids().some((pid) => {
    const s = readStat(pid);
    return s !== undefined && s.pgrp === pgid && !isGone(s);
  });
}

/** Can `sh` lower the file-lock limit to `mark`, as the wrapper will? Checked once per run with a real child. */
function shellCanMark(mark: number): boolean {
  const r = spawnSync(
    "/bin/sh",
    [
      "-c",
      'ulimit -w "$1" 2>/dev/null || ulimit -x "$1" 2>/dev/null || exit 97; exec cat /proc/self/limits',
      "probe",
      `${mark}`,
    ],
    { encoding: "utf8", timeout: 5000 },
  );
  return r.status === 0 && parseLockLimit(r.stdout) === mark;
}

/** A cgroup for this run under the runner's own, if the runner may create one and move a process into it. */
function openRunCgroup(): { ok: true; dir: string } | { ok: false; reason: string } {
  const own = ownCgroupDir();
  if (own === undefined) return { ok: false, reason: "no cgroup v2 hierarchy is mounted" };
  const run = createCgroup(own, `merge-captain-${process.pid}-${randomBytes(4).toString("hex")}`);
  if (!run.ok) return { ok: false, reason: `cannot create a cgroup under ${own} (${run.code})` };
  const probe = createCgroup(run.dir, "probe");
  const moved =
    probe.ok &&
    spawnSync("/bin/sh", ["-c", '{ echo 0 >"$1"; } 2>/dev/null', "probe", join(probe.dir, "cgroup.procs")], {
      timeout: 5000,
    }).status === 0;
  if (probe.ok) removeCgroup(probe.dir);
  if (!moved) {
    removeCgroup(run.dir);
    return { ok: false, reason: `cannot move a process into a cgroup under ${own} (not delegated to this user)` };
  }
  return { ok: true, dir: run.dir };
}

/** One per run of the gate runner: decides how gates are contained, and hands out one jail per gate. */
export class Containment {
  private gates = 0;

  private constructor(
    readonly kind: ContainmentKind,
    /** Why a stronger kind is not in use, for the log; undefined for `cgroup`. */
    readonly note: string | undefined,
    private readonly mark: Mark | undefined,
    private readonly runCgroup: string | undefined,
  ) {}

  /** Probe what this host allows (a cgroup, the mark), strongest first. `cgroup: false` skips the cgroup. */
  static open(opts: { cgroup?: boolean } = {}): Containment {
    if (!procAvailable())
      return new Containment(
        "group",
        "no /proc: a process that leaves the gate's process group cannot be seen",
        undefined,
        undefined,
      );
    const own = hardLockLimit("self");
    const mark = own === undefined ? undefined : newMark(own);
    if (mark === undefined || !shellCanMark(mark.value))
      return new Containment(
        "group",
        "/bin/sh cannot lower the file-lock limit that marks gate processes",
        undefined,
        undefined,
      );
    if (opts.cgroup === false) return new Containment("proc", "cgroups were not asked for", mark, undefined);
    const cg = openRunCgroup();
    return cg.ok
      ? new Containment("cgroup", undefined, mark, cg.dir)
      : new Containment("proc", cg.reason, mark, undefined);
  }

  /** Whether escapes (setsid, double fork) can be seen and killed. */
  get confirmsEscapes(): boolean {
    return this.kind !== "group";
  }

  /** A fresh jail for the next gate (its own cgroup when the run has one). */
  jail(): GateJail {
    this.gates += 1;
    let dir: string | undefined;
    if (this.runCgroup !== undefined) {
      const c = createCgroup(this.runCgroup, `gate-${this.gates}`);
      if (c.ok) dir = c.dir;
    }
    return new GateJail(this.mark, dir);
  }

  /** Remove the run's cgroup (each gate's was removed when it was confirmed empty). */
  close(): void {
    if (this.runCgroup !== undefined) removeCgroup(this.runCgroup);
  }
}

/**
 * The run's mark: a file-lock hard limit just below the runner's own, random per run so that two
 * runners on one host tell their gates apart. `baseline` is the runner's own limit: any process
 * below it was marked by some run (or lowered its limit itself, which only a gate would do).
 */
interface Mark {
  value: number;
  baseline: number;
}

function newMark(own: number): Mark | undefined {
  const ceiling = Math.min(own, 2 ** 31);
  if (ceiling < 2 ** 21) return undefined;
  return { value: ceiling - randomInt(1, 2 ** 20), baseline: own };
}

/** Where one gate's processes are kept track of: how it is spawned, who is still alive, how they are stopped. */
export class GateJail {
  private pgid: number | undefined;
  private since = 0;

  constructor(
    private readonly mark: Mark | undefined,
    readonly cgroupDir: string | undefined,
  ) {}

  /** Arguments for `/bin/sh`: the wrapper, then the command. */
  spawnArgs(cmd: string): string[] {
    return [
      "-c",
      WRAPPER,
      "merge-captain-gate",
      cmd,
      this.mark === undefined ? "" : `${this.mark.value}`,
      this.cgroupDir === undefined ? "" : join(this.cgroupDir, "cgroup.procs"),
    ];
  }

  /** The gate's process group (and session) id, once it started. */
  get group(): number | undefined {
    return this.pgid;
  }

  /** The wrapper said it is ready: its pid is the gate's session and process group, its start time the gate's. */
  attach(pid: number): void {
    this.pgid = pid;
    this.since = readStat(pid)?.start ?? 0;
  }

  /**
   * Every process of the gate that is still alive (zombies are not): the cgroup's members, the
   * gate's process group and session, and every process started since the gate that carries a
   * mark and does not belong to another runner (see `belongsHere`).
   */
  survivors(): Survivor[] {
    const pgid = this.pgid;
    if (pgid === undefined) return [];
    const mark = this.mark;
    if (mark === undefined) return groupAlive(pgid) ? [{ pid: pgid, pgrp: pgid, own: true }] : [];
    const found = new Map<number, Survivor>();
    const add = (s: ProcStat, own: boolean): void => void found.set(s.pid, { pid: s.pid, pgrp: s.pgrp, own });
    if (this.cgroupDir !== undefined)
      for (const pid of cgroupProcs(this.cgroupDir)) {
        const s = readStat(pid);
        if (s !== undefined && !isGone(s)) add(s, true);
      }
    const ancestry = new Ancestry(mark);
    for (const pid of listPids()) {
      if (found.has(pid) || pid === process.pid) continue;
      const s = readStat(pid);
      if (s === undefined || isGone(s) || s.start < this.since) continue;
      if (s.pgrp === pgid || s.session === pgid) {
        add(s, true);
        continue;
      }
      const verdict = ancestry.classify(s);
      if (verdict !== "foreign") add(s, verdict === "own");
    }
    return [...found.values()];
  }

  /** Signal the gate's own survivors; SIGKILL also goes through `cgroup.kill`, which no fork can race. */
  signal(sig: "SIGTERM" | "SIGKILL"): void {
    if (this.pgid === undefined) return;
    if (sig === "SIGKILL" && this.cgroupDir !== undefined) killCgroup(this.cgroupDir);
    signalGroup(this.pgid, sig);
    for (const s of this.survivors()) if (s.own) signalProcess(s.pid, sig);
  }

  /** SIGKILL orphans found with a foreign or lowered mark (see `Survivor.own`). */
  killStrays(pids: Iterable<number>): void {
    for (const pid of pids) signalProcess(pid, "SIGKILL");
  }

  /** Remove the gate's cgroup; false while something is still in it. */
  release(): boolean {
    return this.cgroupDir === undefined || removeCgroup(this.cgroupDir);
  }
}

/**
 * Whether a marked process is this run's. It is when it carries this run's mark exactly. A
 * process with another mark (or a limit lowered further, which a gate can do but never undo) is
 * another runner's while it still hangs below a live unmarked process that is neither this
 * runner nor one of its ancestors — i.e. below another runner. An orphan, re-parented to PID 1 or
 * to a subreaper above this runner after a double fork, is stopped: it may be another runner's
 * leftover, but it may be a gate of this run that lowered its mark to hide.
 */
class Ancestry {
  private readonly mine: Set<number>;

  constructor(private readonly mark: Mark) {
    this.mine = new Set([0, 1, process.pid]);
    let pid = process.ppid;
    for (let i = 0; i < MAX_ANCESTRY && pid > 1 && !this.mine.has(pid); i++) {
      this.mine.add(pid);
      pid = readStat(pid)?.ppid ?? 0;
    }
  }

  /** `own`: this run's mark; `orphan`: lowered or foreign mark with no other runner above it; `foreign`: unmarked, or another runner's. */
  classify(s: ProcStat): "own" | "orphan" | "foreign" {
    const limit = hardLockLimit(s.pid);
    if (limit === undefined || limit >= this.mark.baseline) return "foreign";
    if (limit === this.mark.value) return "own";
    let parent = s.ppid;
    for (let i = 0; i < MAX_ANCESTRY; i++) {
      if (this.mine.has(parent)) return "orphan";
      const up = hardLockLimit(parent);
      // Gone while we looked: nothing vouches for it, so it is stopped.
      if (up === undefined) return "orphan";
      if (up >= this.mark.baseline) return "foreign";
      parent = readStat(parent)?.ppid ?? 0;
    }
    return "orphan";
  }
}
