import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { createHash } from "node:crypto";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeResults } from "../../src/runner/execute.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mc-write-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const results = { bundle: "b", gate_ids: ["a"], results: { a: { status: "pass" as const } }, overall: "pass" as const };

describe("writeResults", () => {
  test("returns the SHA-256 of exactly the bytes on disk, and leaves no temporary file", () => {
    const path = join(dir, "sub/tier_b_results.json");
    const w = writeResults(path, results);
    const bytes = readFileSync(path);
    expect(w).toEqual({ path, sha256: createHash("sha256").update(bytes).digest("hex") });
    expect(JSON.parse(bytes.toString("utf8"))).toEqual(results);
    expect(readdirSync(join(dir, "sub"))).toEqual(["tier_b_results.json"]);
  });

  test("a symlink planted at the results path is replaced, never written through", () => {
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "untouched\n");
    const path = join(dir, "planted.json");
    symlinkSync(victim, path);
    writeResults(path, results);
    expect(readFileSync(victim, "utf8")).toBe("untouched\n");
    expect(lstatSync(path).isSymbolicLink()).toBe(false);
  });
});
