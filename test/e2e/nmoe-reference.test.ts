// The whole app, over HTTP, on nmoe's own files unchanged: its gate registry on the default branch,
// an issue rendered from its issue form, a PR body written from its PR template. Skipped where
// the workspace's shared/reference/nmoe/ is not found (test/support/requirements.ts says so).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { parse as parseYamlLoose } from "yaml";
import type { StartedServer } from "../../src/server.js";
import { startFakeGitHub, type FakeGitHub, type FakeRepo } from "../../src/demo/fake-github/index.js";
import * as hooks from "../../src/demo/webhooks.js";
import { startAppAgainst } from "../support/app-server.js";
import { needsNmoeReference } from "../support/requirements.js";

const reference = needsNmoeReference(
  ["work_item.yml", "gates.toml", "pull_request_template.md"],
  "the end-to-end test on nmoe's own files",
);
const present = reference.available;

interface FormField {
  type: string;
  id?: string;
  attributes?: { label?: string; value?: string };
}

/** The issue body GitHub renders from the form when the author keeps the contract's default value. */
function renderForm(): string {
  const form = parseYamlLoose(readFileSync(reference.path("work_item.yml"), "utf8")) as { body: FormField[] };
  return form.body
    .filter((f) => f.type !== "markdown")
    .map((f) => {
      const label = f.attributes?.label ?? "";
      if (f.type === "checkboxes")
        return `### ${label}\n\n- [X] I confirm this issue contains no internal hostnames, cluster identifiers, private URLs, credentials, or runbooks.`;
      const value =
        f.id === "summary" ? "Sliding-window attention for the local layers." : (f.attributes?.value ?? "").trim();
      return `### ${label}\n\n${value === "" ? "_No response_" : value}`;
    })
    .join("\n\n");
}

/** The PR template as an author fills it: SHAs and numbers in, placeholders out, the issue linked. */
function fillTemplate(head: string, base: string, issue: number): string {
  return readFileSync(reference.path("pull_request_template.md"), "utf8")
    .replace("baseline_sha: <sha>", `baseline_sha: ${base}`)
    .replace("pr_sha: <sha>", `pr_sha: ${head}`)
    .replace("baseline: <number>", "baseline: 100000")
    .replace("result: <number>", "result: 97000")
    .replace("delta_pct: <number>", "delta_pct: -3")
    .replace("status: pass|fail", "status: pass")
    .replace("- Fixes: #", `- Fixes: #${issue}`);
}

let fake: FakeGitHub;
let app: StartedServer;
let repo: FakeRepo;
const secret = "nmoe-e2e";

beforeAll(async () => {
  if (!present) return;
  fake = await startFakeGitHub({ log: () => {} });
  repo = fake.state.addRepo({
    owner: "Noumena-Network",
    name: "nmoe",
    defaultBranch: "master",
    files: {
      "configs/gates/gates.toml": readFileSync(reference.path("gates.toml"), "utf8"),
      "configs/moonlight.toml": "steps = 20\n",
      "nmoe/attention/local.py": "x = 1\n",
      "nmoe/csrc/kernel.cu": "// k\n",
    },
  });
  app = await startAppAgainst(fake, secret);
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

async function send<E extends Parameters<typeof hooks.sendWebhook>[2]>(
  event: E,
  payload: Parameters<typeof hooks.sendWebhook<E>>[3],
): Promise<void> {
  const res = await hooks.sendWebhook(app.webhookUrl, secret, event, payload);
  expect({ status: res.status, body: res.status === 200 ? "" : res.body }).toEqual({ status: 200, body: "" });
}

function row(summary: string, title: string): string {
  return summary.split("\n").find((l) => l.includes(`| ${title} |`)) ?? "";
}

reference.describe("nmoe's own files, end to end", () => {
  test("the rendered work item is a valid contract, and the filled PR template passes every check the author controls", async () => {
    const dependency = repo.openIssue({ title: "[01] Baseline", body: "Done first." });
    repo.setIssueState(dependency.number, "closed");
    const issue = repo.openIssue({ title: "[03a] Attention", body: renderForm(), user: "agent-7" });
    await send("issues", hooks.issuesOpened(fake.state, repo, issue.number));
    const sticky = () => repo.commentsOn(issue.number).find((c) => c.user.login === "merge-captain[bot]")!;
    // An agent without write access wrote it: valid, and waiting for a maintainer.
    expect(sticky().body).toContain("⏳ merge-captain: contract valid, awaiting acceptance");
    expect(repo.issue(issue.number).labels).toEqual(["contract: needs acceptance"]);
    repo.setPermission("maintainer", "maintain");
    const accept = repo.addComment(issue.number, { body: "/accept", user: "maintainer" });
    await send("issue_comment", hooks.issueCommentCreated(fake.state, repo, accept.id));
    expect(sticky().body).toContain("✅ merge-captain: contract valid");
    expect(sticky().body).toContain("accepted by `maintainer` with `/accept`");
    expect(repo.issue(issue.number).labels).toEqual(["contract: valid"]);

    const head = "d4".repeat(20);
    const pr = repo.openPullRequest({
      title: "Local attention",
      user: "agent-7",
      head: { ref: "issue/03a-attention", sha: head },
      files: [{ filename: "nmoe/attention/local.py", content: "x = 2\n" }],
      body: fillTemplate(head, repo.resolveRef("master")!.sha, issue.number),
    });
    await send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    const check = repo.checkRunsFor(head).find((c) => c.name === "merge-captain")!;
    const summary = check.output.summary ?? "";
    for (const title of [
      "Contract found & valid",
      "Attestation about this head",
      "Tier-A attested",
      "Scope",
      "Dependencies done",
      "Public safety",
    ]) {
      expect(row(summary, title)).toMatch(/^\| ✅ \|/);
    }
    // The template's perf block is the author's claim; Tier-B and perf come only from a Tier-B run.
    expect(row(summary, "Tier-B green on this head")).toContain("`b200:moonlight_8x20`");
    expect(check.conclusion).toBe("failure");
  });

  test("the unedited PR template is refused with the placeholders named", async () => {
    const issue = [...repo.issues.values()].find((i) => i.title.startsWith("[03a]"))!;
    const head = "e5".repeat(20);
    const pr = repo.openPullRequest({
      title: "WIP",
      user: "agent-8",
      head: { ref: "issue/03a-wip", sha: head },
      files: [{ filename: "nmoe/attention/local.py", content: "x = 3\n" }],
      body: readFileSync(reference.path("pull_request_template.md"), "utf8").replace(
        "- Fixes: #",
        `- Fixes: #${issue.number}`,
      ),
    });
    await send("pull_request", hooks.pullRequestOpened(fake.state, repo, pr.number));
    const check = repo.checkRunsFor(head).find((c) => c.name === "merge-captain")!;
    expect(row(check.output.summary ?? "", "Attestation valid")).toMatch(/^\| ❌ \|/);
    expect(check.output.text ?? "").toMatch(/template/i);
  });
});
