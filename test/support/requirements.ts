/**
 * What some suites need from outside Node — `git`, `redis-server`, the nmoe reference files — and
 * where it is missing, a skip that says so in the test output instead of passing in silence.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "@jest/globals";

export interface Requirement {
  available: boolean;
  /** `describe` where the requirement is met, `describe.skip` where it is not. */
  describe: typeof describe | typeof describe.skip;
  test: typeof test | typeof test.skip;
}

/** One line in the test output naming what is missing, what is skipped and how to run it. */
function requirement(available: boolean, missing: string, skipped: string, remedy: string): Requirement {
  if (!available) console.warn(`SKIPPED ${skipped}: ${missing} (${remedy})`);
  return { available, describe: available ? describe : describe.skip, test: available ? test : test.skip };
}

function commandRuns(command: string): boolean {
  return spawnSync(command, ["--version"], { stdio: "ignore" }).status === 0;
}

export function needsGit(skipped: string): Requirement {
  return requirement(commandRuns("git"), "git is not on PATH", skipped, "install git to run them");
}

export function needsRedisServer(skipped: string): Requirement {
  return requirement(
    commandRuns("redis-server"),
    "redis-server is not on PATH",
    skipped,
    "apt-get install redis-server to run them",
  );
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * The nmoe reference files live in the workspace, beside the checkout or some levels above it
 * (a git worktree sits deeper than the main checkout), or where NMOE_REFERENCE_DIR says.
 */
export function nmoeReferenceDir(): string | undefined {
  const fromEnv = process.env["NMOE_REFERENCE_DIR"];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  for (let dir = dirname(REPO_ROOT); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "reference", "nmoe");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The reference directory when it holds every one of `files`; the suite is skipped (and says why) otherwise. */
export function needsNmoeReference(
  files: readonly string[],
  skipped: string,
): Requirement & { dir: string; path: (file: string) => string } {
  const dir = nmoeReferenceDir();
  const missing = dir === undefined ? [] : files.filter((f) => !existsSync(join(dir, f)));
  const req = requirement(
    dir !== undefined && missing.length === 0,
    dir !== undefined
      ? `${dir} lacks ${missing.join(", ")}`
      : process.env["NMOE_REFERENCE_DIR"]
        ? `NMOE_REFERENCE_DIR=${process.env["NMOE_REFERENCE_DIR"]} does not exist`
        : "no shared/reference/nmoe/ directory above the checkout",
    skipped,
    "set NMOE_REFERENCE_DIR to the directory holding nmoe's work_item.yml, gates.toml and pull_request_template.md",
  );
  const base = dir ?? "";
  return { ...req, dir: base, path: (file) => join(base, file) };
}
