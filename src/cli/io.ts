/** The CLI's window on the world, injected so commands can be tested without a process. */

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
  /** The names in a directory (fails with ENOTDIR for a file, ENOENT when missing); without it, every path is a file. */
  readDir?: (path: string) => Promise<string[]>;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type Command = (args: string[], io: CliIo) => Promise<number>;

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, fail: 1, usage: 2 } as const;
