import { describe, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cgroupDirFrom } from "../../src/runner/cgroup.js";
import { parseLockLimit, readStat } from "../../src/runner/proc.js";

const PURE_V2 =
  "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
const HYBRID =
  "35 25 0:30 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n" +
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
const V1_ONLY = "35 25 0:30 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";
const SUBTREE = "700 690 0:26 /actions_job/abc /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw\n";
const SPACED = "29 23 0:26 / /mnt/cg\\040v2 rw - cgroup2 cgroup2 rw\n";

describe("cgroupDirFrom: where this process's cgroup v2 directory is", () => {
  test.each([
    [
      "pure v2 (systemd service)",
      PURE_V2,
      "0::/system.slice/actions.runner.service\n",
      "/sys/fs/cgroup/system.slice/actions.runner.service",
    ],
    ["hybrid: v2 under /unified", HYBRID, "9:name=systemd:/\n0::/\n", "/sys/fs/cgroup/unified"],
    ["a container that sees a subtree", SUBTREE, "0::/actions_job/abc/runner\n", "/sys/fs/cgroup/runner"],
    ["a mount path with an escaped space", SPACED, "0::/x\n", "/mnt/cg v2/x"],
    ["cgroup v1 only", V1_ONLY, "4:memory:/x\n", undefined],
    ["a v2 line but no v2 mount", V1_ONLY, "0::/x\n", undefined],
    ["a path outside the mounted subtree", SUBTREE, "0::/elsewhere\n", undefined],
  ])("%s", (_name, mountinfo, cgroup, expected) => {
    expect(cgroupDirFrom(mountinfo, cgroup)).toBe(expected);
  });
});

describe("parseLockLimit: the gate mark in /proc/<pid>/limits", () => {
  const limits = (soft: string, hard: string): string =>
    "Limit                     Soft Limit           Hard Limit           Units     \n" +
    "Max open files            20000                20000                files     \n" +
    `Max file locks            ${soft.padEnd(21)}${hard.padEnd(21)}locks     \n`;
  test.each([
    ["unlimited", limits("unlimited", "unlimited"), Number.POSITIVE_INFINITY],
    ["a mark", limits("2146435071", "2146435071"), 2146435071],
    ["soft unlimited is not the hard limit", limits("unlimited", "1000"), 1000],
    ["no such line", "Limit  Soft Limit  Hard Limit  Units\n", undefined],
    ["garbage", limits("x", "y"), undefined],
  ])("%s", (_name, text, expected) => {
    expect(parseLockLimit(text)).toBe(expected);
  });
});

describe("readStat", () => {
  test("reads a real process whose name contains ') (' and spaces", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mc-stat-"));
    const script = join(dir, "a) b (c");
    writeFileSync(script, "#!/bin/sh\nexec sleep 5\n");
    chmodSync(script, 0o755);
    const child = spawn(script, [], { detached: true, stdio: "ignore" });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const s = readStat(child.pid!);
      expect(s).toMatchObject({ pid: child.pid, ppid: process.pid, pgrp: child.pid, session: child.pid });
      expect(s!.start).toBeGreaterThanOrEqual(readStat(process.pid)!.start);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a process that does not exist reads as undefined", () => {
    expect(readStat(2 ** 22 + 12345)).toBeUndefined();
  });
});
