/**
 * Every stage of a handler at its input caps: each stage's worst input we know of, timed next to
 * an ordinary one. A stage must stay under 100 ms of event-loop time at its worst (issue #11).
 */
import { performance } from "node:perf_hooks";
import { deflateRawSync } from "node:zlib";
import { readAttestation } from "../src/core/attestation/read.js";
import { parseComment } from "../src/core/commands/parse.js";
import { readContract } from "../src/core/contract/read.js";
import { MAX_BODY_CHARS } from "../src/core/contract/extract.js";
import { MAX_REGISTRY_BYTES, parseRegistry, type Registry } from "../src/core/gates/registry.js";
import { readLedger, sealedState } from "../src/core/ledger/codec.js";
import { PR_STICKY, type Marker } from "../src/core/markers.js";
import { parseClosingRefs } from "../src/core/linking/closing-refs.js";
import { ok } from "../src/core/problem.js";
import { checkOutput } from "../src/core/render/verdict.js";
import { sanitize } from "../src/core/sanitize/sanitize.js";
import { checkScope, type ChangedFile } from "../src/core/scope/check.js";
import { compileScope, MAX_PATTERN_LENGTH, MAX_PATTERNS_PER_LIST } from "../src/core/scope/match.js";
import { floorOf, protectedChanges } from "../src/core/trust/floor.js";
import { DEFAULT_CONFIG } from "../src/core/config/defaults.js";
import { emptyLedger } from "../src/core/ledger/types.js";
import { evaluateVerdict } from "../src/core/verdict/evaluate.js";
import type { PullFacts } from "../src/core/verdict/types.js";
import { GATES_TOML, VALID_ISSUE, attestation } from "../src/demo/fixtures.js";
import { readZipFile } from "../src/github/artifact-zip.js";
import { MAX_ARTIFACT_ENTRIES, MAX_RESULTS_BYTES } from "../src/github/actions.js";
import { realisticLog } from "./sanitize.js";
import { bombStream, zipAround } from "./zip-bombs.js";
import type { BenchReport } from "./run.js";

const LIMIT_MS = 100;
const RUNS = 5;
const HEADING = "Agent Contract (YAML, required)";
const CONTRACT_OPTS = { heading: HEADING, headerKey: "nmoe", allIssues: false };
const SHA = "c3".repeat(20);

/** Lines that made the old regexes backtrack, filled to the body cap. */
function hostileBodies(): Record<string, string> {
  const fillTo = (unit: string): string =>
    unit.repeat(Math.ceil(MAX_BODY_CHARS / unit.length)).slice(0, MAX_BODY_CHARS - 200);
  return {
    "64 KiB of spaces then a letter": " ".repeat(MAX_BODY_CHARS - 201) + "x",
    "a fence then letters and a backtick": "```" + "a".repeat(MAX_BODY_CHARS - 205) + "`",
    "a heading of ` #`": "# " + " #".repeat((MAX_BODY_CHARS - 210) / 2) + "x",
    "spaces then U+2028": "/tier-b " + " ".repeat(MAX_BODY_CHARS - 210) + "\u2028",
    "closing keywords": fillTo("Fixes #1 closes acme/x#2 "),
    "the contract block at its cap": `### ${HEADING}\n\n\`\`\`yaml\n` + "k: v\n".repeat(6500) + "```\n",
  };
}

/** Minimum of a few runs: on a shared machine the minimum is the work, the rest is other people's load. */
function time(work: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** For async work: the event loop's busy time while it runs (the inflate itself happens on the thread pool). */
async function loopTime(work: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const before = performance.eventLoopUtilization();
    await work();
    best = Math.min(best, performance.eventLoopUtilization(before).active);
  }
  return best;
}

function worstOf(cases: Record<string, string>, work: (text: string) => unknown): { ms: number; what: string } {
  let worst = { ms: -1, what: "" };
  for (const [what, text] of Object.entries(cases)) {
    const ms = time(() => work(text));
    if (ms > worst.ms) worst = { ms, what };
  }
  return worst;
}

function bigRegistry(): string {
  const gates: string[] = [];
  for (let i = 0; gates.join("").length < MAX_REGISTRY_BYTES - 400; i++)
    gates.push(
      `[gates."b200:g${i}"]\ntier = "b"\ngpus = 8\ntimeout_s = 900\ncmd = "torchrun -m moelab.train configs/t${i}.toml"\n\n`,
    );
  return `[meta]\nversion = "1"\n\n${gates.join("")}`;
}

/** Compile a scope and check files against it, as one evaluation does. */
function judge(scope: { allow: string[]; deny?: string[] }, files: ChangedFile[]): void {
  const m = compileScope(scope);
  if (!m.ok) throw new Error(m.errors[0]?.message);
  checkScope(m.value, files);
}

function renamed(n: number, name: (i: number) => string): ChangedFile[] {
  return Array.from({ length: n }, (_, i) => ({
    path: name(i),
    previous_filename: `old/${name(i)}`,
    status: "renamed",
  }));
}

function factsWith(files: ChangedFile[], registry: Registry): PullFacts {
  return {
    pr: { number: 3, headSha: SHA, draft: false, title: "Fused all-gather" },
    registry: ok(registry),
    registrySource: { kind: "default-branch", path: "configs/gates/gates.toml", branch: "main" },
    link: { ok: true, issue: 1, via: "closing-keyword" },
    contract: readContract(VALID_ISSUE, CONTRACT_OPTS, ok(registry)),
    attestation: readAttestation(attestation("01", SHA, SHA, 1), { heading: "PR Attestation", headerKey: "nmoe_pr" }),
    attestationHeaderKey: "nmoe_pr",
    files: { ok: true, files },
    ledger: emptyLedger(),
    standing: { status: "accepted", by: "mona", via: "author" },
    floor: floorOf(DEFAULT_CONFIG),
    dependencies: [],
    safety: { sources: [] },
    sameHead: [],
    hotspots: [],
  };
}

export async function bench(): Promise<BenchReport> {
  const rows: Array<[string, number, number, string]> = [];
  const registryResult = parseRegistry(GATES_TOML);
  if (!registryResult.ok) throw new Error("the demo registry does not parse");
  const registry = registryResult.value;
  const bodies = hostileBodies();

  {
    const w = worstOf(bodies, (b) => readContract(b, CONTRACT_OPTS, registryResult));
    rows.push([
      "issue body → contract (64 KiB)",
      time(() => readContract(VALID_ISSUE, CONTRACT_OPTS, registryResult)),
      w.ms,
      w.what,
    ]);
  }
  {
    const opts = { heading: "PR Attestation", headerKey: "nmoe_pr" };
    const w = worstOf(bodies, (b) => [readAttestation(b, opts), parseClosingRefs(b, "acme/moe-lab")]);
    const normal = attestation("01", SHA, SHA, 1);
    rows.push([
      "PR body → attestation, links (64 KiB)",
      time(() => [readAttestation(normal, opts), parseClosingRefs(normal, "acme/moe-lab")]),
      w.ms,
      w.what,
    ]);
  }
  {
    const w = worstOf(bodies, (b) => parseComment(b, registry));
    rows.push([
      "comment → command (64 KiB)",
      time(() => parseComment("/tier-b hot_path baseline=origin/main", registry)),
      w.ms,
      w.what,
    ]);
  }
  {
    const big = bigRegistry();
    rows.push([
      "gate registry TOML (256 KiB)",
      time(() => parseRegistry(GATES_TOML)),
      time(() => parseRegistry(big)),
      `${(big.length / 1024).toFixed(0)} KiB of gates`,
    ]);
  }
  {
    const key = new Uint8Array(32).fill(7);
    const place = { repo: "acme/moe-lab", kind: "pr" as const, number: 3 };
    const text = (m: Marker) => `${PR_STICKY}\n${"x".repeat(60_000)}\n${m}\n`;
    const refused = Array.from({ length: 30 }, (_, i) => `user-${i}-${"x".repeat(30)}`);
    const full = text(sealedState({ ...emptyLedger(), refused }, place, key));
    rows.push([
      "sticky comment → sealed ledger (64 KiB)",
      time(() => readLedger(text(sealedState(emptyLedger(), place, key)), place, key)),
      time(() => readLedger(full, place, key)),
      "64 KiB body, a full sealed state",
    ]);
  }
  {
    const allow = Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `pkg${i}/**`);
    const deny = Array.from({ length: MAX_PATTERNS_PER_LIST }, (_, i) => `pkg${i}/secret/**/*.key`);
    const files = renamed(3000, (i) => `pkg${i % 250}/src/module${i}.py`);
    const normal = renamed(20, (i) => `moelab/comm/f${i}.py`);
    const m = () => compileScope({ allow, deny });
    rows.push([
      "scope: 200 + 200 patterns × 3000 renamed files",
      time(() => judge({ allow: ["moelab/comm/**"], deny: ["moelab/csrc/**"] }, normal)),
      time(() => {
        const r = m();
        if (r.ok) checkScope(r.value, files);
      }),
      "every file decided, budget not reached",
    ]);
    const longest = "*a".repeat(MAX_PATTERN_LENGTH / 2 - 1) + "*b";
    const hostile = Array.from({ length: MAX_PATTERNS_PER_LIST }, () => longest);
    const paths = renamed(3000, (i) => "a".repeat(4090) + i);
    rows.push([
      "scope: longest globs × longest paths",
      time(() => judge({ allow: ["*a".repeat(20) + "*b"] }, [{ path: "a".repeat(200), status: "added" }])),
      time(() => judge({ allow: hostile, deny: hostile }, paths)),
      "stops at the work budget: scope not verified",
    ]);
  }
  {
    // Protected paths: the contract's allow patterns are tried only on protected files, so the
    // worst case is every file protected and 200 longest allow globs that reach into `.github/`.
    const floor = floorOf(DEFAULT_CONFIG);
    const hostile = Array.from(
      { length: MAX_PATTERNS_PER_LIST },
      () => ".github/" + "*a".repeat(MAX_PATTERN_LENGTH / 2 - 5) + "*b",
    );
    const paths = renamed(3000, (i) => `.github/${"a".repeat(4080)}${i}`);
    rows.push([
      "protected paths: 200 longest globs × 3000 protected renames",
      time(() => protectedChanges([{ path: ".github/CODEOWNERS", status: "modified" }], floor, { allow: ["src/**"] })),
      time(() => protectedChanges(paths, floor, { allow: hostile })),
      "stops at the work budget: protected paths not verified",
    ]);
  }
  {
    const bomb = zipAround("tier_b_results.json", bombStream(1024), 100);
    const honest = zipAround("tier_b_results.json", deflateRawSync(Buffer.from('{"gates":[]}')), 12);
    const limits = { maxFileBytes: MAX_RESULTS_BYTES, maxEntries: MAX_ARTIFACT_ENTRIES };
    rows.push([
      "artifact unzip (event-loop time)",
      await loopTime(() => readZipFile(honest, "tier_b_results.json", limits)),
      await loopTime(() => readZipFile(bomb, "tier_b_results.json", limits)),
      "claims 100 B, inflates to 1 GiB",
    ]);
  }
  {
    const { text: log } = realisticLog(MAX_BODY_CHARS);
    const sanitizerCases: Record<string, string> = {
      "dense private IPs": "10.0.0.1 ".repeat(MAX_BODY_CHARS / 9),
      "pods and hosts": "trainer-7d9f8b6c5d-x2k4q db.svc ".repeat(MAX_BODY_CHARS / 32),
      "glued tokens": ("xghp_" + "a".repeat(36) + "AIza").repeat(MAX_BODY_CHARS / 45),
      "a long run of one class": "a".repeat(MAX_BODY_CHARS),
      "colons and hex": "fe80:".repeat(MAX_BODY_CHARS / 5),
      "keys and values": "password=x token: y ".repeat(MAX_BODY_CHARS / 20),
      "dots and digits": "1.".repeat(MAX_BODY_CHARS / 2),
      "URL schemes": "a://a:a@".repeat(MAX_BODY_CHARS / 8),
      "internal suffixes back to back": ".svc.".repeat(MAX_BODY_CHARS / 5),
      "pvc/ chains": "pvc/".repeat(MAX_BODY_CHARS / 4),
      "Basic words before undecodable values": "@Basic password=".repeat(MAX_BODY_CHARS / 16),
    };
    const w = worstOf(sanitizerCases, (t) => sanitize(t));
    rows.push(["sanitize (64 KiB)", time(() => sanitize(log)), w.ms, w.what]);
  }
  {
    const violations = renamed(3000, (i) => `elsewhere/f${i}.py`);
    const normal = factsWith(
      renamed(5, (i) => `moelab/comm/f${i}.py`),
      registry,
    );
    const worst = factsWith(violations, registry);
    rows.push([
      "verdict + check-run text, sanitized",
      time(() => sanitize(checkOutput(evaluateVerdict(normal)).text)),
      time(() => sanitize(checkOutput(evaluateVerdict(worst)).text)),
      "3000 out-of-scope renames",
    ]);
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  const over = rows.filter((r) => r[2] >= LIMIT_MS);
  return {
    title: `worst case per stage at the input caps (event-loop ms, best of ${RUNS}; limit ${LIMIT_MS} ms)`,
    lines: [
      `${"stage".padEnd(width)} | normal | worst  | worst input`,
      ...rows.map(
        ([name, normal, worst, what]) =>
          `${name.padEnd(width)} | ${normal.toFixed(1).padStart(6)} | ${worst.toFixed(1).padStart(6)} | ${what}${worst >= LIMIT_MS ? "  ← OVER" : ""}`,
      ),
      over.length === 0
        ? `every stage under ${LIMIT_MS} ms at its worst`
        : `${over.length} stage(s) over ${LIMIT_MS} ms`,
    ],
  };
}
