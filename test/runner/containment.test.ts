// Gates that try to outlive themselves, run as real processes: each escape is found and stopped
// before the runner returns, in the /proc mode always and in the cgroup mode where this host allows it.
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseRegistry, type Registry } from "../../src/core/gates/registry.js";
import { ownCgroupDir } from "../../src/runner/cgroup.js";
import { Containment } from "../../src/runner/containment.js";
import { executeRun } from "../../src/runner/execute.js";
import { isGone, readStat } from "../../src/runner/proc.js";
import { runGates, type RunGatesOptions } from "../../src/runner/run-gates.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const DISPATCH = "dsp-20240101-abcd";
let repo: string;

/** Busy-waits until process `$p` leads its own session, i.e. has called setsid — as an attacker would before exiting. */
const UNTIL_SETSID = 'until [ "$(cut -d" " -f6 /proc/$p/stat 2>/dev/null)" = "$p" ]; do :; done';

const SCRIPTS: Record<string, string> = {
  // The attack, first half: a new session, so a process-group kill misses it.
  "setsid.sh": `setsid sleep 30 &\np=$!\necho $p > "$1"\n${UNTIL_SETSID}\n`,
  // A double fork: the sleeper's parent exits at once and it is re-parented away from the gate.
  "double-fork.sh": 'sh -c \'sleep 30 & echo $! > "$1"\' sh "$1"\n',
  // All three: a new session, a double fork, and an empty environment (no marker variable could survive it).
  "inner.sh": 'sleep 30 &\necho $! > "$1"\n',
  "setsid-clean.sh": 'setsid env -i PATH=/usr/bin:/bin /bin/sh ./inner.sh "$1" &\nwait\n',
  // Lowers the mark further before hiding: the limit can go down, never back up.
  "lowered.sh":
    'setsid sh -c \'ulimit -w 1000 2>/dev/null || ulimit -x 1000; sleep 30 & echo $! > "$1"\' sh "$1" &\nwait\n',
};

const REGISTRY = `
[gates."esc:setsid"]
tier = "b"
cmd = "sh setsid.sh pid-setsid"

[gates."esc:double-fork"]
tier = "b"
cmd = "sh double-fork.sh pid-double-fork"

[gates."esc:setsid-clean"]
tier = "b"
cmd = "sh setsid-clean.sh pid-setsid-clean"

[gates."esc:lowered"]
tier = "b"
cmd = "sh lowered.sh pid-lowered"

[gates."ok"]
tier = "b"
cmd = "echo node_tps: 10"

[gates."env:dump"]
tier = "b"
requires = ["MC_NEEDED"]
cmd = "env > env.txt"

[gates."cg:where"]
tier = "b"
cmd = "cat /proc/self/cgroup > cgroup.txt"

[gates."perf:d"]
tier = "b"
kind = "perf"
compare_gate = "ok"
metric = "node_tps_p50"
`;

function registry(): Registry {
  const r = parseRegistry(REGISTRY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), "mc-contain-"));
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(repo, name), text);
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function options(containment: Containment, extra: Partial<RunGatesOptions> = {}): RunGatesOptions & { logs: string[] } {
  const logs: string[] = [];
  return {
    repoDir: repo,
    env: { PATH: process.env.PATH },
    log: (l) => logs.push(l),
    output: () => undefined,
    graceMs: 200,
    containment,
    logs,
    ...extra,
  };
}

function alive(pidFile: string): boolean {
  const pid = Number(readFileSync(join(repo, pidFile), "utf8").trim());
  expect(pid).toBeGreaterThan(1);
  const s = readStat(pid);
  return s !== undefined && !isGone(s);
}

const probe = Containment.open();
probe.close();
if (probe.kind !== "cgroup") console.warn(`cgroup containment tests skipped: ${probe.note ?? probe.kind}`);
const modes: Array<["proc" | "cgroup", () => Containment]> = [["proc", () => Containment.open({ cgroup: false })]];
if (probe.kind === "cgroup") modes.push(["cgroup", () => Containment.open()]);

describe.each(modes)("containment (%s): an escaping gate is stopped before the runner returns", (mode, open) => {
  let containment: Containment;
  beforeAll(() => {
    containment = open();
    expect(containment.kind).toBe(mode);
  });
  afterAll(() => containment.close());

  test.each([
    ["setsid", "esc:setsid", "pid-setsid", "error"],
    ["setsid + double fork + empty environment", "esc:setsid-clean", "pid-setsid-clean", "error"],
    ["a double fork that stays in the group", "esc:double-fork", "pid-double-fork", "pass"],
  ] as const)("%s", async (_name, id, pidFile, status) => {
    const o = options(containment);
    const run = await runGates(registry(), [registry().gates.get(id)!], o);
    expect(alive(pidFile)).toBe(false);
    expect(run.contained).toBe(true);
    expect(run.results[id]).toMatchObject({ status, rc: 0 });
    // An escape is the gate's error, with the reason; a process left in the group is stopped and logged.
    const seen = {
      reason: run.results[id]!.reason,
      logged: o.logs.includes(`gate ${id}: left 1 process running; stopped`),
    };
    expect(seen).toMatchObject(
      status === "error"
        ? { reason: "escaped: 1 process left the gate's process group and had to be stopped" }
        : { logged: true },
    );
  });

  test("a gate that lowers its mark before hiding is stopped all the same", async () => {
    const o = options(containment);
    const run = await runGates(registry(), [registry().gates.get("esc:lowered")!], o);
    expect(alive("pid-lowered")).toBe(false);
    expect(run.contained).toBe(true);
    // The cgroup still holds it (an escape like any other); without one, only the mark finds it.
    expect(run.results["esc:lowered"]).toMatchObject(mode === "cgroup" ? { status: "error" } : {});
  });
});

describe("the issue's forgery: a gate that escapes and rewrites the results file later", () => {
  const forged = JSON.stringify({
    bundle: "b",
    gate_ids: ["esc:forge"],
    results: { "esc:forge": { status: "pass", rc: 0 } },
    overall: "pass",
    head_sha: SHA,
    dispatch_id: DISPATCH,
  });

  test.each([
    ["exits 1", 1],
    ["exits 0", 0],
  ])("the results stay the runner's, the escape is reported, and the run is not a pass (%s)", async (_n, rc) => {
    const out = join(repo, `out-${rc}/tier_b_results.json`);
    writeFileSync(
      join(repo, `forge-${rc}.sh`),
      `setsid sh -c 'sleep 1; printf "%s" '"'"'${forged}'"'"' > "${out}"' > /dev/null 2>&1 < /dev/null &\np=$!\n${UNTIL_SETSID}\nexit ${rc}\n`,
    );
    const logs: string[] = [];
    writeFileSync(join(repo, `forge-${rc}.toml`), `[gates."esc:forge"]\ntier = "b"\ncmd = "sh forge-${rc}.sh"\n`);
    const done = await executeRun(
      {
        registry: join(repo, `forge-${rc}.toml`),
        select: { gates: ["esc:forge"] },
        out,
        headSha: SHA,
        dispatchId: DISPATCH,
        repoDir: repo,
      },
      {
        readFile: (p) => readFile(p, "utf8"),
        env: { PATH: process.env.PATH, HEAD_SHA: SHA, DISPATCH_ID: DISPATCH },
        log: (l) => logs.push(l),
        output: () => undefined,
        tune: { graceMs: 200 },
      },
    );
    expect(done.kind).toBe("done");
    if (done.kind !== "done") return;
    const written = readFileSync(out, "utf8");
    // Longer than the forger's sleep: had it survived, it would have struck by now.
    await new Promise((r) => setTimeout(r, 1500));
    expect(readFileSync(out, "utf8")).toBe(written);
    expect(JSON.parse(written)).toMatchObject({
      overall: "error",
      results: { "esc:forge": { status: "error", rc } },
    });
    expect(done.results.results["esc:forge"]!.reason).toMatch(/^escaped: [12] process/);
    expect(logs.join("\n")).toMatch(/left its process group \(setsid\) to outlive it; stopped/);
  });
});

describe("a gate sees only its `requires` and the base environment", () => {
  test("no HEAD_SHA, DISPATCH_ID, tokens or runner paths; its required variable and PATH are there", async () => {
    const done = await executeRun(
      {
        registry: join(repo, "env.toml"),
        select: { gates: ["env:dump"] },
        headSha: SHA,
        dispatchId: DISPATCH,
        repoDir: repo,
      },
      {
        readFile: async () => REGISTRY,
        env: {
          PATH: process.env.PATH,
          HOME: "/home/runner",
          HEAD_SHA: SHA,
          DISPATCH_ID: DISPATCH,
          GITHUB_TOKEN: "ghs_notatoken",
          ACTIONS_RUNTIME_TOKEN: "not-a-token",
          GITHUB_OUTPUT: "/tmp/out",
          RUNNER_TEMP: "/tmp/runner",
          "INPUT_DISPATCH-ID": DISPATCH,
          MC_NEEDED: "needed-value",
          MC_UNRELATED: "unrelated-value",
        },
        log: () => undefined,
        output: () => undefined,
      },
    );
    expect(done).toMatchObject({ kind: "done", results: { overall: "pass" } });
    const seen = readFileSync(join(repo, "env.txt"), "utf8");
    const names = seen
      .split("\n")
      .map((l) => l.split("=")[0])
      .filter((n) => n !== "" && n !== "PWD" && n !== "OLDPWD" && n !== "SHLVL" && n !== "_");
    expect(names.sort()).toEqual(["HOME", "MC_NEEDED", "PATH"]);
    expect(seen).not.toContain(SHA);
    expect(seen).not.toContain(DISPATCH);
  });

  test("a gate that requires a reserved name is refused, not run without it", async () => {
    const reg = parseRegistry(
      `[gates."needs:token"]\ntier = "b"\nrequires = ["GITHUB_TOKEN"]\ncmd = "touch ran.txt"\n`,
    );
    if (!reg.ok) throw new Error("registry");
    const containment = Containment.open({ cgroup: false });
    const run = await runGates(reg.value, [reg.value.gates.get("needs:token")!], {
      ...options(containment),
      env: { PATH: process.env.PATH, GITHUB_TOKEN: "ghs_x" },
    });
    expect(run.results["needs:token"]).toEqual({
      status: "error",
      reason: "reserved-env: GITHUB_TOKEN (never passed to a gate)",
    });
    expect(existsSync(join(repo, "ran.txt"))).toBe(false);
  });
});

describe("a gate whose processes cannot be confirmed gone", () => {
  test("is an error, nothing after it runs, and the run is an error overall", async () => {
    const real = Containment.open({ cgroup: false });
    // Stands for a cgroup that will not empty: the runner must not take the gate's word for it.
    const stuck = Object.assign(Object.create(real) as Containment, {
      jail: () => Object.assign(real.jail(), { release: () => false }),
    });
    const logs: string[] = [];
    const done = await executeRun(
      {
        registry: "gates.toml",
        select: { gates: ["ok", "env:dump", "perf:d"] },
        headSha: SHA,
        dispatchId: DISPATCH,
        repoDir: repo,
        baseline: { kind: "value", value: 10 },
        budgetPct: -10,
      },
      {
        readFile: async () => REGISTRY,
        env: { PATH: process.env.PATH, MC_NEEDED: "x" },
        log: (l) => logs.push(l),
        output: () => undefined,
        tune: { containment: stuck },
      },
    );
    expect(done.kind).toBe("done");
    if (done.kind !== "done") return;
    expect(done.results.overall).toBe("error");
    expect(done.results.results).toEqual({
      ok: expect.objectContaining({ status: "error", reason: "not-contained: 1 process could not be stopped" }),
      "env:dump": { status: "skipped", reason: "not-run: an earlier gate's processes could not be stopped" },
      "perf:d": { status: "skipped", reason: "not-run: an earlier gate's processes could not be stopped" },
    });
    expect(logs).toContain("gate ok: its processes could not all be stopped; no further gate runs");
    real.close();
  });
});

(probe.kind === "cgroup" ? describe : describe.skip)("cgroup mode", () => {
  test("each gate runs in its own cgroup under the run's, and both are removed afterwards", async () => {
    const containment = Containment.open();
    const run = await runGates(registry(), [registry().gates.get("cg:where")!], options(containment));
    containment.close();
    expect(run).toMatchObject({ contained: true, containment: "cgroup" });
    expect(readFileSync(join(repo, "cgroup.txt"), "utf8")).toMatch(
      new RegExp(`^0::.*/merge-captain-${process.pid}-[0-9a-f]{8}/gate-1$`, "m"),
    );
    const own = ownCgroupDir()!;
    expect(readdirSync(own).filter((n) => n.startsWith(`merge-captain-${process.pid}-`))).toEqual([]);
  });

  test("a gate that moves itself out of its cgroup is still found (by its mark) and stopped", async () => {
    const own = ownCgroupDir()!;
    writeFileSync(
      join(repo, "leave-cgroup.sh"),
      // Waits until the escapee has left the gate's cgroup before the gate exits.
      `setsid sh -c 'echo 0 > "${join(own, "cgroup.procs")}"; echo $$ > "$1"; exec sleep 30' sh "$1" &\n` +
        `until [ -s "$1" ]; do :; done\n`,
    );
    const reg = parseRegistry(`[gates."esc:cgroup"]\ntier = "b"\ncmd = "sh leave-cgroup.sh pid-cgroup"\n`);
    if (!reg.ok) throw new Error("registry");
    const containment = Containment.open();
    const run = await runGates(reg.value, [reg.value.gates.get("esc:cgroup")!], options(containment));
    containment.close();
    expect(alive("pid-cgroup")).toBe(false);
    expect(run.results["esc:cgroup"]).toMatchObject({ status: "error", reason: expect.stringMatching(/^escaped: 1/) });
  });
});
