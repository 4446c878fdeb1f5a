/** `workflow_run` for a Tier-B dispatch: the results artifact is downloaded, bound, reduced to allow-listed fields, and only all-pass is green. */
import { describe, expect, test } from "@jest/globals";
import { ledgerIn } from "../support/ledger.js";
import type { Dispatch, Ledger } from "../../src/core/ledger/types.js";
import { workflowInputs } from "../../src/core/tierb/plan.js";
import type { RunConclusion } from "../../src/demo/fake-github/index.js";
import * as hooks from "../../src/demo/webhooks.js";
import { HEAD } from "../support/payloads.js";
import { useFakeGitHub } from "../support/fake-app.js";
import {
  calls,
  DISPATCH_ID,
  PR,
  resultsZip,
  runUrl,
  seedDispatch,
  sticky,
  tierBContract,
  trace,
  WORKFLOW,
  type Dispatched,
  type Seed,
} from "./tier-b-fixtures.js";
import { bombStream, zipAround } from "../../bench/zip-bombs.js";

const ID = DISPATCH_ID;
const TOKEN = "ghp_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa";
const LEAKY_REASON = `ssh to 10.12.0.7 (gpu-node-17.corp.internal) failed; auth ${TOKEN}`;

const hub = useFakeGitHub();

/** `/tier-b` dispatched and the run's first events tied it: the ledger knows the run, which is in progress. */
function inFlight(over: Partial<Dispatch> = {}, seed: Seed = {}): Dispatched {
  const d = seedDispatch(hub, { state: "in_progress", ...over }, seed);
  hub.repo.setRunStatus(d.run.id, "in_progress");
  return d;
}

function results(gates: Record<string, Record<string, unknown>>, over: Record<string, unknown> = {}) {
  return {
    bundle: "smoke",
    gate_ids: Object.keys(gates),
    results: gates,
    overall: "pass",
    head_sha: HEAD,
    dispatch_id: ID,
    ...over,
  };
}

/** The run finishes (uploading `artifact` as the results artifact, if any) and GitHub says so. */
function completed(d: Dispatched, conclusion: RunConclusion = "success", artifact?: Uint8Array) {
  hub.repo.completeWorkflowRun(d.run.id, {
    conclusion,
    ...(artifact ? { artifactZip: artifact, artifactName: "tier-b-results" } : {}),
  });
  return hooks.workflowRunCompleted(hub.fake.state, hub.repo, d.run.id);
}

function ledgerOf(): Ledger {
  return ledgerIn(sticky(hub)!.body, "pr", PR);
}

/** The Tier-B check run's last update and the verdict check run's summary. */
function checks(d: Dispatched) {
  const tierB = calls(hub, "PATCH", `/repos/acme/nmoe/check-runs/${d.checkRunId}`).at(-1)?.body;
  const verdict = calls(hub, "POST", "/repos/acme/nmoe/check-runs").find(
    (c) => c.body?.["name"] === "merge-captain",
  )?.body;
  return { tierB, verdictSummary: String((verdict?.["output"] as { summary?: string } | undefined)?.summary ?? "") };
}

function row(summary: string, title: string): string {
  const line = summary.split("\n").find((l) => l.includes(`| ${title} |`));
  if (!line) throw new Error(`no row ${title}`);
  return line;
}

/** Everything the bot wrote: comments, check runs, anything with a body. */
function written(): string {
  return JSON.stringify(
    hub
      .calls()
      .filter((c) => c.method !== "GET")
      .map((c) => c.body),
  );
}

describe("workflow_run completed with a results artifact", () => {
  test("the zip is fetched through the redirect; a reason with a private IP, an internal host and a token is never posted", async () => {
    const d = inFlight();
    const zip = resultsZip(
      results({ "b200:step_1x10": { status: "fail", rc: 1, duration_s: 42, reason: LEAKY_REASON } }),
    );
    await hub.app().receive("workflow_run", completed(d, "failure", zip));
    const artifact = hub.repo.run(d.run.id).artifacts[0]!.id;

    expect(trace(hub)).toEqual([
      "GET /repos/acme/nmoe/contents/.github%2Fmerge-captain.yml",
      "GET /repos/acme/.github/contents/.github%2Fmerge-captain.yml",
      "GET /repos/acme/nmoe/issues/12/comments",
      "GET /repos/acme/nmoe/contents/configs%2Fgates%2Fgates.toml",
      `GET /repos/acme/nmoe/actions/runs/${d.run.id}/artifacts`,
      `GET /repos/acme/nmoe/actions/artifacts/${artifact}/zip`,
      // the redirect's target: blob storage, as GitHub's pre-signed URL
      `GET /_fake/artifact-blobs/${artifact}.zip`,
      // the Tier-B check as it stands: an update that says what it says, or a late event that
      // would move it back, writes nothing
      `GET /repos/acme/nmoe/check-runs/${d.checkRunId}`,
      `PATCH /repos/acme/nmoe/check-runs/${d.checkRunId}`,
      "GET /repos/acme/nmoe/pulls/12",
      "GET /repos/acme/nmoe/pulls/12/files",
      "GET /repos/acme/nmoe/issues",
      "GET /repos/acme/nmoe/pulls",
      `GET /repos/acme/nmoe/commits/${HEAD}/check-runs`,
      "POST /repos/acme/nmoe/check-runs",
      `PATCH /repos/acme/nmoe/issues/comments/${sticky(hub)!.id}`,
    ]);
    const out = written();
    for (const leak of [TOKEN, "ghp_", "10.12.0.7", "gpu-node-17", "corp.internal", "ssh to"])
      expect(out).not.toContain(leak);
    const { tierB } = checks(d);
    expect(tierB).toMatchObject({ status: "completed", conclusion: "failure" });
    const summary = String((tierB?.["output"] as { summary: string }).summary);
    expect(summary).toContain("| `b200:step_1x10` | ❌ fail | 1 | 42 s |  | `ssh` |");
    expect(sticky(hub)!.body).toContain("| `b200:step_1x10` | ❌ fail | 1 | 42 s |  | `ssh` |");
    expect(ledgerOf().dispatches[0]).toMatchObject({
      state: "completed",
      conclusion: "failure",
      runConclusion: "failure",
    });
  });

  test("every requested gate passed: the Tier-B check is green and so is the verdict row on this head", async () => {
    const d = inFlight();
    await hub
      .app()
      .receive(
        "workflow_run",
        completed(d, "success", resultsZip(results({ "b200:step_1x10": { status: "pass", rc: 0, duration_s: 61.5 } }))),
      );
    const { tierB, verdictSummary } = checks(d);
    expect(tierB).toMatchObject({ status: "completed", conclusion: "success", details_url: runUrl(hub, d.run.id) });
    expect(row(verdictSummary, "Tier-B green on this head")).toMatch(
      /^\| ✅ \| Tier-B green on this head \| the required Tier-B gate `b200:step_1x10` passed on this head \|/,
    );
  });

  test.each([
    ["pending", { "b200:step_1x10": { status: "pending" } }, "⏳ pending"],
    ["skipped", { "b200:step_1x10": { status: "skipped", reason: "external: runs elsewhere" } }, "⏭️ skipped"],
    ["missing from the file", { "cpu:import": { status: "pass", rc: 0 } }, "❔ missing"],
  ])("a requested gate %s is not green (check run failure, verdict row ❌)", async (_, gates, shown) => {
    const d = inFlight();
    await hub.app().receive("workflow_run", completed(d, "success", resultsZip(results(gates))));
    const { tierB, verdictSummary } = checks(d);
    expect(tierB).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(String((tierB?.["output"] as { summary: string }).summary)).toContain(`| \`b200:step_1x10\` | ${shown} |`);
    expect(row(verdictSummary, "Tier-B green on this head")).toMatch(/^\| ❌ \|/);
  });

  test("no results artifact: not green, and the comment says the run ended before any gate, with the run's link", async () => {
    const d = inFlight();
    await hub.app().receive("workflow_run", completed(d, "failure"));
    expect(calls(hub, "GET", /\/actions\/artifacts\/\d+\/zip$/)).toEqual([]);
    const { tierB, verdictSummary } = checks(d);
    expect(tierB).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(sticky(hub)!.body).toContain(
      `the run ended before any gate — see the run: [run](${runUrl(hub, d.run.id)}).`,
    );
    expect(row(verdictSummary, "Tier-B green on this head")).toMatch(/^\| ❌ \|/);
  });

  test("a zip whose entry claims 100 bytes and inflates to 1 GiB is refused with its reason, never read", async () => {
    const d = inFlight();
    await hub
      .app()
      .receive("workflow_run", completed(d, "success", zipAround("tier_b_results.json", bombStream(1024), 100)));
    expect(checks(d).tierB).toMatchObject({ status: "completed", conclusion: "failure" });
    expect(sticky(hub)!.body).toContain(
      "The results file was refused (`results.lying-size`: its tier_b_results.json inflates to more than its zip header claims); nothing from it was used.",
    );
    expect(written()).toContain("inflates to more than its zip header claims");
  });

  test("results for another head are refused whole", async () => {
    const d = inFlight();
    await hub
      .app()
      .receive(
        "workflow_run",
        completed(
          d,
          "success",
          resultsZip(results({ "b200:step_1x10": { status: "pass" } }, { head_sha: "0".repeat(40) })),
        ),
      );
    expect(checks(d).tierB).toMatchObject({ conclusion: "failure" });
    expect(sticky(hub)!.body).toContain("The results file was refused (`results.head-mismatch`)");
  });
});

describe("workflow_run requested / in_progress", () => {
  test("a run is tied to its dispatch by the id in its run-name; the check run follows it, and the comment is not edited for it", async () => {
    // Dispatched with a 204: the ledger does not know the run yet.
    const d = seedDispatch(hub, {}, { linked: false });
    const app = hub.app();
    const requested = hooks.workflowRunRequested(hub.fake.state, hub.repo, d.run.id);
    await app.receive("workflow_run", requested);
    const comment = sticky(hub)!.body;
    const writes = () =>
      hub
        .calls()
        .filter((c) => c.method !== "GET")
        .map((c) => `${c.method} ${c.path}`);
    const before = writes().length;
    hub.repo.setRunStatus(d.run.id, "in_progress");
    await app.receive("workflow_run", hooks.workflowRunInProgress(hub.fake.state, hub.repo, d.run.id));
    // One write: the Tier-B check run. The comment says "in flight" either way, so it keeps its text and ledger.
    expect(writes().slice(before)).toEqual([`PATCH /repos/acme/nmoe/check-runs/${d.checkRunId}`]);
    expect(calls(hub, "PATCH", `/repos/acme/nmoe/check-runs/${d.checkRunId}`).at(-1)?.body).toMatchObject({
      status: "in_progress",
      output: { title: "Running" },
      details_url: runUrl(hub, d.run.id),
    });
    expect(sticky(hub)!.body).toBe(comment);
    expect(comment).toContain("⏳ in flight: its `Tier-B: smoke` check follows the run");
    // A late `requested` (the run as it was then, delivered after `in_progress`) does not move the check run back.
    const late = writes().length;
    await app.receive("workflow_run", requested);
    expect(writes().slice(late)).toEqual([]);
  });

  test("a run whose name carries an unknown dispatch id is not trusted: nothing written", async () => {
    const d = seedDispatch(hub, {}, { linked: false });
    const stranger = hub.repo.addRun({
      workflow: WORKFLOW,
      branch: "main",
      actor: hub.fake.state.bot,
      inputs: { ...workflowInputs(d.dispatch), dispatch_id: "ffffffff-0000-4000-8000-000000000000" },
    });
    hub.repo.completeWorkflowRun(stranger.id, { conclusion: "success" });
    await hub.app().receive("workflow_run", hooks.workflowRunCompleted(hub.fake.state, hub.repo, stranger.id));
    expect(hub.calls().filter((c) => c.method !== "GET")).toEqual([]);
  });
});

describe("verdict row: Perf within budget", () => {
  const perf = {
    required: ["cpu:import", "b200:step_1x10"],
    perf: { gate: "perf:delta", compare: "b200:step_8x10", metric: "step_tps_p50", budget_pct: -10 },
  };
  const hotPath = (perfResult: Record<string, unknown>) =>
    results(
      {
        "b200:step_1x10": { status: "pass", rc: 0 },
        "b200:step_8x10": { status: "pass", rc: 0, step_tps_p50: 1000 },
        "perf:delta": { status: "pass", compare_gate: "b200:step_8x10", metric: "step_tps_p50", ...perfResult },
      },
      { bundle: "hot_path" },
    );

  test.each([
    [
      "5 % slower, budget -10 %",
      { baseline: 1000, result: 950, delta_pct: -5, budget_pct: -10 },
      /^\| ✅ \| Perf within budget \| perf within budget: step_tps_p50 -5 % vs budget -10 % \|/,
    ],
    [
      "15 % slower, budget -10 %",
      { baseline: 1000, result: 850, delta_pct: -15, budget_pct: -10 },
      /^\| ❌ \| Perf within budget \| perf over budget: step_tps_p50 -15 % vs budget -10 % \|/,
    ],
    [
      "no numbers at all",
      {},
      /^\| ❌ \| Perf within budget \| the perf gate `perf:delta` reported no step_tps_p50 delta on this head \|/,
    ],
  ])("%s", async (_, perfResult, expected) => {
    const d = inFlight({ bundle: "hot_path" }, { contract: tierBContract(perf) });
    await hub.app().receive("workflow_run", completed(d, "success", resultsZip(hotPath(perfResult))));
    const { verdictSummary } = checks(d);
    expect(row(verdictSummary, "Perf within budget")).toMatch(expected);
    expect(row(verdictSummary, "Tier-B green on this head")).toMatch(/^\| ✅ \|/);
  });
});
