/**
 * What the reconciler costs on a repository with many open PRs: its first (cold) run, the run
 * after (which sees the lists its own writes changed), and a run when nothing changed — calls
 * that count against the rate limit apart from 304s. Issue #14 asks for ≤ 5 counted calls.
 */
import { openAttestedPull, VALID_ISSUE } from "../src/demo/fixtures.js";
import { startDemoWorld, type DemoWorld } from "../src/demo/story.js";
import type { BenchReport } from "./run.js";

const PULLS = Number(process.env["RECONCILE_PULLS"] ?? 200);

interface Cost {
  counted: number;
  notModified: number;
  writes: number;
  seconds: number;
}

async function run(w: DemoWorld): Promise<Cost> {
  const mark = w.fake.requests.mark();
  const start = Date.now();
  await w.app.reconcileNow();
  const calls = w.fake.requests.since(mark).filter((r) => !r.route.includes("access_tokens"));
  const writes = calls.filter((r) => r.method !== "GET").length;
  const notModified = calls.filter((r) => r.status === 304).length;
  return { counted: calls.length - notModified, notModified, writes, seconds: (Date.now() - start) / 1000 };
}

export async function bench(): Promise<BenchReport> {
  // No start-up run: the PRs are added first, then each run is measured on its own.
  const w = await startDemoWorld({
    env: { RECONCILE_BUDGET: "100000", RECONCILE_INSTALLATION_BUDGET: "100000" },
  });
  try {
    const issue = w.repo.openIssue({ title: "[01] Fused all-gather", body: VALID_ISSUE, user: "ada" }).number;
    for (let i = 0; i < PULLS; i++) openAttestedPull(w.repo, issue, `cost-${i}`);
    const cold = await run(w);
    const after = await run(w);
    const unchanged = await run(w);
    const line = (name: string, c: Cost) =>
      `${name}: ${c.counted} calls counted against the rate limit, ${c.notModified} answered 304, ${c.writes} writes (${c.seconds.toFixed(1)} s, no latency)`;
    return {
      title: `reconciler cost, one repository with ${PULLS} open PRs`,
      lines: [
        line("first run (every PR unjudged)", cold),
        line("next run (lists changed by its own writes)", after),
        line("nothing changed", unchanged),
        `nothing changed: ${unchanged.counted} ≤ 5 counted calls? ${unchanged.counted <= 5 ? "yes" : "NO"} (the two are the config lookups: no .github/merge-captain.yml in the repo or in the owner's .github repo; 404s carry no ETag)`,
      ],
    };
  } finally {
    await w.close();
  }
}
