/** A `CliIo` over in-memory files and stdin, so a command test reads as: these files, these flags, this output. */
import type { CliIo, Command } from "../../src/cli/io.js";

export interface FakeWorld {
  /** File contents by absolute path (the command resolves relative names against `cwd`). */
  files?: Record<string, string>;
  stdin?: string;
  /** Defaults to /repo. */
  cwd?: string;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A missing file fails the way node's readFile does (code ENOENT), so commands word it as they would for real. */
export function fakeIo(world: FakeWorld = {}): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const files = world.files ?? {};
  const io: CliIo = {
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
    readFile: async (path) => {
      const text = Object.hasOwn(files, path) ? files[path] : undefined;
      if (text === undefined)
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
      return text;
    },
    readDir: async (path) => {
      const fail = (code: string) => Object.assign(new Error(`${code}: cannot read directory '${path}'`), { code });
      if (Object.hasOwn(files, path)) throw fail("ENOTDIR");
      const prefix = path.endsWith("/") ? path : `${path}/`;
      const names = Object.keys(files)
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.slice(prefix.length).split("/")[0]!);
      if (names.length === 0) throw fail("ENOENT");
      return [...new Set(names)];
    },
    readStdin: async () => world.stdin ?? "",
    cwd: world.cwd ?? "/repo",
    env: {},
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

/** Run one command against a fake world and collect its exit code and output. */
export async function runCli(command: Command, args: string[], world: FakeWorld = {}): Promise<CliRun> {
  const f = fakeIo(world);
  const code = await command(args, f.io);
  return { code, stdout: f.stdout(), stderr: f.stderr() };
}
