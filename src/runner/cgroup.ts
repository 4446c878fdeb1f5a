/** Find this process's cgroup v2 directory, and create, list, kill and remove the child cgroups the runner puts gates in. */
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** mountinfo escapes space, tab, newline and backslash in paths as three octal digits. */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * The directory of a process's cgroup in the cgroup v2 hierarchy, from `/proc/<pid>/mountinfo`
 * and `/proc/<pid>/cgroup`; undefined when there is no v2 hierarchy (cgroup v1 only) or it is
 * not mounted where this process can see it. Works for the pure v2 layout (`/sys/fs/cgroup`) and
 * the hybrid one (`/sys/fs/cgroup/unified`), and for a mount of a subtree (containers).
 */
export function cgroupDirFrom(mountinfo: string, cgroupFile: string): string | undefined {
  const path = cgroupFile
    .split("\n")
    .find((l) => l.startsWith("0::"))
    ?.slice(3)
    .trim();
  if (path === undefined || !path.startsWith("/")) return undefined;
  for (const line of mountinfo.split("\n")) {
    const [before, after] = line.split(" - ");
    if (after?.split(" ")[0] !== "cgroup2") continue;
    const fields = (before ?? "").split(" ");
    const root = unescapeMountPath(fields[3] ?? "");
    const mount = unescapeMountPath(fields[4] ?? "");
    if (mount === "") continue;
    const rel =
      root === "/" ? path : path === root || path.startsWith(root + "/") ? path.slice(root.length) : undefined;
    if (rel !== undefined) {
      // join() leaves at most one trailing slash; dropped by hand (a `\/+$` regex is quadratic on runs of `/`).
      const dir = join(mount, rel);
      return dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir;
    }
  }
  return undefined;
}

export function ownCgroupDir(): string | undefined {
  const mountinfo = readText("/proc/self/mountinfo");
  const cgroup = readText("/proc/self/cgroup");
  return mountinfo === undefined || cgroup === undefined ? undefined : cgroupDirFrom(mountinfo, cgroup);
}

/** Create a child cgroup; the error code when the runner may not (EACCES, EROFS, ENOENT …). */
export function createCgroup(parent: string, name: string): { ok: true; dir: string } | { ok: false; code: string } {
  const dir = join(parent, name);
  try {
    mkdirSync(dir);
    return { ok: true, dir };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code ?? "mkdir-failed" };
  }
}

/** The processes in a cgroup (not its children); empty when it is gone. */
export function cgroupProcs(dir: string): number[] {
  return (readText(join(dir, "cgroup.procs")) ?? "")
    .split("\n")
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/** `cgroup.kill` (Linux ≥ 5.14) SIGKILLs every process in the cgroup and its children at once, racing no fork; false when the kernel lacks it. */
export function killCgroup(dir: string): boolean {
  try {
    writeFileSync(join(dir, "cgroup.kill"), "1");
    return true;
  } catch {
    return false;
  }
}

/** Remove an empty cgroup; false while processes remain in it (EBUSY) or when it is already gone. */
export function removeCgroup(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}
