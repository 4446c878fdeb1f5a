/** The live merge-plan issue, end to end over HTTP: created once and pinned, a burst of events makes one edit, an event that changes nothing makes none. */
import { afterEach, beforeEach, describe, expect, test } from "@jest/globals";
import { startDemoWorld, type DemoWorld } from "../../src/demo/story.js";
import { CACHE, EVICT, openWorkItem, QUEUE_CONFIG } from "../../src/demo/queue-fixtures.js";
import { PLAN_MARKER } from "../../src/core/plan/render.js";
import * as hooks from "../../src/demo/webhooks.js";

let world: DemoWorld;
beforeEach(async () => {
  world = await startDemoWorld();
  world.repo.putFile("main", ".github/merge-captain.yml", QUEUE_CONFIG);
});
afterEach(async () => {
  await world.close();
});

const sha = (c: string) => c.repeat(40).slice(0, 40);

/** The writes the app made while `act` ran. */
async function writesDuring(act: () => Promise<void>): Promise<string[]> {
  const mark = world.fake.requests.mark();
  await act();
  return world.fake.requests
    .since(mark)
    .filter((r) => r.method !== "GET" && !r.route.includes("access_tokens"))
    .map((r) => `${r.method} ${r.route}`);
}

function planIssues() {
  return [...world.repo.issues.values()].filter((i) => !i.pull && (i.body ?? "").startsWith(PLAN_MARKER));
}

async function twoDependentItems() {
  const a = await openWorkItem(world, { ...CACHE, hotspots: ["moelab/model.py"] }, sha("a"));
  const b = await openWorkItem(world, { ...EVICT, dependsOn: ["05"], hotspots: ["moelab/model.py"] }, sha("b"));
  return { a, b };
}

describe("the merge plan issue", () => {
  test("is created once and pinned, with the order, its reasons and the graph", async () => {
    const { a, b } = await twoDependentItems();
    expect(planIssues()).toEqual([]); // nothing is written until the burst is over
    const writes = await writesDuring(() => world.runtime.debounce.flush());
    expect(writes).toEqual(["POST /repos/{owner}/{repo}/issues", "POST /graphql"]);
    const [plan] = planIssues();
    expect(plan).toMatchObject({ title: "merge-captain: merge plan", user: { login: "merge-captain[bot]" } });
    expect(world.repo.pinned).toEqual([plan!.number]);
    const body = plan!.body ?? "";
    expect(body).toContain(`1. #${a.pr} — \`05\` router-cache (#${a.issue}): ready, nothing to wait for`);
    expect(body).toContain(
      `2. #${b.pr} — \`06\` router-evict (#${b.issue}): after #${a.pr}: depends on \`05\`; only once #${a.pr} has merged: both change \`moelab/model.py\`; its check turns green once its dependencies are done`,
    );
    expect(body).toContain("```mermaid\nflowchart LR\n");
    expect(body).toContain("  c0 --> c1");
    expect(body).toMatch(/c0\[".*"\]:::ready/);
    expect(body).toMatch(/c1\[".*"\]:::afterDeps/);
    expect(body).toContain(`| #${b.issue} | \`06\` router-evict | #${b.pr} | ⏳ after its dependencies`);

    // Found again by marker and App id: the next refresh edits it, never opens a second one.
    await world.send("issues", hooks.issuesOpened(world.fake.state, world.repo, a.issue));
    await world.runtime.debounce.flush();
    expect(planIssues()).toHaveLength(1);
  });

  test("a burst of 10 events makes one PATCH; an event that changes nothing makes none", async () => {
    const { b } = await twoDependentItems();
    await world.runtime.debounce.flush();
    const [plan] = planIssues();

    const burst = await writesDuring(async () => {
      for (let i = 1; i <= 10; i++) {
        const { changes } = world.repo.editIssue(b.issue, { title: `[06] router-evict, take ${i}` });
        await world.send("issues", hooks.issuesEdited(world.fake.state, world.repo, b.issue, changes, "ada"));
      }
      await world.runtime.debounce.flush();
    });
    expect(burst).toEqual(["PATCH /repos/{owner}/{repo}/issues/{issue_number}"]);
    expect(world.repo.issue(plan!.number).body).toContain("router-evict, take 10");

    await world.send("issues", hooks.issuesOpened(world.fake.state, world.repo, b.issue));
    const mark = world.fake.requests.mark();
    await world.runtime.debounce.flush();
    const refresh = world.fake.requests.since(mark).filter((r) => !r.route.includes("access_tokens"));
    // The refresh reads the registry, the open issues and PRs, and each linked PR's check; it writes nothing.
    expect(refresh.map((r) => `${r.method} ${r.route}`)).toEqual([
      "GET /repos/{owner}/{repo}/contents/{path}",
      "GET /repos/{owner}/{repo}/issues",
      "GET /repos/{owner}/{repo}/pulls",
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
      "GET /repos/{owner}/{repo}/commits/{ref}/check-runs",
    ]);
  });

  test("a look-alike issue someone else opened is not the plan; a repo with 3 pinned issues gets an unpinned plan", async () => {
    const fake = world.repo.openIssue({
      title: "merge-captain: merge plan",
      body: `${PLAN_MARKER}\nforged`,
      user: "rex",
    });
    for (const n of [1, 2, 3]) world.repo.pinned.push(100 + n);
    await twoDependentItems();
    await world.runtime.debounce.flush();
    const plans = planIssues();
    expect(plans.map((p) => p.number)).toEqual([fake.number, plans[1]!.number]);
    expect(world.repo.issue(fake.number).body).toBe(`${PLAN_MARKER}\nforged`);
    expect(world.repo.pinned).toEqual([101, 102, 103]);
  });

  test("closed by someone while merge_plan is on, the plan issue is reopened rather than opened again", async () => {
    await twoDependentItems();
    await world.runtime.debounce.flush();
    const [plan] = planIssues();
    world.repo.setIssueState(plan!.number, "closed");
    const writes = await writesDuring(() =>
      world.send("issues", hooks.issuesClosed(world.fake.state, world.repo, plan!.number, "mona")),
    );
    expect(writes).toEqual(["PATCH /repos/{owner}/{repo}/issues/{issue_number}"]);
    expect(world.repo.issue(plan!.number).state).toBe("open");
    await world.runtime.debounce.flush();
    expect(planIssues().map((p) => p.number)).toEqual([plan!.number]);
  });

  test("without merge_plan in the config, events schedule nothing", async () => {
    world.repo.putFile("main", ".github/merge-captain.yml", "merge_plan: false\n");
    await twoDependentItems();
    expect(world.runtime.debounce.waiting).toEqual([]);
  });
});
