/** Read what gate containment needs from Linux's /proc: each process's state, parent, group, session and start time, and its file-lock limit (the gate mark). */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  /** One letter: R running, S sleeping, D disk wait, T stopped, Z zombie, X dead, … */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks since boot when the process started; a later process never has a smaller value. */
  start: number;
}

export function procAvailable(): boolean {
  try {
    readFileSync("/proc/self/stat", "utf8");
    return true;
  } catch {
    return false;
  }
}

/** The numeric entries of /proc, i.e. every process this PID namespace can see. */
export function listPids(): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  return names.filter((n) => /^\d+$/.test(n)).map(Number);
}

/** `/proc/<pid>/stat`; undefined when the process is gone (or was never visible). */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name is parenthesised and may itself contain spaces and ')': fields follow the last ')'.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const num = (i: number): number => Number(f[i]);
  // f[0] is field 3 of proc(5): state ppid pgrp session … starttime is field 22.
  const stat = { pid, state: f[0] ?? "?", ppid: num(1), pgrp: num(2), session: num(3), start: num(19) };
  return Number.isFinite(stat.start) && Number.isFinite(stat.pgrp) ? stat : undefined;
}

/** A zombie or dead entry runs no code and holds no file open: for containment it is gone. */
export function isGone(stat: ProcStat): boolean {
  return stat.state === "Z" || stat.state === "X";
}

/**
 * The hard limit on file locks of a process (`Max file locks` in /proc/<pid>/limits; Infinity
 * for `unlimited`), or undefined when it cannot be read. Linux has not enforced this limit since
 * 2.4, so lowering it changes nothing a gate does — and an unprivileged process can never raise a
 * hard limit again, which is what makes it a mark every descendant carries.
 */
export function hardLockLimit(pid: number | "self"): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/limits`, "utf8");
  } catch {
    return undefined;
  }
  return parseLockLimit(text);
}

export function parseLockLimit(limits: string): number | undefined {
  const line = limits.split("\n").find((l) => l.startsWith("Max file locks"));
  const hard = line?.slice("Max file locks".length).trim().split(/\s+/)[1];
  if (hard === undefined) return undefined;
  if (hard === "unlimited") return Number.POSITIVE_INFINITY;
  const n = Number(hard);
  return Number.isSafeInteger(n) ? n : undefined;
}
