/** Which paths a PR's changed files change, and which ones it leaves written (for companion files). */
import type { ChangedFile, FileStatus } from "./check.js";

export interface TouchedPath {
  path: string;
  status: FileStatus;
  /** For renames: the old or the new end of the move. */
  side?: "old" | "new";
}

/**
 * Every path whose content the PR changes: a rename changes both ends (the old path disappears),
 * a copy only its new path, a deletion the deleted path — the same reading as the scope check.
 */
export function changedPaths(files: readonly ChangedFile[]): TouchedPath[] {
  const out: TouchedPath[] = [];
  for (const f of files) {
    switch (f.status) {
      case "renamed":
        if (f.previous_filename !== undefined && f.previous_filename !== f.path) {
          out.push({ path: f.previous_filename, status: f.status, side: "old" });
          out.push({ path: f.path, status: f.status, side: "new" });
        } else out.push({ path: f.path, status: f.status });
        break;
      case "added":
      case "modified":
      case "removed":
      case "copied":
      case "changed":
      case "unchanged":
        out.push({ path: f.path, status: f.status });
        break;
      default: {
        const never: never = f.status;
        throw new Error(`unhandled file status ${String(never)}`);
      }
    }
  }
  return out;
}

/**
 * Paths the PR leaves written with new content: what a companion file (a progress log, a
 * logbook) needs. A deleted file, the old end of a rename and an unchanged entry do not count.
 */
export function writtenPaths(files: readonly ChangedFile[]): string[] {
  return files.flatMap((f) => {
    switch (f.status) {
      case "added":
      case "modified":
      case "changed":
      case "renamed":
      case "copied":
        return [f.path];
      case "removed":
      case "unchanged":
        return [];
      default: {
        const never: never = f.status;
        throw new Error(`unhandled file status ${String(never)}`);
      }
    }
  });
}
