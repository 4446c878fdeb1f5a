/** Times our sanitizer against secretlint's recommended preset on the same ~1 MB of realistic GPU training log. */
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { sanitize, scan } from "../src/core/sanitize/sanitize.js";
import type { BenchReport } from "./run.js";

const TARGET_BYTES = 1_048_576;
const RUNS = 5;
const ROUNDS = 21;

/** mulberry32: a tiny seeded PRNG, so every run benchmarks the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fake secrets are assembled here rather than written out, so this file does not itself look like a leak. */
function plantedSecrets(
  pick: <T>(xs: readonly T[]) => T,
  chars: (alphabet: string, n: number) => string,
): Array<() => string> {
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const b64url = (s: string): string => Buffer.from(s).toString("base64url");
  return [
    () => `export GITHUB_TOKEN=${"ghp_"}${chars(alnum, 36)}`,
    () => `aws configure set aws_access_key_id ${"AKIA"}${chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`,
    () =>
      `curl -H "Authorization: Bearer ${b64url('{"alg":"RS256","typ":"JWT"}')}.${b64url(`{"sub":"${chars(alnum, 12)}"}`)}.${chars(alnum, 43)}"`,
    () =>
      `notify ${"https://hooks.slack.com/services/"}T${chars("0123456789", 8)}/B${chars("0123456789", 8)}/${chars(alnum, 24)}`,
    () => `DATABASE_URL=postgres://trainer:${chars(alnum, 12)}@db.${pick(["prod", "ml"])}.example.com:5432/runs`,
    () =>
      [
        "-----BEGIN RSA PRIVATE KEY-----",
        chars(alnum, 64),
        chars(alnum, 64),
        chars(alnum, 40),
        "-----END RSA PRIVATE KEY-----",
      ].join("\n"),
    () => `  client-key-data: ${Buffer.from(chars(alnum, 60)).toString("base64")}`,
  ];
}

/** A deterministic ~1 MB log: training steps, NCCL chatter, gate results, paths, SHAs, versions; a few secrets and internal hosts. */
export function realisticLog(bytes = TARGET_BYTES, seed = 20250101): { text: string; planted: number } {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const chars = (alphabet: string, n: number): string =>
    Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
  const hex = (n: number): string => chars("0123456789abcdef", n);
  const k8s = (n: number): string => chars("bcdfghjklmnpqrstvwxz2456789", n);
  const secrets = plantedSecrets(pick, chars);
  const paths = [
    "nmoe/attention/flash.py",
    "nmoe/moe/router.py",
    "nmoe/train.py",
    "configs/moonlight.toml",
    "configs/gates/gates.toml",
    "nmoe/kernels/grouped_gemm.cu",
  ];
  const gates = ["b200:moonlight_8x20", "cpu:import", "perf:baseline_delta", "h100:dsv3_ep8", "cpu:unit"];
  const ordinary: Array<(step: number) => string> = [
    (step) =>
      `[rank${Math.floor(random() * 8)}] step ${step} | loss ${(2 + random()).toFixed(4)} | lr ${(random() * 3e-4).toExponential(2)} | grad_norm ${random().toFixed(3)} | node_tps_p50: ${(100000 + random() * 50000).toFixed(1)} | mem ${(60 + random() * 20).toFixed(1)}GB`,
    (step) =>
      `[rank0] ${new Date(1_735_689_600_000 + step * 1500).toISOString()} checkpoint saved to checkpoints/step_${step}.pt in ${(random() * 30).toFixed(1)}s`,
    () =>
      `NCCL INFO Channel ${String(Math.floor(random() * 32)).padStart(2, "0")}/0 : ${Math.floor(random() * 8)}[0] -> ${Math.floor(random() * 8)}[1] via P2P/IPC/read`,
    () =>
      `gate ${pick(gates)} ${pick(["✅ pass", "❌ fail", "⏭️ skipped"])} in ${(random() * 90).toFixed(1)}s at ${hex(40)} (${pick(["-15.0%", "+2.3%", "-0.4%"])} vs origin/master)`,
    () =>
      `  File "${pick(paths)}", line ${Math.floor(random() * 900)}, in ${pick(["forward", "backward", "_dispatch", "main"])}`,
    () => `torch ${pick(["2.5.1+cu124", "2.6.0+cu126"])}, CUDA 12.4, NCCL 2.21.5, runner v2.330.0, commit ${hex(7)}`,
    () => `| ${pick(gates)} | ${pick(["✅", "❌"])} | ${(random() * 60).toFixed(1)}s | ${hex(7)} |`,
  ];
  const infrastructure: Array<() => string> = [
    () =>
      `NCCL INFO NET/Socket : Using [0]eth0:10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}<0>`,
    () => `connecting to redis-master.cache.svc.cluster.local:6379`,
    () => `pod trainer-${k8s(10)}-${k8s(5)} on node gpu-${Math.floor(random() * 64)}.corp`,
    () => `kubectl -n ml-research logs job/train-${k8s(5)}`,
    () => `MASTER_ADDR=192.168.${Math.floor(random() * 256)}.${Math.floor(random() * 256)} MASTER_PORT=29500`,
  ];
  const lines: string[] = [];
  let size = 0;
  let planted = 0;
  for (let step = 0; size < bytes; step++) {
    const roll = random();
    if (roll < 0.002) planted++;
    const line = roll < 0.002 ? pick(secrets)() : roll < 0.012 ? pick(infrastructure)() : pick(ordinary)(step);
    lines.push(line);
    size += line.length + 1;
  }
  return { text: lines.join("\n") + "\n", planted };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const times: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    value = await work();
    times.push(performance.now() - started);
  }
  return { ms: median(times), value: value as T };
}

/**
 * Ours and secretlint's take turns, round after round, so that a burst of load on a shared machine
 * slows both alike; the ratio is the median of the per-round ratios.
 */
async function interleaved(
  ours: () => unknown,
  theirs: () => Promise<unknown>,
): Promise<{ ours: number; theirs: number; ratio: number }> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let started = performance.now();
    ours();
    a.push(performance.now() - started);
    started = performance.now();
    await theirs();
    b.push(performance.now() - started);
  }
  return { ours: median(a), theirs: median(b), ratio: median(a.map((x, i) => x / (b[i] ?? x))) };
}

export async function bench(): Promise<BenchReport> {
  const { text: log, planted } = realisticLog();
  const lint = () =>
    lintSource({
      source: { content: log, filePath: "train.log", contentType: "text" },
      options: {
        config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] },
        maskSecrets: true,
      },
    });
  const ours = await timed(() => sanitize(log));
  const oursScan = await timed(() => scan(log));
  const theirs = await timed(lint);
  const pair = await interleaved(() => sanitize(log), lint);
  const byRule = (rules: readonly string[]): string =>
    [...rules.reduce((m, r) => m.set(r, (m.get(r) ?? 0) + 1), new Map<string, number>())]
      .sort((a, b) => b[1] - a[1])
      .map(([r, n]) => `${r} ${n}`)
      .join(", ");
  const ourRules = ours.value.findings.map((f) => f.rule);
  const theirRules = theirs.value.messages.map((m) => m.ruleId.replace("@secretlint/secretlint-rule-", ""));
  const mb = log.length / 1_048_576;
  const ratio = pair.ratio;
  return {
    title: "sanitize vs secretlint (recommended preset)",
    lines: [
      `input: ${log.split("\n").length - 1} lines, ${mb.toFixed(2)} MB (deterministic), ${planted} planted credentials, median of ${RUNS} runs`,
      `merge-captain sanitize: ${ours.ms.toFixed(1)} ms (${(mb / (ours.ms / 1000)).toFixed(1)} MB/s), ${ourRules.length} findings`,
      `merge-captain scan:     ${oursScan.ms.toFixed(1)} ms, ${oursScan.value.length} findings`,
      `secretlint:             ${theirs.ms.toFixed(1)} ms (${(mb / (theirs.ms / 1000)).toFixed(1)} MB/s), ${theirRules.length} findings`,
      `ratio (ours / secretlint): ${ratio.toFixed(2)}x ${ratio <= 1 ? "(at most secretlint's time)" : "(slower)"} — median of ${ROUNDS} alternating rounds (${pair.ours.toFixed(1)} ms vs ${pair.theirs.toFixed(1)} ms)`,
      `ours by rule:       ${byRule(ourRules)}`,
      `secretlint by rule: ${byRule(theirRules)}`,
      "note: secretlint looks for credentials only; the sanitizer also redacts infrastructure (IPs, hosts, pods, namespaces).",
    ],
  };
}
