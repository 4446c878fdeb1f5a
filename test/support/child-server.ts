/** The real server (`npm start`'s entry point, from the sources) as a child process, for tests that kill it. */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ChildServer {
  url: string;
  webhookUrl: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves once the output matches `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "./test/support/ts-register.mjs", "src/server.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const waiters: Array<{ pattern: RegExp; resolve: () => void; reject: (e: Error) => void }> = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const check = (): void => {
    for (const w of [...waiters])
      if (w.pattern.test(output)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    check();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    check();
  });
  void exited.then(() => {
    for (const w of waiters.splice(0))
      w.reject(new Error(`the server exited before printing ${w.pattern}:\n${output}`));
  });
  const waitFor = (pattern: RegExp): Promise<void> =>
    pattern.test(output)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          if (child.exitCode !== null) reject(new Error(`the server has exited:\n${output}`));
          else waiters.push({ pattern, resolve, reject });
        });
  await waitFor(/merge-captain listening on (\S+) \(webhooks at (\S+?)[;)]/);
  const m = /merge-captain listening on (\S+) \(webhooks at (\S+?)[;)]/.exec(output)!;
  return {
    url: m[1]!,
    webhookUrl: m[2]!,
    output: () => output,
    waitFor,
    kill: async (signal) => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    exited,
  };
}
