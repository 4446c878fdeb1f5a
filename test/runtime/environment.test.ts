/** What `npm start` reads before it starts: `.env` (never over the real environment) and the private key's file. */
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "@jest/globals";
import { loadEnvFile, privateKeyProblem } from "../../src/runtime/environment.js";

const dir = mkdtempSync(join(tmpdir(), "mc-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe("loadEnvFile", () => {
  test("sets what the environment lacks and never overrides what it has", () => {
    const path = file(".env", "APP_ID=42\nWEBHOOK_SECRET=from-file\n# a comment\nLOG_LEVEL=debug\nPORT=\n");
    const env: NodeJS.ProcessEnv = { WEBHOOK_SECRET: "from-the-environment" };
    expect(loadEnvFile(path, env)).toEqual(["APP_ID", "LOG_LEVEL"]);
    expect(env).toEqual({ APP_ID: "42", WEBHOOK_SECRET: "from-the-environment", LOG_LEVEL: "debug" });
  });

  test("quoted values and multi-line keys are read as dotenv writes them", () => {
    const path = file(
      "quoted.env",
      'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----"\n',
    );
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(path, env);
    expect(env.PRIVATE_KEY).toBe("-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----");
  });

  test("no .env file is not an error", () => {
    expect(loadEnvFile(join(dir, "absent.env"), {})).toEqual([]);
  });

  test("a .env that cannot be read says which and why", () => {
    mkdirSync(join(dir, "a-directory.env"));
    expect(() => loadEnvFile(join(dir, "a-directory.env"), {})).toThrow(/cannot read .*a-directory\.env: EISDIR/);
  });
});

describe("privateKeyProblem", () => {
  const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  file("app.pem", pem);
  file("not-a-key.pem", "ssh-rsa AAAAB3Nza… me@laptop\n");
  mkdirSync(join(dir, "keys"));

  test.each([
    ["a readable PEM key", { PRIVATE_KEY_PATH: "app.pem" }, /^fine$/],
    ["PRIVATE_KEY set (Probot validates it)", { PRIVATE_KEY: "x", PRIVATE_KEY_PATH: "absent.pem" }, /^fine$/],
    ["neither set (checked elsewhere)", {}, /^fine$/],
    [
      "a path that does not exist",
      { PRIVATE_KEY_PATH: "./absent.pem" },
      /^PRIVATE_KEY_PATH=\.\/absent\.pem \(.*absent\.pem\): no such file/,
    ],
    ["a directory", { PRIVATE_KEY_PATH: "keys" }, /^PRIVATE_KEY_PATH=keys \(.*keys\) is a directory/],
    ["a file that is no PEM private key", { PRIVATE_KEY_PATH: "not-a-key.pem" }, /does not hold a PEM private key/],
  ])("%s", (_name, env, problem) => {
    expect(privateKeyProblem(env, dir) ?? "fine").toMatch(problem);
  });

  // root reads any file, whatever its mode: the case cannot be set up there.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) console.warn("SKIPPED the unreadable-key test: running as root, which can read any file");
  (asRoot ? test.skip : test)("a file the server cannot read", () => {
    const locked = file("locked.pem", pem);
    chmodSync(locked, 0o000);
    expect(privateKeyProblem({ PRIVATE_KEY_PATH: locked }, dir)).toMatch(/permission denied/);
  });
});
