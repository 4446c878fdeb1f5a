/**
 * What the Tier-B handler tests seed into the demo's fake GitHub: the contract issue #7 (accepted
 * by a maintainer), PR #12, the registry and the Tier-B workflow on `main`, and — for the results
 * and protection suites — a dispatch `/tier-b` already made, with its check run and workflow run.
 */
import { readFileSync } from "node:fs";
import { zipSync, strToU8 } from "fflate";
import { contractOptions } from "../../src/core/config/readers.js";
import { DEFAULT_CONFIG } from "../../src/core/config/defaults.js";
import { readContract } from "../../src/core/contract/read.js";
import type { Dispatch, Ledger } from "../../src/core/ledger/types.js";
import { opensWith } from "../../src/core/markers.js";
import { contractHash } from "../../src/core/trust/acceptance.js";
import { RUN_NAME_TEMPLATE } from "../../src/core/tierb/runs.js";
import { workflowInputs } from "../../src/core/tierb/plan.js";
import type {
  ChangedFileInput,
  CommentState,
  PermissionLevel,
  WorkflowRunState,
} from "../../src/demo/fake-github/index.js";
import * as hooks from "../../src/demo/webhooks.js";
import { aContract, fence, formBody, HEADING, toYaml, type ContractShape } from "../core/contract/builders.js";
import { stickyBody } from "../support/ledger.js";
import { traceLine, type Call, type FakeWorld } from "../support/fake-app.js";
import { HEAD } from "../support/payloads.js";
import { APP_ID } from "../support/probot.js";

export const GATES = readFileSync(new URL("../fixtures/gates/gates.toml", import.meta.url), "utf8");
export const PR = 12;
export const ISSUE = 7;
export const HEAD2 = "8e1b3a0f7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
/** The dispatch `/tier-b` made in the seeded dispatches. */
export const DISPATCH_ID = "d0000000-0000-4000-8000-000000000001";
export const ENVIRONMENT = "b200";
export const WORKFLOW = "tier-b.yml";
/** The file `b200:step_1x10` requires (`requires_files` in the registry fixture). */
export const REQUIRED_FILE = "configs/tiny.toml";

function contractIssueBody(contract: ContractShape): string {
  return formBody([
    ["Summary (what + why)", "Fuse the all-gather into the router step."],
    [HEADING, fence(toYaml(contract))],
    ["Notes (optional)", ""],
  ]);
}

function hashOf(contract: ContractShape): string {
  const report = readContract(contractIssueBody(contract), contractOptions(DEFAULT_CONFIG));
  if (report.status !== "valid") throw new Error("the seeded contract is not valid");
  return contractHash(report.contract);
}

/** A contract issue #7 (`[07]`) requiring one Tier-B gate, scope `nmoe/router/**`, no dependencies or hotspots. */
export function tierBContract(
  gates: Record<string, unknown> = { required: ["cpu:import", "b200:step_1x10"] },
): ContractShape {
  return aContract({
    nmoe: { issue: "07", slug: "fused-allgather", kind: "feature", risk: "warm", complexity: "M" },
    gates,
  });
}

export interface Seed {
  draft?: boolean;
  contract?: ContractShape;
  files?: ChangedFileInput[];
  /** Roles on the repository; default: `maint` write, `reader` read. */
  permissions?: Record<string, PermissionLevel>;
  /** Leave `configs/tiny.toml` out of the repository. */
  withoutRequiredFile?: boolean;
  /** Whether the dispatch endpoint answers with the run (GitHub.com) or a bare 204 (default, as older GitHub Enterprise Server does). */
  returnsRunDetails?: boolean;
  /** The workflow's declared `workflow_dispatch` inputs (undefined: it takes any). */
  workflowInputs?: Record<string, { required?: boolean }>;
}

/**
 * The repository as `/tier-b` finds it: registry, `configs/tiny.toml` and the Tier-B workflow on
 * `main`; issue #7 with the contract, its sticky comment recording that `maint` accepted it; PR
 * #12 (`Fixes #7`, head `HEAD`) changing `nmoe/router/cache.py`.
 */
export function seedTierB(hub: FakeWorld, o: Seed = {}): void {
  const repo = hub.repo;
  const contract = o.contract ?? tierBContract();
  repo.commit("main", {
    "configs/gates/gates.toml": GATES,
    ...(o.withoutRequiredFile ? {} : { [REQUIRED_FILE]: "steps = 10\n" }),
  });
  repo.addWorkflow({
    file: WORKFLOW,
    name: "Tier-B",
    runName: RUN_NAME_TEMPLATE,
    // The run appears when the driver starts it (`startRunForDispatch`), as a real one is queued later.
    createRunOnDispatch: false,
    returnsRunDetails: o.returnsRunDetails ?? false,
    ...(o.workflowInputs ? { inputs: o.workflowInputs } : {}),
  });
  const roles: Record<string, PermissionLevel> = o.permissions ?? { maint: "write", reader: "read" };
  for (const [login, level] of Object.entries(roles)) repo.setPermission(login, level);
  repo.openIssue({ number: ISSUE, title: "[07] Fused all-gather", body: contractIssueBody(contract), user: "alice" });
  const accepted: Ledger = {
    version: 2,
    dispatches: [],
    acceptances: [{ hash: hashOf(contract), by: "maint", at: "2026-11-23T11:00:00Z", via: "command" }],
  };
  repo.addComment(ISSUE, {
    body: stickyBody("issue", ISSUE, "### ✅ merge-captain: contract valid", accepted),
    user: hub.fake.state.bot,
  });
  repo.openPullRequest({
    number: PR,
    title: "Fused all-gather",
    body: `Fixes #${ISSUE}`,
    user: "alice",
    head: { ref: "issue/07-fused-allgather", sha: HEAD },
    files: o.files ?? [{ filename: "nmoe/router/cache.py", status: "modified" }],
    draft: o.draft ?? false,
  });
}

/**
 * PR #12's sticky comment as our app would have written it, holding `ledger` — and, as after any
 * earlier verdict, the contract's acceptance, so issue #7 is not read again.
 */
export function withSticky(
  hub: FakeWorld,
  ledger: Ledger,
  contract: ContractShape = tierBContract(),
  visible = "### merge-captain\n\nearlier verdict",
): CommentState {
  const remembered: Ledger = ledger.contract
    ? ledger
    : { ...ledger, contract: { issue: ISSUE, hash: hashOf(contract), by: "maint", via: "command" } };
  return hub.repo.addComment(PR, { body: stickyBody("pr", PR, visible, remembered), user: hub.fake.state.bot });
}

/** PR #12's dispatch of the smoke bundle by `maint`, requested from comment 1234; `over` sets the rest. */
export function aDispatch(over: Partial<Dispatch> & Pick<Dispatch, "checkRunId">): Dispatch {
  return {
    id: DISPATCH_ID,
    pr: PR,
    sha: HEAD,
    bundle: "smoke",
    requester: "maint",
    requestedAt: "2026-11-23T11:00:00.000Z",
    state: "dispatched",
    commentId: 1234,
    ...over,
  };
}

export interface Dispatched {
  dispatch: Dispatch;
  /** The Tier-B check run the dispatch opened. */
  checkRunId: number;
  /** The workflow run the dispatch started (its inputs carry the dispatch id, its run-name too). */
  run: WorkflowRunState;
}

/**
 * The seeded repository after `/tier-b` dispatched (`over` sets the dispatch's state and the
 * rest): its queued Tier-B check run on the head, the run GitHub queued for it, and the sticky
 * comment whose ledger holds the dispatch. `linked: false` leaves the run's id out of the ledger
 * (a dispatch answered 204, before the run's first event tied them).
 */
export function seedDispatch(
  hub: FakeWorld,
  over: Partial<Dispatch> = {},
  o: Seed & { linked?: boolean } = {},
): Dispatched {
  seedTierB(hub, o);
  const check = hub.repo.addCheckRun({
    name: `Tier-B: ${over.bundle ?? "smoke"}`,
    headSha: over.sha ?? HEAD,
    status: "queued",
    output: { title: "Waiting for maintainer approval", summary: "", text: "" },
  });
  const unlinked = aDispatch({ checkRunId: check.id, ...over });
  const run = hub.repo.addRun({
    workflow: WORKFLOW,
    branch: "main",
    actor: hub.fake.state.bot,
    inputs: workflowInputs(unlinked),
  });
  const dispatch: Dispatch =
    o.linked === false ? unlinked : { ...unlinked, runId: run.id, runUrl: runUrl(hub, run.id), ...over };
  withSticky(hub, { version: 2, dispatches: [dispatch] }, o.contract);
  return { dispatch, checkRunId: check.id, run };
}

export function runUrl(hub: FakeWorld, runId: number): string {
  return `${hub.fake.state.htmlUrl}/${hub.repo.fullName}/actions/runs/${runId}`;
}

/** Push `sha` to PR #12: the same diff (so the same tree) unless `files` says otherwise. */
export function pushHead(hub: FakeWorld, sha: string, files?: ChangedFileInput[]): { before: string; after: string } {
  return hub.repo.pushToPullRequest(PR, { files: files ?? hub.repo.pull(PR).pull.files, sha });
}

/** A push that changes the code, so the new head's tree differs from the old one's. */
export function pushNewCode(hub: FakeWorld, sha: string): { before: string; after: string } {
  return pushHead(hub, sha, [{ filename: "nmoe/router/cache.py", status: "modified", content: "# v2\n" }]);
}

export function sticky(hub: FakeWorld): CommentState | undefined {
  return hub.repo.commentsOn(PR).find((c) => c.user === hub.fake.state.bot && opensWith(c.body, "pr"));
}

/** Our replies on PR #12: our comments other than the sticky one. */
export function replies(hub: FakeWorld): CommentState[] {
  return hub.repo.commentsOn(PR).filter((c) => c.user === hub.fake.state.bot && !opensWith(c.body, "pr"));
}

/** The calls to `method` whose path without its query is `path`, or whose whole path `path` matches. */
export function calls(hub: FakeWorld, method: string, path: RegExp | string): Call[] {
  return hub
    .calls()
    .filter(
      (c) =>
        c.method === method && (typeof path === "string" ? c.path.replace(/\?.*$/, "") === path : path.test(c.path)),
    );
}

/** Every call as `METHOD path` (query stripped), in order. */
export function trace(hub: FakeWorld): string[] {
  return hub.calls().map(traceLine);
}

/** A results artifact holding `tier_b_results.json`. */
export function resultsZip(results: unknown): Uint8Array {
  return zipSync({ "tier_b_results.json": strToU8(JSON.stringify(results)) });
}

export interface CommandOptions {
  login?: string;
  action?: "created" | "edited";
  /** Posted through our App: by its bot, or by a person with a user-to-server token of our App. */
  viaOurApp?: boolean;
}

/**
 * `login` (default `maint`) comments `body` on PR #12 — the comment is in the fake — and the
 * `issue_comment` event GitHub sends for it. Its `author_association` claims OWNER on purpose:
 * the handler must not believe it.
 */
export function command(hub: FakeWorld, body: string, o: CommandOptions = {}) {
  const { fake, repo } = hub;
  const by = fake.state.user(o.login ?? "maint");
  const comment = repo.addComment(PR, { body: o.action === "edited" ? "earlier text" : body, user: by });
  const event =
    o.action === "edited"
      ? hooks.issueCommentEdited(fake.state, repo, comment.id, repo.editComment(comment.id, body).changes)
      : hooks.issueCommentCreated(fake.state, repo, comment.id);
  return {
    ...event,
    comment: {
      ...event.comment,
      author_association: "OWNER" as const,
      ...(o.viaOurApp ? { performed_via_github_app: { id: APP_ID, slug: "merge-captain" } } : {}),
    },
  };
}
