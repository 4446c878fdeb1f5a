import { describe, expect, test } from "@jest/globals";
import { run } from "../../src/cli/commands/sanitize.js";
import { runCli, type CliRun } from "./fake-io.js";

/** Runs the command against in-memory files (named relative to /repo) and stdin. */
async function sanitizeCli(args: string[], files: Record<string, string> = {}, stdin = ""): Promise<CliRun> {
  return runCli(run, args, {
    files: Object.fromEntries(Object.entries(files).map(([name, text]) => [`/repo/${name}`, text])),
    stdin,
  });
}

const LOG = [
  "step 10 | loss 2.31 | node_tps_p50: 123456.0",
  "rank0 on 10.0.0.7:29500",
  "pod trainer-7d9f8b6c5d-x2k4q done",
  "",
].join("\n");

describe("merge-captain sanitize", () => {
  test("writes the sanitized text, line for line", async () => {
    const r = await sanitizeCli(["train.log"], { "train.log": LOG });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "step 10 | loss 2.31 | node_tps_p50: 123456.0",
        "rank0 on [redacted:private-ipv4]:29500",
        "pod [redacted:k8s-pod] done",
        "",
      ].join("\n"),
    );
    expect(r.stdout.split("\n")).toHaveLength(LOG.split("\n").length);
    expect(r.stderr).toContain("2 finding(s)");
  });

  test("reads stdin when given - or nothing", async () => {
    for (const args of [["-"], []]) {
      const r = await sanitizeCli(args, {}, "db at 192.168.0.2\n");
      expect(r).toEqual({
        code: 0,
        stdout: "db at [redacted:private-ipv4]\n",
        stderr: "merge-captain sanitize: 1 finding(s) in stdin\n",
      });
    }
  });

  test("--json prints findings and text as one object", async () => {
    const r = await sanitizeCli(["--json", "train.log"], { "train.log": LOG });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      findings: [
        { rule: "private-ipv4", line: 2, column: 10 },
        { rule: "k8s-pod", line: 3, column: 5 },
      ],
      text: expect.stringContaining("[redacted:k8s-pod]"),
    });
    expect(r.stdout).not.toContain("10.0.0.7");
  });

  test.each([
    ["finds something", "token ghp_" + "x".repeat(36), 1, "stdin:1:7: github-token"],
    ["finds nothing", "gate b200:moonlight_8x20 passed at 1a2b3c4", 0, ""],
  ])("--check exits by whether it %s, and never prints the secret", async (_name, input, code, listing) => {
    const r = await sanitizeCli(["--check"], {}, input);
    expect(r.code).toBe(code);
    expect(r.stdout.startsWith(listing)).toBe(true);
    expect(r.stdout).not.toContain("x".repeat(36));
  });

  test("--check --json exits 1 on findings and still prints the object", async () => {
    const r = await sanitizeCli(["--check", "--json", "-"], {}, "peer fd00::5\n");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      findings: [{ rule: "private-ipv6", line: 1, column: 6 }],
      text: "peer [redacted:private-ipv6]\n",
    });
  });

  test("--internal-domain and --internal-host extend what counts as internal; --allowed-host exempts", async () => {
    const input = "see https://ci.build.acme.io/job/1 on gpu-box-17 via build.corp\n";
    const r = await sanitizeCli(
      ["--internal-domain", "build.acme.io", "--internal-host", "gpu-box-17", "--allowed-host", "build.corp", "-"],
      {},
      input,
    );
    expect(r.stdout).toBe("see [redacted:internal-url] on [redacted:internal-host] via build.corp\n");
  });

  test.each([
    ["an unknown flag", ["--bogus"], /Unknown option '--bogus'/],
    ["two files", ["a", "b"], /one file at a time/],
    ["a flag missing its value", ["--internal-domain"], /argument missing/],
  ])("%s is a usage error", async (_name, args, message) => {
    const r = await sanitizeCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("Usage: merge-captain sanitize");
  });

  test("a missing file is an I/O error, as one JSON object with --json", async () => {
    const plain = await sanitizeCli(["nope.log"]);
    expect(plain).toEqual({
      code: 2,
      stdout: "",
      stderr: "merge-captain sanitize: cannot read nope.log: no such file\n",
    });
    const json = await sanitizeCli(["--json", "nope.log"]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ findings: [], text: null, error: "cannot read nope.log: no such file" });
  });

  test("--help prints the usage", async () => {
    const r = await sanitizeCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--check");
  });
});
