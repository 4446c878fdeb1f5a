/** `merge-captain check`: the preflight table an agent sees before opening a PR, in text and JSON, from a files list or a real git range. */
import { describe, expect, test } from "@jest/globals";
import { readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { run } from "../../src/cli/commands/check.js";
import { aContract, fence, toYaml, workItem } from "../core/contract/builders.js";
import { runCli, type FakeWorld } from "./fake-io.js";
import { git, gitRepo, writeIn } from "../support/git-repo.js";

const registry = readFileSync(fileURLToPath(new URL("../fixtures/gates/gates.toml", import.meta.url)), "utf8");
const HEAD = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
const BASELINE = "1b2c3d4e5f60718293a4b5c6d7e8f90112233445";

/** A PR body whose attestation claims `cpu:import` (the builder contract's only Tier-A gate) on `prSha`. */
function prBody(prSha: string): string {
  const attestation = {
    nmoe_pr: { issue: "12", baseline_sha: BASELINE, pr_sha: prSha, risk: "warm" },
    gates_passed: { tier_a: ["cpu:import"], tier_b: [] },
  };
  return `## PR Attestation\n\n${fence(toYaml(attestation))}\n\nFixes #12\n`;
}

/** The builder's contract: allow nmoe/router/**, deny nmoe/csrc/**, gates cpu:import (A) and b200:step_1x10 (B), depends on 3. */
const files: Record<string, string> = {
  "/repo/issue.md": workItem(fence(toYaml(aContract()))),
  "/repo/pr.md": prBody(HEAD),
  "/repo/gates.toml": registry,
  "/repo/in-scope.txt": "nmoe/router/cache.py\nA\tnmoe/router/cache_test.py\n",
  "/repo/out-of-scope.txt": "nmoe/router/cache.py\nM\tnmoe/csrc/kernel.cu\n",
};

const BASE_ARGS = ["--issue", "issue.md", "--pr", "pr.md", "--registry", "gates.toml"];

function check(args: string[], world: FakeWorld = {}) {
  return runCli(run, args, { files, ...world });
}

interface CheckJson {
  ok: boolean;
  outcome: string;
  criteria: { id: string; title: string; status: string; summary: string; details: string[]; fix?: string }[];
}

const row = (out: CheckJson, id: string) => out.criteria.find((c) => c.id === id);

describe("merge-captain check: a passing preflight", () => {
  test.each([
    ["the files list on stdin", ["--files", "-"], { stdin: "nmoe/router/cache.py\n" }],
    ["the files list in a file", ["--files", "in-scope.txt"], {}],
  ])("%s: ready to open, Tier-B waits for the bot, exit 0", async (_name, extra, world) => {
    const r = await check([...BASE_ARGS, "--head-sha", HEAD, ...extra], world);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^✅ Ready to open the PR \(the bot checks the rest\)\n\n/);
    // Who wrote or accepted the contract is for the bot to read from GitHub: offline it waits.
    expect(r.stdout).toContain("⏳ Contract found & valid: the --issue file, contract `12`: valid; the bot checks");
    expect(r.stdout).toContain("✅ Attestation about this head: pr_sha matches the head `9f8e7d6c5b4a`");
    expect(r.stdout).toContain("✅ Tier-A attested: `cpu:import`");
    expect(r.stdout).toMatch(/✅ Scope: \d+ changed files? in scope/);
    expect(r.stdout).toContain(
      "⏳ Tier-B green on this head: 1 required Tier-B gate has not passed on this head: `b200:step_1x10`\n    → runs on the PR after a maintainer's `/tier-b`\n",
    );
    expect(r.stdout).not.toContain("❌");
  });

  test("rows only the bot can decide wait instead of passing on empty lists", async () => {
    const r = await check([...BASE_ARGS, "--head-sha", HEAD, "--files", "in-scope.txt", "--json"]);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(row(out, "depends-on")).toMatchObject({
      status: "pending",
      summary: "depends on `3`: the bot checks that it is done",
    });
    expect(row(out, "same-head")?.status).toBe("pending");
    expect(row(out, "hotspots")?.status).toBe("pending");
  });

  test("a contract with a perf budget: the perf row waits for Tier-B too", async () => {
    const perf = { gate: "perf:delta", compare: "b200:step_8x10", metric: "step_tps_p50", budget_pct: -5 };
    const issue = workItem(fence(toYaml(aContract({ gates: { required: ["cpu:import", "b200:step_1x10"], perf } }))));
    const r = await runCli(run, [...BASE_ARGS, "--head-sha", HEAD, "--files", "in-scope.txt", "--json"], {
      files: { ...files, "/repo/issue.md": issue },
    });
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(row(out, "contract")?.status).toBe("pending");
    expect(row(out, "perf")).toMatchObject({ status: "pending", fix: "runs on the PR after a maintainer's `/tier-b`" });
    expect(r.code).toBe(0);
  });
});

describe("merge-captain check: a failing preflight", () => {
  test("an out-of-scope file: exit 1, the scope row names the file and the pattern", async () => {
    const r = await check([...BASE_ARGS, "--head-sha", HEAD, "--files", "out-of-scope.txt"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^❌ Not ready: 1 criterion failed\n/);
    expect(r.stdout).toContain(
      "❌ Scope: 1 of 2 files out of scope\n    - `nmoe/csrc/kernel.cu`: denied by `nmoe/csrc/**`\n    → revert those changes, or ask a maintainer to widen the contract's scope\n",
    );
  });

  test("an attestation about another commit: the head row says which SHA to write", async () => {
    const other = "0123456789abcdef0123456789abcdef01234567";
    const r = await check([...BASE_ARGS, "--head-sha", other, "--files", "in-scope.txt", "--json"]);
    expect(r.code).toBe(1);
    expect(row(JSON.parse(r.stdout) as CheckJson, "head")).toMatchObject({
      status: "fail",
      fix: `update pr_sha to ${other} after your last push`,
    });
  });
});

describe("merge-captain check: what a newcomer runs into", () => {
  test("no configs/gates/gates.toml where it runs: the row names that file, not the default branch", async () => {
    const r = await check(["--issue", "issue.md", "--pr", "pr.md", "--head-sha", HEAD, "--files", "in-scope.txt"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^❔ Not verified: \d criteria could not be checked\n/);
    expect(r.stdout).toContain(
      "❔ Contract found & valid: the gate registry `configs/gates/gates.toml` is missing, so this could not be checked\n" +
        "    - cannot read configs/gates/gates.toml: no such file\n" +
        "    → run in the repository's root, or pass `--registry <gates.toml>`\n",
    );
    expect(r.stdout).not.toContain("default branch");
  });

  test("no head SHA (a files list, outside git): the head row says to pass --head-sha, not an empty SHA", async () => {
    const r = await check([...BASE_ARGS, "--files", "in-scope.txt", "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(row(out, "head")).toEqual({
      id: "head",
      title: "Attestation about this head",
      status: "unverified",
      summary: "`pr_sha` was not compared with the PR head: the head SHA is not known",
      details: [],
      fix: "pass `--head-sha $(git rev-parse HEAD)` to check it",
    });
    expect(r.stdout).not.toContain("update pr_sha to  ");
    expect(out.outcome).toBe("not-verified");
  });

  test("a 7-character --head-sha outside git is compared as a prefix, not as another commit", async () => {
    const r = await check([...BASE_ARGS, "--head-sha", HEAD.slice(0, 7), "--files", "in-scope.txt", "--json"]);
    expect(row(JSON.parse(r.stdout) as CheckJson, "head")).toMatchObject({ status: "pass" });
    expect(r.code).toBe(0);
  });

  test("the terminal shows plain text: no Markdown escapes from the table's cells", async () => {
    // The template's `hot|warm|cold` left in: the problem quotes it, and a Markdown cell would escape the pipes.
    const r = await runCli(run, [...BASE_ARGS, "--head-sha", HEAD, "--files", "in-scope.txt"], {
      files: { ...files, "/repo/pr.md": prBody(HEAD).replace("risk: warm", "risk: hot|warm|cold") },
    });
    expect(r.stdout).toContain('"hot|warm|cold"');
    expect(r.stdout).not.toMatch(/\\[<>|[\]`*_{}\\]/);
  });
});

describe("merge-captain check --json", () => {
  test("one object: ok, outcome and every criterion with id, title, status, summary, details (fix where there is one)", async () => {
    const r = await check([...BASE_ARGS, "--head-sha", HEAD, "--files", "out-of-scope.txt", "--json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(Object.keys(out)).toEqual(["ok", "outcome", "criteria"]);
    expect(out).toMatchObject({ ok: false, outcome: "blocked" });
    expect(out.criteria.map((c) => c.id)).toEqual([
      "contract",
      "attestation",
      "head",
      "tier-a",
      "scope",
      "protected-paths",
      "tier-b",
      "perf",
      "depends-on",
      "public-safety",
      "same-head",
      "hotspots",
    ]);
    for (const c of out.criteria) {
      expect(Object.keys(c).sort()).toEqual(
        ["details", "id", "status", "summary", "title", ...(c.fix === undefined ? [] : ["fix"])].sort(),
      );
    }
    expect(row(out, "scope")).toEqual({
      id: "scope",
      title: "Scope",
      status: "fail",
      summary: "1 of 2 files out of scope",
      details: ["`nmoe/csrc/kernel.cu`: denied by `nmoe/csrc/**`"],
      fix: "revert those changes, or ask a maintainer to widen the contract's scope",
    });
  });

  test("a passing run: ok and ready-to-open", async () => {
    const r = await check([...BASE_ARGS, "--head-sha", HEAD, "--files", "in-scope.txt", "--json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, outcome: "ready-to-open" });
    expect(r.code).toBe(0);
  });
});

describe("merge-captain check: usage and I/O errors (exit 2)", () => {
  test.each([
    ["no --issue", ["--pr", "pr.md", "--files", "in-scope.txt"]],
    ["no --pr", ["--issue", "issue.md", "--files", "in-scope.txt"]],
    ["neither --git nor --files", ["--issue", "issue.md", "--pr", "pr.md"]],
    [
      "both --git and --files",
      ["--issue", "issue.md", "--pr", "pr.md", "--files", "in-scope.txt", "--git", "main...HEAD"],
    ],
    ["an unknown flag", [...BASE_ARGS, "--files", "in-scope.txt", "--bogus"]],
    ["a positional argument", [...BASE_ARGS, "--files", "in-scope.txt", "extra"]],
  ])("%s: the reason and the usage on stderr, nothing on stdout", async (_name, args) => {
    const r = await check(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^merge-captain check: .+\n\nUsage: merge-captain check /);
  });

  test("--help prints the usage on stdout, exit 0", async () => {
    const r = await check(["--help"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^Usage: merge-captain check /);
  });

  test.each([
    ["the issue", ["--issue", "nope.md", "--pr", "pr.md", "--files", "in-scope.txt"], "nope.md"],
    ["the PR body", ["--issue", "issue.md", "--pr", "nope.md", "--files", "in-scope.txt"], "nope.md"],
    ["the files list", ["--issue", "issue.md", "--pr", "pr.md", "--files", "nope.txt"], "nope.txt"],
  ])("%s cannot be read: one line on stderr", async (_name, args, file) => {
    const r = await check(args);
    expect(r).toEqual({ code: 2, stdout: "", stderr: `merge-captain check: cannot read ${file}: no such file\n` });
  });

  test("with --json an unreadable file still gives one JSON object", async () => {
    const r = await check(["--issue", "nope.md", "--pr", "pr.md", "--files", "in-scope.txt", "--json"]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      outcome: "error",
      criteria: [],
      errors: [{ code: "cli.io", path: "", message: "cannot read nope.md: no such file" }],
    });
  });

  test("an unreadable registry is not an I/O error: every row that needs it is not verified", async () => {
    const r = await check([
      "--issue",
      "issue.md",
      "--pr",
      "pr.md",
      "--registry",
      "nope.toml",
      "--head-sha",
      HEAD,
      "--files",
      "in-scope.txt",
      "--json",
    ]);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(r.stderr).toBe("");
    expect(row(out, "scope")?.status).toBe("unverified");
    expect(out).toMatchObject({ ok: false, outcome: "not-verified" });
    expect(r.code).toBe(1);
  });

  test.each([
    ["a short SHA that is not hex", "xyz1234"],
    ["too short to name a commit", "9f8e7d"],
    ["longer than a SHA", HEAD + "0"],
  ])("--head-sha %s: a usage error", async (_name, sha) => {
    const r = await check([...BASE_ARGS, "--head-sha", sha, "--files", "in-scope.txt"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^merge-captain check: --head-sha ".*" is not a commit SHA \(7 to 40 hex characters\)\n/);
  });
});

describe("merge-captain check --git (a real repository)", () => {
  /** main with a router and a kernel; a branch that changes the router and, if asked, the kernel. */
  function repo(touchKernel: boolean): { root: string; head: string } {
    const root = gitRepo(
      "mc-check-",
      { "nmoe/router/cache.py": "cache = {}\n", "nmoe/csrc/kernel.cu": "// kernel\n" },
      "issue/12-router-cache",
    );
    writeIn(root, "nmoe/router/cache.py", "cache = {'hit': 0}\n");
    if (touchKernel) writeIn(root, "nmoe/csrc/kernel.cu", "// faster kernel\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "router cache");
    return { root, head: git(root, "rev-parse", "HEAD") };
  }

  /** The issue, PR body and registry live in the fake file system (absolute paths); git runs in the temporary repository. */
  async function checkIn(root: string, head: string, range = "main...HEAD", extra: string[] = []) {
    const world = { "/in/issue.md": files["/repo/issue.md"]!, "/in/pr.md": prBody(head), "/in/gates.toml": registry };
    return runCli(
      run,
      [
        "--issue",
        "/in/issue.md",
        "--pr",
        "/in/pr.md",
        "--registry",
        "/in/gates.toml",
        "--git",
        range,
        "--json",
        ...extra,
      ],
      { files: world, cwd: root },
    );
  }

  test("an in-scope branch passes, with the head taken from git rev-parse HEAD", async () => {
    const { root, head } = repo(false);
    try {
      const r = await checkIn(root, head);
      const out = JSON.parse(r.stdout) as CheckJson;
      expect(row(out, "head")).toMatchObject({
        status: "pass",
        summary: `pr_sha matches the head \`${head.slice(0, 12)}\``,
      });
      expect(row(out, "scope")).toMatchObject({ status: "pass", summary: "1 changed file in scope" });
      expect(out).toMatchObject({ ok: true, outcome: "ready-to-open" });
      expect(r.code).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a 7-character --head-sha is expanded by git to the commit it names", async () => {
    const { root, head } = repo(false);
    try {
      const r = await checkIn(root, head, "main...HEAD", ["--head-sha", head.slice(0, 7)]);
      expect(row(JSON.parse(r.stdout) as CheckJson, "head")).toMatchObject({
        status: "pass",
        summary: `pr_sha matches the head \`${head.slice(0, 12)}\``,
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a branch that touches a denied file fails on that file", async () => {
    const { root, head } = repo(true);
    try {
      const r = await checkIn(root, head);
      expect(r.code).toBe(1);
      expect(row(JSON.parse(r.stdout) as CheckJson, "scope")).toMatchObject({
        status: "fail",
        details: ["`nmoe/csrc/kernel.cu`: denied by `nmoe/csrc/**`"],
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a range git does not know is an I/O error (exit 2), not a verdict", async () => {
    const { root, head } = repo(false);
    try {
      const r = await checkIn(root, head, "main...nope");
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^merge-captain check: git diff main\.\.\.nope failed: /);
      expect(JSON.parse(r.stdout)).toMatchObject({
        ok: false,
        outcome: "error",
        criteria: [],
        errors: [{ code: "cli.io" }],
      });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
