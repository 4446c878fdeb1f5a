/** Check a gate's `requires` env vars and `requires_files` paths before it runs, and say what is missing by name only. */
import { existsSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import type { Gate } from "../core/schemas/gates.generated.js";

export interface Missing {
  /** Env var NAMES that are unset or empty; values are never read into a message. */
  env: string[];
  /** Registry paths that do not exist under the repo dir. */
  files: string[];
  /** Registry paths that point outside the repo dir (absolute or `..`); treated as missing. */
  outside: string[];
}

/** Results file `reason` is at most 500 characters (schema); long lists are cut with a count. */
const MAX_REASON = 500;

export function findMissing(
  gate: Pick<Gate, "requires" | "requires_files">,
  repoDir: string,
  env: NodeJS.ProcessEnv,
): Missing {
  const missing: Missing = { env: [], files: [], outside: [] };
  for (const name of gate.requires ?? []) {
    // An empty value is as useless to a gate as no value (nmoe's checks treated it the same way).
    const value = env[name];
    if (value === undefined || value === "") missing.env.push(name);
  }
  for (const path of gate.requires_files ?? []) {
    const full = resolve(repoDir, path);
    const rel = relative(resolve(repoDir), full);
    if (isAbsolute(path) || rel.startsWith("..") || isAbsolute(rel)) missing.outside.push(path);
    else if (!existsSync(full)) missing.files.push(path);
  }
  return missing;
}

export function hasMissing(m: Missing): boolean {
  return m.env.length + m.files.length + m.outside.length > 0;
}

/** A short reason code: `missing-env: A, B; missing-file: configs/x.toml; outside-repo: ../y`. */
export function missingReason(m: Missing): string {
  const parts: string[] = [];
  if (m.env.length > 0) parts.push(`missing-env: ${m.env.join(", ")}`);
  if (m.files.length > 0) parts.push(`missing-file: ${m.files.join(", ")}`);
  if (m.outside.length > 0) parts.push(`outside-repo: ${m.outside.join(", ")}`);
  const reason = parts.join("; ");
  return reason.length <= MAX_REASON ? reason : reason.slice(0, MAX_REASON - 1) + "…";
}
