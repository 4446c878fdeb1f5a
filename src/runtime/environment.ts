/**
 * What `npm start` reads before the server starts: a `.env` file (as `probot run` does: it never
 * overrides the real environment), and a check that the App's private key is really there.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

/**
 * Add the settings of the `.env` file at `path` that `env` does not already have. Returns the
 * names it set; no file is not an error (the environment may hold everything).
 */
export function loadEnvFile(path: string, env: NodeJS.ProcessEnv): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? "read error"}`, { cause: err });
  }
  const set: string[] = [];
  for (const [name, value] of Object.entries(parseEnv(text))) {
    // An empty value in the file (`APP_ID=` as in .env.example) sets nothing.
    if (env[name] !== undefined || value === "") continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

const PEM = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+-----END (?:RSA )?PRIVATE KEY-----/;

/**
 * What is wrong with the private key the environment points at, in one sentence naming the
 * setting, the path and the problem; undefined when it looks like a PEM private key (or is not set).
 */
export function privateKeyProblem(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.PRIVATE_KEY) return undefined; // its contents are validated by Probot's own reader
  const path = env.PRIVATE_KEY_PATH;
  if (!path) return undefined;
  const full = resolve(cwd, path);
  const named = `PRIVATE_KEY_PATH=${path}${full === path ? "" : ` (${full})`}`;
  let text: string;
  try {
    if (statSync(full).isDirectory()) return `${named} is a directory, not the App's .pem file`;
    text = readFileSync(full, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return `${named}: no such file (download the key from the App's settings page)`;
    if (code === "EACCES") return `${named}: permission denied (the server's user cannot read it)`;
    return `${named} cannot be read (${code ?? "read error"})`;
  }
  if (!PEM.test(text))
    return `${named} does not hold a PEM private key (a "-----BEGIN RSA PRIVATE KEY-----" … "-----END RSA PRIVATE KEY-----" block)`;
  return undefined;
}
