import { describe, expect, test } from "@jest/globals";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/commands/scope.js";
import { parseFilesList, parseNameStatusZ, unquote } from "../../src/cli/git-diff.js";
import { runCli } from "./fake-io.js";
import { git, gitRepo, writeIn } from "../support/git-repo.js";
import { narrow } from "../support/narrow.js";

const fixture = (p: string) =>
  readFileSync(fileURLToPath(new URL(`../fixtures/attestation/${p}`, import.meta.url)), "utf8");

const files: Record<string, string> = {
  "/repo/issue.md": fixture("issue-07.md"),
  "/repo/bad-glob.md": fixture("issue-07.md").replace("- docs/", "- '!docs/**'"),
  "/repo/bad-issue.md": fixture("issue-07.md").replace("risk: warm", "risk: tepid"),
  "/repo/plain.md": "no contract here\n",
  "/repo/ok.txt": "nmoe/comm/a.py\nM\tnmoe/model.py\nA\tdocs/guide/new.md\n",
  "/repo/out.txt":
    "R090\tnmoe/csrc/k.cu\tnmoe/comm/k.cu\nREADME.md\nD\tnmoe/csrc/old.cu\nC075\tnmoe/csrc/x.cu\tnmoe/comm/x.cu\n",
  "/repo/bad.txt": "Q\tfoo\nR100\tonly-one\n",
};

async function cli(args: string[], opts: { stdin?: string; cwd?: string } = {}) {
  return runCli(run, args, { files, ...opts });
}

describe("parseFilesList", () => {
  test("bare paths and name-status rows", () => {
    const r = parseFilesList(
      "a.md\nM\tb.md\nA\tc.md\nD\td.md\nR087\told/e.md\tnew/e.md\nC075\tf.md\tg.md\nT\th.sh\n\n./i.md\r\n",
    );
    expect(r).toEqual({
      ok: true,
      warnings: [],
      value: [
        { path: "a.md", status: "modified" },
        { path: "b.md", status: "modified" },
        { path: "c.md", status: "added" },
        { path: "d.md", status: "removed" },
        { path: "new/e.md", status: "renamed", previous_filename: "old/e.md" },
        { path: "g.md", status: "copied", previous_filename: "f.md" },
        { path: "h.sh", status: "changed" },
        { path: "i.md", status: "modified" },
      ],
    });
  });

  test("git's quoted paths are unquoted", () => {
    expect(unquote('"caf\\303\\251 \\"x\\".txt"')).toBe('café "x".txt');
    expect(parseFilesList('M\t"a\\tb.md"')).toMatchObject({ ok: true, value: [{ path: "a\tb.md" }] });
  });

  test.each([
    ["an unknown status letter", "Q\tfoo", /line 1: .*not|unknown status/],
    ["a rename with one path", "R100\tonly-one", /old and the new path/],
    ["an absolute path", "/etc/passwd", /not a repo-relative path/],
    ["a modify row with two paths", "M\ta\tb", /more than one path/],
  ])("%s", (_name, text, message) => {
    expect(narrow(parseFilesList(text), "ok", false).errors[0]!.message).toMatch(message);
  });

  test("parseNameStatusZ reads -z output", () => {
    expect(parseNameStatusZ("M\0a b.md\0R100\0x\0y\0")).toMatchObject({
      ok: true,
      value: [
        { path: "a b.md", status: "modified" },
        { path: "y", status: "renamed", previous_filename: "x" },
      ],
    });
    expect(parseNameStatusZ("R100\0x\0").ok).toBe(false);
  });
});

describe("merge-captain scope --files", () => {
  test.each<[string, string[], number]>([
    ["every file in scope", ["--contract", "issue.md", "--files", "ok.txt"], 0],
    ["files out of scope", ["--contract", "issue.md", "--files", "out.txt"], 1],
    ["an unreadable files list", ["--contract", "issue.md", "--files", "bad.txt"], 1],
    ["a negated scope pattern", ["--contract", "bad-glob.md", "--files", "ok.txt"], 1],
    ["an invalid contract", ["--contract", "bad-issue.md", "--files", "ok.txt"], 1],
    ["no contract in the file", ["--contract", "plain.md", "--files", "ok.txt"], 1],
    ["no --contract", ["--files", "ok.txt"], 2],
    ["neither --files nor --git", ["--contract", "issue.md"], 2],
    ["both --files and --git", ["--contract", "issue.md", "--files", "ok.txt", "--git", "a...b"], 2],
    ["a missing files list", ["--contract", "issue.md", "--files", "nope.txt"], 2],
    ["a stray positional", ["issue.md", "--files", "ok.txt"], 2],
    ["--help", ["--help"], 0],
  ])("%s", async (_name, args, code) => {
    const r = await cli(args);
    expect(r.code).toBe(code);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\(/);
  });

  test("--json lists each violation with its reason and deny pattern, sorted by path", async () => {
    const r = await cli(["--contract", "issue.md", "--files", "out.txt", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      checked: 4,
      violations: [
        { path: "README.md", reason: "not-allowed", status: "modified" },
        { path: "nmoe/csrc/k.cu", reason: "denied", pattern: "nmoe/csrc/**", status: "renamed", side: "old" },
        { path: "nmoe/csrc/old.cu", reason: "denied", pattern: "nmoe/csrc/**", status: "removed" },
      ],
      errors: [],
    });
  });

  test("text names each file, why, and where a rename went", async () => {
    const r = await cli(["--contract", "issue.md", "--files", "out.txt"]);
    expect(r.stdout).toBe(
      [
        "✗ scope: 3 paths out of scope (4 files checked)",
        "  README.md: not allowed (no allow pattern matches)",
        "  nmoe/csrc/k.cu: denied by `nmoe/csrc/**` (renamed to nmoe/comm/k.cu)",
        "  nmoe/csrc/old.cu: denied by `nmoe/csrc/**`",
        "",
      ].join("\n"),
    );
  });

  test("a passing check in text and JSON", async () => {
    expect((await cli(["--contract", "issue.md", "--files", "ok.txt"])).stdout).toBe(
      "✓ scope: 3 files checked, all in scope\n",
    );
    expect(
      JSON.parse(
        (await cli(["--contract", "issue.md", "--files", "-", "--json"], { stdin: "nmoe/model.py\n" })).stdout,
      ),
    ).toEqual({ ok: true, checked: 1, violations: [], errors: [] });
  });

  test("a bad scope pattern is reported with its path in the contract", async () => {
    const r = await cli(["--contract", "bad-glob.md", "--files", "ok.txt", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: false,
      checked: 0,
      errors: [{ code: "scope.negation", path: "/scope/allow/2" }],
    });
  });
});

describe("merge-captain scope --git (a real repository)", () => {
  const repo = (): string =>
    gitRepo(
      "mc-scope-",
      {
        "nmoe/csrc/kernel.cu": "a long enough kernel body\n".repeat(20),
        "nmoe/model.py": "x = 1\n",
        "README.md": "readme\n",
      },
      "issue/07-fused",
    );

  test("an in-scope branch passes; a rename out of a denied folder fails on the old path", async () => {
    const root = repo();
    try {
      writeIn(root, "nmoe/model.py", "x = 2\n");
      writeIn(root, "nmoe/comm/new file.py", "y = 1\n");
      git(root, "add", "-A");
      git(root, "commit", "-q", "-m", "in scope");
      const pass = await cli(["--contract", "/repo/issue.md", "--git", "main...HEAD", "--json"], { cwd: root });
      expect(JSON.parse(pass.stdout)).toEqual({ ok: true, checked: 2, violations: [], errors: [] });
      expect(pass.code).toBe(0);

      git(root, "mv", "nmoe/csrc/kernel.cu", "nmoe/comm/kernel.cu");
      git(root, "commit", "-q", "-m", "move the kernel");
      const moved = await cli(["--contract", "/repo/issue.md", "--git", "main...HEAD", "--json"], { cwd: root });
      expect(moved.code).toBe(1);
      expect(JSON.parse(moved.stdout).violations).toEqual([
        { path: "nmoe/csrc/kernel.cu", reason: "denied", pattern: "nmoe/csrc/**", status: "renamed", side: "old" },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test.each([
    ["a range git does not know", "main...nope"],
    ["a range that looks like an option", "--output=/tmp/x"],
  ])("%s is an I/O error (exit 2), not a verdict", async (_name, range) => {
    const root = repo();
    try {
      const r = await cli(["--contract", "/repo/issue.md", `--git=${range}`, "--json"], { cwd: root });
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, errors: [{ code: "cli.io" }] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
