/** The fake GitHub's in-memory world (repos, commits, issues, PRs, checks, Actions) and the driver methods that change it. */
import { createHash } from "node:crypto";
import { strToU8, zipSync } from "fflate";

export type UserType = "User" | "Bot" | "Organization";
export type PermissionLevel = "admin" | "maintain" | "write" | "triage" | "read" | "none";
export type AuthorAssociation =
  "OWNER" | "MEMBER" | "COLLABORATOR" | "CONTRIBUTOR" | "FIRST_TIMER" | "FIRST_TIME_CONTRIBUTOR" | "MANNEQUIN" | "NONE";
export type FileStatus = "added" | "modified" | "removed" | "renamed" | "copied" | "changed" | "unchanged";
export type CheckStatus = "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
export type RunStatus = "requested" | "queued" | "in_progress" | "waiting" | "completed";
export type RunConclusion =
  "success" | "failure" | "neutral" | "cancelled" | "timed_out" | "action_required" | "stale" | "skipped";

export interface FakeUser {
  login: string;
  id: number;
  type: UserType;
}

export interface CommitState {
  sha: string;
  treeSha: string;
  parents: string[];
  message: string;
  date: string;
  /** The whole tree at this commit: path → bytes. */
  files: ReadonlyMap<string, Uint8Array>;
}

export interface ChangedFileState {
  filename: string;
  status: FileStatus;
  previous_filename?: string;
  additions: number;
  deletions: number;
  /** Blob SHA of the file at head (of the old file for `removed`). */
  sha: string;
  patch?: string;
}

/** What a driver says about a changed file; content defaults to a placeholder line. */
export interface ChangedFileInput {
  filename: string;
  status?: FileStatus;
  previous_filename?: string;
  content?: string;
  additions?: number;
  deletions?: number;
}

export interface IssueState {
  id: number;
  nodeId: string;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  labels: string[];
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** Set when this issue number is a pull request (GitHub lists PRs among issues). */
  pull?: PullState;
}

export interface PullState {
  id: number;
  nodeId: string;
  number: number;
  draft: boolean;
  merged: boolean;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
  /** Commits on the PR branch, oldest first. */
  commitShas: string[];
  files: ChangedFileState[];
  /** Set when the merge queue merged it. */
  mergedAt?: string;
  mergeCommitSha?: string;
}

/** One entry of a branch's merge queue: the merge group GitHub built for a PR (base + the PRs ahead + this one). */
export interface MergeGroupState {
  pr: number;
  /** The group's commit: what required checks run on. */
  headSha: string;
  /** `refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>`. */
  headRef: string;
  /** The commit the group was built on: the entry ahead's group, or the base branch. */
  baseSha: string;
  /** `refs/heads/<base>`. */
  baseRef: string;
}

/** What happened when the queue moved on (the webhooks a driver sends follow from these). */
export type MergeQueueChange =
  | { kind: "merged"; group: MergeGroupState; closedIssues: number[] }
  | { kind: "dequeued"; group: MergeGroupState }
  | { kind: "invalidated"; group: MergeGroupState }
  | { kind: "created"; group: MergeGroupState };

export interface ReactionState {
  id: number;
  content: string;
  user: FakeUser;
  createdAt: string;
}

export interface CommentState {
  id: number;
  nodeId: string;
  issueNumber: number;
  body: string;
  user: FakeUser;
  createdAt: string;
  updatedAt: string;
  reactions: ReactionState[];
  /** Set by GraphQL `minimizeComment`. */
  minimizedAs?: string;
}

export interface LabelState {
  id: number;
  nodeId: string;
  name: string;
  color: string;
  description: string | null;
}

export interface AnnotationState {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
}

export interface CheckRunState {
  id: number;
  nodeId: string;
  name: string;
  headSha: string;
  status: CheckStatus;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: AnnotationState[] };
  /** The App that created it, when not ours (another App may use the same check name). */
  app?: AppInfo;
}

export interface WorkflowState {
  id: number;
  nodeId: string;
  /** e.g. `.github/workflows/tier-b.yml`; dispatch accepts the file name or the id. */
  path: string;
  name: string;
  /** The workflow's `run-name`, e.g. `Tier-B ${{ inputs.dispatch_id }}`. */
  runName?: string;
  /** Declared `workflow_dispatch` inputs; undefined accepts any string inputs. */
  inputs?: Record<string, { required?: boolean }>;
  /** Create a queued run for every dispatch (otherwise the driver calls `startRunForDispatch`). */
  createRunOnDispatch: boolean;
  /**
   * Whether the dispatch endpoint honours `return_run_details` (GitHub.com does; older GitHub
   * Enterprise Server answers 204 without the run, which is then tied by its name alone).
   */
  returnsRunDetails: boolean;
}

export interface DispatchRecord {
  id: number;
  workflowId: number;
  ref: string;
  inputs: Record<string, string>;
  at: string;
  actor: FakeUser;
  runId?: number;
}

export interface ArtifactState {
  id: number;
  nodeId: string;
  name: string;
  runId: number;
  zip: Uint8Array;
  createdAt: string;
  expired: boolean;
}

export interface WorkflowRunState {
  id: number;
  nodeId: string;
  workflowId: number;
  runNumber: number;
  name: string;
  displayTitle: string;
  headBranch: string;
  headSha: string;
  event: string;
  status: RunStatus;
  conclusion: RunConclusion | null;
  createdAt: string;
  updatedAt: string;
  actor: FakeUser;
  inputs: Record<string, string>;
  artifacts: ArtifactState[];
  /** Environments waiting for this app's deployment protection rule. */
  pendingProtection: Set<string>;
}

export interface ProtectionReviewRecord {
  runId: number;
  environment: string;
  state: "approved" | "rejected";
  comment: string | undefined;
  at: string;
  by: FakeUser;
}

export interface AppInfo {
  id: number;
  slug: string;
  name: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function sha1(text: string | Uint8Array): string {
  return createHash("sha1").update(text).digest("hex");
}

/** Git's blob id, so identical content has identical SHAs as on GitHub. */
export function blobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function treeShaOf(files: ReadonlyMap<string, Uint8Array>): string {
  const lines = [...files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([p, b]) => `${p}\0${blobSha(b)}`);
  return sha1(`tree\n${lines.join("\n")}`);
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? enc.encode(content) : content;
}

function lineCount(bytes: Uint8Array | undefined): number {
  if (!bytes || bytes.length === 0) return 0;
  return dec
    .decode(bytes)
    .split("\n")
    .filter((l, i, all) => l !== "" || i < all.length - 1).length;
}

/** A base64 GraphQL-style node id; opaque to clients, stable for tests. */
function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(`fake:${prefix}:${id}`).toString("base64url")}`;
}

/** Render a workflow `run-name` template the way Actions does for the expressions we support. */
export function renderRunName(template: string, inputs: Record<string, string>): string {
  return template.replace(
    /\$\{\{\s*(?:github\.event\.)?inputs\.([\w-]+)\s*\}\}/g,
    (_, name: string) => inputs[name] ?? "",
  );
}

export class FakeRepo {
  readonly id: number;
  readonly nodeId: string;
  readonly owner: FakeUser;
  readonly name: string;
  defaultBranch: string;
  isPrivate: boolean;
  readonly createdAt: string;
  readonly commits = new Map<string, CommitState>();
  readonly branches = new Map<string, string>();
  readonly tags = new Map<string, string>();
  readonly issues = new Map<number, IssueState>();
  readonly comments = new Map<number, CommentState>();
  /** Keyed by lower-cased name: GitHub label names are case-insensitive. */
  readonly labels = new Map<string, LabelState>();
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly permissions = new Map<string, PermissionLevel>();
  readonly associations = new Map<string, AuthorAssociation>();
  readonly workflows = new Map<number, WorkflowState>();
  readonly dispatches: DispatchRecord[] = [];
  readonly runs = new Map<number, WorkflowRunState>();
  readonly protectionReviews: ProtectionReviewRecord[] = [];
  /** The merge queue per base branch, first entry first. */
  readonly mergeQueues = new Map<string, MergeGroupState[]>();
  /** Issue numbers pinned with GraphQL `pinIssue` (GitHub allows 3). */
  readonly pinned: number[] = [];
  private nextNumber = 1;

  constructor(
    private readonly world: FakeGitHubState,
    init: {
      owner: FakeUser;
      name: string;
      defaultBranch: string;
      private: boolean;
      files: Record<string, string | Uint8Array>;
    },
  ) {
    this.id = world.nextId("repo");
    this.nodeId = nodeId("R", this.id);
    this.owner = init.owner;
    this.name = init.name;
    this.defaultBranch = init.defaultBranch;
    this.isPrivate = init.private;
    this.createdAt = world.now();
    const root = this.makeCommit(
      [],
      new Map(Object.entries(init.files).map(([p, c]) => [p, bytesOf(c)])),
      "Initial commit",
    );
    this.branches.set(init.defaultBranch, root.sha);
  }

  get fullName(): string {
    return `${this.owner.login}/${this.name}`;
  }

  // ---- git ---------------------------------------------------------------

  private makeCommit(parents: string[], files: Map<string, Uint8Array>, message: string, sha?: string): CommitState {
    const treeSha = treeShaOf(files);
    const commitSha = sha ?? sha1(`commit ${treeSha} ${parents.join(" ")} ${message} ${this.world.nextId("commit")}`);
    const commit: CommitState = { sha: commitSha, treeSha, parents, message, date: this.world.now(), files };
    this.commits.set(commitSha, commit);
    return commit;
  }

  /** Resolve a branch, tag, `refs/...` name, `refs/pull/N/head`, or (short) SHA to a commit. */
  resolveRef(ref: string): CommitState | undefined {
    const pullHead = /^(?:refs\/)?pull\/(\d+)\/head$/.exec(ref);
    if (pullHead) {
      const pull = this.issues.get(Number(pullHead[1]))?.pull;
      return pull ? this.commits.get(pull.head.sha) : undefined;
    }
    const name = ref.replace(/^refs\/(heads|tags)\//, "");
    const sha = this.branches.get(name) ?? this.tags.get(name);
    if (sha !== undefined) return this.commits.get(sha);
    if (/^[0-9a-f]{40}$/i.test(ref)) return this.commits.get(ref.toLowerCase());
    if (/^[0-9a-f]{7,39}$/i.test(ref)) {
      const found = [...this.commits.values()].filter((c) => c.sha.startsWith(ref.toLowerCase()));
      return found.length === 1 ? found[0] : undefined;
    }
    return undefined;
  }

  /** True when `ref` names a branch or tag (what `workflow_dispatch` accepts). */
  isBranchOrTag(ref: string): boolean {
    const name = ref.replace(/^refs\/(heads|tags)\//, "");
    return this.branches.has(name) || this.tags.has(name);
  }

  /** Commit `changes` (path → content, `null` deletes) on top of `branch`, creating the branch from the default one if new. */
  commit(
    branch: string,
    changes: Record<string, string | Uint8Array | null>,
    opts: { message?: string; sha?: string } = {},
  ): CommitState {
    const parentSha = this.branches.get(branch) ?? this.branches.get(this.defaultBranch);
    const parent = parentSha === undefined ? undefined : this.commits.get(parentSha);
    const files = new Map(parent?.files ?? []);
    for (const [path, content] of Object.entries(changes)) {
      if (content === null) files.delete(path);
      else files.set(path, bytesOf(content));
    }
    const made = this.makeCommit(
      parent ? [parent.sha] : [],
      files,
      opts.message ?? `Update ${Object.keys(changes).join(", ")}`,
      opts.sha,
    );
    this.branches.set(branch, made.sha);
    return made;
  }

  /** Put one file on a branch (a new commit), e.g. the gate registry on the default branch. */
  putFile(ref: string, path: string, content: string | Uint8Array): CommitState {
    return this.commit(ref, { [path]: content }, { message: `Add ${path}` });
  }

  readFile(ref: string, path: string): Uint8Array | undefined {
    return this.resolveRef(ref)?.files.get(path);
  }

  // ---- people -------------------------------------------------------------

  setPermission(login: string, level: PermissionLevel): FakeUser {
    const user = this.world.user(login);
    this.permissions.set(login.toLowerCase(), level);
    return user;
  }

  /** GitHub's answer for a user with no explicit role: anyone can read a public repo. */
  permissionOf(login: string): PermissionLevel {
    return this.permissions.get(login.toLowerCase()) ?? (this.isPrivate ? "none" : "read");
  }

  /** `author_association` as GitHub derives it (override with `setAssociation` to model members and contributors). */
  associationOf(user: FakeUser): AuthorAssociation {
    const explicit = this.associations.get(user.login.toLowerCase());
    if (explicit) return explicit;
    if (user.login.toLowerCase() === this.owner.login.toLowerCase()) return "OWNER";
    const level = this.permissions.get(user.login.toLowerCase());
    return level !== undefined && level !== "none" && level !== "read" ? "COLLABORATOR" : "NONE";
  }

  setAssociation(login: string, association: AuthorAssociation): void {
    this.associations.set(login.toLowerCase(), association);
  }

  // ---- issues, comments, labels -------------------------------------------

  ensureLabel(name: string, color = "ededed", description: string | null = null): LabelState {
    const existing = this.labels.get(name.toLowerCase());
    if (existing) return existing;
    const id = this.world.nextId("label");
    const label: LabelState = { id, nodeId: nodeId("LA", id), name, color, description };
    this.labels.set(name.toLowerCase(), label);
    return label;
  }

  /**
   * `number` seeds a repository with a history the world does not model (issue #7 in a repo whose
   * #1–#6 are gone): it must be free, and later issues number on from the highest one, as GitHub's do.
   */
  openIssue(init: {
    title: string;
    body?: string | null;
    user?: string;
    labels?: string[];
    number?: number;
  }): IssueState {
    const number = init.number ?? this.nextNumber;
    if (this.issues.has(number)) throw new Error(`fake GitHub: ${this.fullName} already has #${number}`);
    this.nextNumber = Math.max(this.nextNumber, number + 1);
    const id = this.world.nextId("issue");
    const at = this.world.now();
    const issue: IssueState = {
      id,
      nodeId: nodeId("I", id),
      number,
      title: init.title,
      body: init.body ?? null,
      state: "open",
      labels: (init.labels ?? []).map((l) => this.ensureLabel(l).name),
      user: this.world.user(init.user ?? "octocat"),
      createdAt: at,
      updatedAt: at,
      closedAt: null,
    };
    this.issues.set(issue.number, issue);
    return issue;
  }

  issue(number: number): IssueState {
    const issue = this.issues.get(number);
    if (!issue) throw new Error(`fake GitHub: ${this.fullName} has no issue #${number}`);
    return issue;
  }

  /** Edit title/body; returns the `changes` object GitHub puts in the `edited` webhook. */
  editIssue(
    number: number,
    edit: { title?: string; body?: string | null },
  ): { issue: IssueState; changes: { title?: { from: string }; body?: { from: string } } } {
    const issue = this.issue(number);
    const changes: { title?: { from: string }; body?: { from: string } } = {};
    if (edit.title !== undefined && edit.title !== issue.title) {
      changes.title = { from: issue.title };
      issue.title = edit.title;
    }
    if (edit.body !== undefined && edit.body !== issue.body) {
      changes.body = { from: issue.body ?? "" };
      issue.body = edit.body;
    }
    issue.updatedAt = this.world.now();
    return { issue, changes };
  }

  setIssueState(number: number, state: "open" | "closed"): IssueState {
    const issue = this.issue(number);
    issue.state = state;
    issue.closedAt = state === "closed" ? this.world.now() : null;
    issue.updatedAt = this.world.now();
    return issue;
  }

  addComment(number: number, init: { body: string; user?: string | FakeUser }): CommentState {
    this.issue(number);
    const id = this.world.nextId("comment");
    const at = this.world.now();
    const user = typeof init.user === "object" ? init.user : this.world.user(init.user ?? "octocat");
    const comment: CommentState = {
      id,
      nodeId: nodeId("IC", id),
      issueNumber: number,
      body: init.body,
      user,
      createdAt: at,
      updatedAt: at,
      reactions: [],
    };
    this.comments.set(id, comment);
    this.issue(number).updatedAt = at;
    return comment;
  }

  editComment(id: number, body: string): { comment: CommentState; changes: { body: { from: string } } } {
    const comment = this.comments.get(id);
    if (!comment) throw new Error(`fake GitHub: ${this.fullName} has no comment ${id}`);
    const changes = { body: { from: comment.body } };
    comment.body = body;
    comment.updatedAt = this.world.now();
    return { comment, changes };
  }

  commentsOn(number: number): CommentState[] {
    return [...this.comments.values()].filter((c) => c.issueNumber === number).sort((a, b) => a.id - b.id);
  }

  // ---- pull requests --------------------------------------------------------

  private applyChangedFiles(
    branch: string,
    files: ChangedFileInput[],
    sha: string | undefined,
    message: string,
  ): { commit: CommitState; changed: ChangedFileState[] } {
    const base = this.resolveRef(branch) ?? this.resolveRef(this.defaultBranch);
    const changes: Record<string, string | Uint8Array | null> = {};
    const changed: ChangedFileState[] = [];
    for (const f of files) {
      const status = f.status ?? (base?.files.has(f.filename) ? "modified" : "added");
      const old = base?.files.get(f.previous_filename ?? f.filename);
      const content =
        f.content !== undefined
          ? enc.encode(f.content)
          : status === "renamed" && old
            ? old
            : enc.encode(`// ${f.filename}\n`);
      if (status === "removed") changes[f.filename] = null;
      else changes[f.filename] = content;
      if (status === "renamed" && f.previous_filename !== undefined) changes[f.previous_filename] = null;
      const entry: ChangedFileState = {
        filename: f.filename,
        status,
        additions:
          f.additions ??
          (status === "removed" ? 0 : status === "renamed" && f.content === undefined ? 0 : lineCount(content)),
        deletions: f.deletions ?? (status === "added" ? 0 : lineCount(old)),
        sha: blobSha(status === "removed" && old ? old : content),
      };
      if (f.previous_filename !== undefined) entry.previous_filename = f.previous_filename;
      changed.push(entry);
    }
    return { commit: this.commit(branch, changes, sha === undefined ? { message } : { message, sha }), changed };
  }

  /**
   * Open a PR from `head.ref` (a new branch cut from `base`) whose diff is `files`.
   * Returns the PR's issue record; `issue.pull` holds head/base SHAs and the changed files.
   */
  openPullRequest(init: {
    title: string;
    body?: string | null;
    user?: string;
    head: { ref: string; sha?: string };
    base?: string;
    files: ChangedFileInput[];
    draft?: boolean;
    labels?: string[];
    /** As for `openIssue`. */
    number?: number;
  }): IssueState {
    const baseRef = init.base ?? this.defaultBranch;
    const baseSha = this.branches.get(baseRef);
    if (baseSha === undefined) throw new Error(`fake GitHub: ${this.fullName} has no branch ${baseRef}`);
    this.branches.set(init.head.ref, baseSha);
    const { commit, changed } = this.applyChangedFiles(init.head.ref, init.files, init.head.sha, init.title);
    const issue = this.openIssue({
      title: init.title,
      body: init.body ?? null,
      ...(init.user === undefined ? {} : { user: init.user }),
      ...(init.labels ? { labels: init.labels } : {}),
      ...(init.number === undefined ? {} : { number: init.number }),
    });
    const id = this.world.nextId("pull");
    issue.pull = {
      id,
      nodeId: nodeId("PR", id),
      number: issue.number,
      draft: init.draft ?? false,
      merged: false,
      head: { ref: init.head.ref, sha: commit.sha },
      base: { ref: baseRef, sha: baseSha },
      commitShas: [commit.sha],
      files: changed,
    };
    return issue;
  }

  pull(number: number): { issue: IssueState; pull: PullState } {
    const issue = this.issue(number);
    if (!issue.pull) throw new Error(`fake GitHub: ${this.fullName}#${number} is not a pull request`);
    return { issue, pull: issue.pull };
  }

  /**
   * Push a commit to the PR branch. `files` is the PR's whole diff against its base afterwards
   * (what `GET .../pulls/{n}/files` lists), as on GitHub. Returns `before`/`after` for the synchronize webhook.
   */
  pushToPullRequest(
    number: number,
    push: { files: ChangedFileInput[]; sha?: string },
  ): { before: string; after: string; issue: IssueState } {
    const { issue, pull } = this.pull(number);
    const before = pull.head.sha;
    const base = this.resolveRef(pull.base.sha);
    // Rebuild the head tree from the base plus the full diff, parented on the old head.
    const previousHead = this.branches.get(pull.head.ref);
    if (base) this.branches.set(pull.head.ref, base.sha);
    const { commit, changed } = this.applyChangedFiles(pull.head.ref, push.files, push.sha, `Update ${issue.title}`);
    if (previousHead !== undefined) commit.parents.splice(0, commit.parents.length, previousHead);
    pull.head.sha = commit.sha;
    pull.commitShas.push(commit.sha);
    pull.files = changed;
    issue.updatedAt = this.world.now();
    return { before, after: commit.sha, issue };
  }

  editPullRequest(
    number: number,
    edit: { title?: string; body?: string | null; draft?: boolean },
  ): ReturnType<FakeRepo["editIssue"]> {
    const result = this.editIssue(number, edit);
    if (edit.draft !== undefined) this.pull(number).pull.draft = edit.draft;
    return result;
  }

  /** Open PRs whose head is `sha` — a check run belongs to a commit, not a PR. */
  pullsWithHead(sha: string): IssueState[] {
    return [...this.issues.values()].filter((i) => i.pull?.head.sha === sha && i.state === "open");
  }

  // ---- merge queue ------------------------------------------------------------

  mergeQueue(base = this.defaultBranch): MergeGroupState[] {
    return this.mergeQueues.get(base) ?? [];
  }

  /**
   * Build the merge group for `pr` on top of the entry ahead (or the base branch): one commit with
   * the PR's changes, as the merge queue writes it — `merge` (a merge commit whose second parent is
   * the PR head) or `squash` (one commit titled `Title (#N)`).
   */
  private buildGroup(pr: number, on: string, baseRef: string, method: "merge" | "squash"): MergeGroupState {
    const { issue, pull } = this.pull(pr);
    const parent = this.commits.get(on);
    const head = this.commits.get(pull.head.sha);
    if (!parent || !head) throw new Error(`fake GitHub: cannot build a merge group for #${pr}`);
    const files = new Map(parent.files);
    for (const f of pull.files) {
      if (f.previous_filename !== undefined && f.status === "renamed") files.delete(f.previous_filename);
      const bytes = head.files.get(f.filename);
      if (f.status === "removed" || bytes === undefined) files.delete(f.filename);
      else files.set(f.filename, bytes);
    }
    const message =
      method === "merge"
        ? `Merge pull request #${pr} from ${this.owner.login}/${pull.head.ref}\n\n${issue.title}`
        : `${issue.title} (#${pr})`;
    const commit = this.makeCommit(method === "merge" ? [on, pull.head.sha] : [on], files, message);
    const branch = `gh-readonly-queue/${baseRef}/pr-${pr}-${pull.head.sha}`;
    this.branches.set(branch, commit.sha);
    return { pr, headSha: commit.sha, headRef: `refs/heads/${branch}`, baseSha: on, baseRef: `refs/heads/${baseRef}` };
  }

  /** Add an open PR to its base branch's queue; GitHub then asks for checks on the returned group (`merge_group.checks_requested`). */
  enqueue(number: number, opts: { method?: "merge" | "squash" } = {}): MergeGroupState {
    const { issue, pull } = this.pull(number);
    if (issue.state !== "open" || pull.draft) throw new Error(`fake GitHub: #${number} cannot be queued`);
    const queue = this.mergeQueue(pull.base.ref);
    if (queue.some((g) => g.pr === number)) throw new Error(`fake GitHub: #${number} is already queued`);
    const on = queue.at(-1)?.headSha ?? this.branches.get(pull.base.ref)!;
    const group = this.buildGroup(number, on, pull.base.ref, opts.method ?? "merge");
    this.mergeQueues.set(pull.base.ref, [...queue, group]);
    return group;
  }

  /** The latest check runs named `names` on `sha`: all completed with success? (`undefined`: some still missing or running.) */
  private checksPassed(sha: string, names: readonly string[]): boolean | undefined {
    let pending = false;
    for (const name of names) {
      const run = this.checkRunsFor(sha)
        .filter((c) => c.name === name)
        .sort((a, b) => b.id - a.id)[0];
      if (!run || run.status !== "completed") pending = true;
      else if (run.conclusion !== "success") return false;
    }
    return pending ? undefined : true;
  }

  /**
   * Let the queue act on its required checks, as GitHub does: the first group merges once they
   * pass (the base branch fast-forwards to its commit, the PR is merged and the issues its body
   * closes are closed); a group whose checks failed leaves the queue, and every group behind it is
   * rebuilt without it. Stops at the first group still waiting.
   */
  settleMergeQueue(base = this.defaultBranch, required: readonly string[] = ["merge-captain"]): MergeQueueChange[] {
    const changes: MergeQueueChange[] = [];
    for (;;) {
      const queue = this.mergeQueue(base);
      const first = queue[0];
      if (!first) return changes;
      const passed = this.checksPassed(first.headSha, required);
      if (passed === undefined) return changes;
      this.branches.delete(first.headRef.replace(/^refs\/heads\//, ""));
      if (passed) {
        this.branches.set(base, first.headSha);
        changes.push({ kind: "merged", group: first, closedIssues: this.markMerged(first) });
        this.mergeQueues.set(base, queue.slice(1));
        continue;
      }
      changes.push({ kind: "dequeued", group: first });
      let on = this.branches.get(base)!;
      const rebuilt: MergeGroupState[] = [];
      for (const behind of queue.slice(1)) {
        this.branches.delete(behind.headRef.replace(/^refs\/heads\//, ""));
        changes.push({ kind: "invalidated", group: behind });
        const method = this.commits.get(behind.headSha)!.parents.length > 1 ? "merge" : "squash";
        const group = this.buildGroup(behind.pr, on, base, method);
        rebuilt.push(group);
        changes.push({ kind: "created", group });
        on = group.headSha;
      }
      this.mergeQueues.set(base, rebuilt);
    }
  }

  /** The PR is merged and closed; the issues its body closes (`Fixes #N`) close. Returns those issue numbers. */
  private markMerged(group: MergeGroupState): number[] {
    const { issue, pull } = this.pull(group.pr);
    const at = this.world.now();
    pull.merged = true;
    pull.mergedAt = at;
    pull.mergeCommitSha = group.headSha;
    issue.state = "closed";
    issue.closedAt = at;
    issue.updatedAt = at;
    const closed: number[] = [];
    for (const m of (issue.body ?? "").matchAll(/\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\b:?[ \t]*#(\d+)/gi)) {
      const target = this.issues.get(Number(m[1]));
      if (!target || target.pull || target.state === "closed") continue;
      this.setIssueState(target.number, "closed");
      closed.push(target.number);
    }
    return closed;
  }

  // ---- checks -----------------------------------------------------------------

  checkRunsFor(sha: string): CheckRunState[] {
    return [...this.checkRuns.values()].filter((c) => c.headSha === sha);
  }

  /**
   * A check run that exists before the story starts: one our App wrote earlier (a Tier-B check a
   * dispatch opened), or another App's (`app`), which may carry the same name as ours.
   */
  addCheckRun(init: {
    name: string;
    headSha: string;
    status?: CheckStatus;
    conclusion?: string | null;
    output?: { title?: string; summary?: string; text?: string };
    externalId?: string;
    app?: AppInfo;
  }): CheckRunState {
    if (!this.commits.has(init.headSha)) throw new Error(`fake GitHub: ${this.fullName} has no commit ${init.headSha}`);
    const id = this.world.nextId("check");
    const at = this.world.now();
    const conclusion = init.conclusion ?? null;
    const run: CheckRunState = {
      id,
      nodeId: nodeId("CR", id),
      name: init.name,
      headSha: init.headSha,
      status: conclusion === null ? (init.status ?? "queued") : "completed",
      conclusion,
      startedAt: at,
      completedAt: conclusion === null ? null : at,
      detailsUrl: null,
      externalId: init.externalId ?? null,
      output: {
        title: init.output?.title ?? null,
        summary: init.output?.summary ?? null,
        text: init.output?.text ?? null,
        annotations: [],
      },
    };
    if (init.app !== undefined) run.app = init.app;
    this.checkRuns.set(id, run);
    return run;
  }

  // ---- actions -------------------------------------------------------------------

  addWorkflow(init: {
    file: string;
    name: string;
    runName?: string;
    inputs?: Record<string, { required?: boolean }>;
    createRunOnDispatch?: boolean;
    returnsRunDetails?: boolean;
  }): WorkflowState {
    const id = this.world.nextId("workflow");
    const path = init.file.includes("/") ? init.file : `.github/workflows/${init.file}`;
    const workflow: WorkflowState = {
      id,
      nodeId: nodeId("W", id),
      path,
      name: init.name,
      createRunOnDispatch: init.createRunOnDispatch ?? true,
      returnsRunDetails: init.returnsRunDetails ?? true,
    };
    if (init.runName !== undefined) workflow.runName = init.runName;
    if (init.inputs !== undefined) workflow.inputs = init.inputs;
    this.workflows.set(id, workflow);
    return workflow;
  }

  /** By numeric id or by file name (`tier-b.yml`), as the dispatch endpoint accepts. */
  findWorkflow(idOrFile: string): WorkflowState | undefined {
    return [...this.workflows.values()].find(
      (w) => String(w.id) === idOrFile || w.path.split("/").pop() === idOrFile || w.path === idOrFile,
    );
  }

  recordDispatch(
    workflow: WorkflowState,
    ref: string,
    inputs: Record<string, string>,
    actor: FakeUser,
  ): DispatchRecord {
    const record: DispatchRecord = {
      id: this.dispatches.length + 1,
      workflowId: workflow.id,
      ref,
      inputs,
      at: this.world.now(),
      actor,
    };
    this.dispatches.push(record);
    if (workflow.createRunOnDispatch) this.startRunForDispatch(record.id);
    return record;
  }

  /** Create the workflow run a dispatch produces (named from the workflow's `run-name`). Defaults to the latest dispatch. */
  startRunForDispatch(dispatchId?: number): WorkflowRunState {
    const dispatch =
      dispatchId === undefined ? this.dispatches.at(-1) : this.dispatches.find((d) => d.id === dispatchId);
    if (!dispatch) throw new Error(`fake GitHub: ${this.fullName} has no dispatch ${dispatchId ?? "(latest)"}`);
    const workflow = this.workflows.get(dispatch.workflowId);
    if (!workflow) throw new Error(`fake GitHub: workflow ${dispatch.workflowId} vanished`);
    const branch = dispatch.ref.replace(/^refs\/(heads|tags)\//, "");
    const run = this.queueRun(workflow, {
      displayTitle: workflow.runName === undefined ? workflow.name : renderRunName(workflow.runName, dispatch.inputs),
      headBranch: branch,
      headSha: this.resolveRef(dispatch.ref)?.sha ?? "",
      event: "workflow_dispatch",
      actor: dispatch.actor,
      inputs: dispatch.inputs,
    });
    dispatch.runId = run.id;
    return run;
  }

  /**
   * A run nobody dispatched through the API: someone with write access ran a workflow by hand
   * (`workflow_dispatch` from the Actions tab), or a push or PR event triggered one, on any
   * branch. `displayTitle` defaults to the workflow's run-name rendered from `inputs`.
   */
  addRun(init: {
    workflow: string;
    branch: string;
    actor: string | FakeUser;
    event?: string;
    inputs?: Record<string, string>;
    displayTitle?: string;
  }): WorkflowRunState {
    const workflow = this.findWorkflow(init.workflow);
    if (!workflow) throw new Error(`fake GitHub: ${this.fullName} has no workflow ${init.workflow}`);
    const inputs = init.inputs ?? {};
    return this.queueRun(workflow, {
      displayTitle:
        init.displayTitle ?? (workflow.runName === undefined ? workflow.name : renderRunName(workflow.runName, inputs)),
      headBranch: init.branch,
      headSha: this.resolveRef(init.branch)?.sha ?? "",
      event: init.event ?? "workflow_dispatch",
      actor: typeof init.actor === "string" ? this.world.user(init.actor) : init.actor,
      inputs,
    });
  }

  /** A new queued run of `workflow`, numbered after the workflow's earlier runs. */
  private queueRun(
    workflow: { id: number; name: string },
    fields: Pick<WorkflowRunState, "displayTitle" | "headBranch" | "headSha" | "event" | "actor" | "inputs">,
  ): WorkflowRunState {
    const id = this.world.nextId("run");
    const at = this.world.now();
    const run: WorkflowRunState = {
      id,
      nodeId: nodeId("WFR", id),
      workflowId: workflow.id,
      runNumber: [...this.runs.values()].filter((r) => r.workflowId === workflow.id).length + 1,
      name: workflow.name,
      ...fields,
      status: "queued",
      conclusion: null,
      createdAt: at,
      updatedAt: at,
      artifacts: [],
      pendingProtection: new Set(),
    };
    this.runs.set(id, run);
    return run;
  }

  run(runId: number): WorkflowRunState {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`fake GitHub: ${this.fullName} has no workflow run ${runId}`);
    return run;
  }

  setRunStatus(runId: number, status: Exclude<RunStatus, "completed">): WorkflowRunState {
    const run = this.run(runId);
    run.status = status;
    run.updatedAt = this.world.now();
    return run;
  }

  /** A GitHub Environment with this app as custom protection rule now waits on the run. */
  requestDeploymentReview(runId: number, environment: string): WorkflowRunState {
    const run = this.run(runId);
    run.status = "waiting";
    run.pendingProtection.add(environment);
    return run;
  }

  /**
   * Finish a run; `artifactFiles` become one zipped artifact (`artifactName`, default
   * `tier_b_results`), or `artifactZip` is uploaded as it is (a zip the workflow built: a hostile one).
   */
  completeWorkflowRun(
    runId: number,
    done: {
      conclusion: RunConclusion;
      artifactFiles?: Record<string, string | Uint8Array>;
      artifactZip?: Uint8Array;
      artifactName?: string;
    },
  ): WorkflowRunState {
    const run = this.run(runId);
    run.status = "completed";
    run.conclusion = done.conclusion;
    run.updatedAt = this.world.now();
    if (done.artifactFiles || done.artifactZip) {
      const entries: Record<string, Uint8Array> = {};
      for (const [name, content] of Object.entries(done.artifactFiles ?? {}))
        entries[name] = typeof content === "string" ? strToU8(content) : content;
      const id = this.world.nextId("artifact");
      run.artifacts.push({
        id,
        nodeId: nodeId("MDE", id),
        name: done.artifactName ?? "tier_b_results",
        runId,
        zip: done.artifactZip ?? zipSync(entries),
        createdAt: run.updatedAt,
        expired: false,
      });
    }
    return run;
  }

  findArtifact(artifactId: number): ArtifactState | undefined {
    for (const run of this.runs.values()) {
      const found = run.artifacts.find((a) => a.id === artifactId);
      if (found) return found;
    }
    return undefined;
  }
}

export interface FakeGitHubStateOptions {
  app?: Partial<AppInfo>;
  installationId?: number;
  /** Timestamps for resources; defaults to a clock that starts at 2025-06-02T09:00:00Z and ticks one second per read, so transcripts are stable. */
  clock?: () => Date;
}

export class FakeGitHubState {
  readonly app: AppInfo;
  readonly installationId: number;
  readonly bot: FakeUser;
  /** Set by the server once it listens; every `url` field in responses starts with it. */
  apiUrl = "http://127.0.0.1";
  htmlUrl = "https://github.com";
  readonly repos = new Map<string, FakeRepo>();
  readonly users = new Map<string, FakeUser>();
  /** org → team slug → login → role. */
  readonly teams = new Map<string, Map<string, Map<string, "member" | "maintainer">>>();
  /** Installation tokens handed out, token → installation id. */
  readonly tokens = new Map<string, number>();
  /** GraphQL `minimizeComment` calls, in order. */
  readonly minimized: { subjectId: string; classifier: string }[] = [];
  /** Other GitHub Apps installed on the repos (agents, Dependabot): their bot accounts write as them. */
  readonly otherApps = new Map<string, AppInfo>();
  private readonly counters = new Map<string, number>();
  private readonly clock: () => Date;

  constructor(opts: FakeGitHubStateOptions = {}) {
    this.app = {
      id: opts.app?.id ?? 1,
      slug: opts.app?.slug ?? "merge-captain",
      name: opts.app?.name ?? "merge-captain",
    };
    this.installationId = opts.installationId ?? 1;
    this.bot = this.user(`${this.app.slug}[bot]`, "Bot");
    let tick = Date.parse("2025-06-02T09:00:00Z");
    this.clock = opts.clock ?? ((): Date => new Date((tick += 1000)));
  }

  now(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  /** Ids per kind start at distinct bases so a comment id is never mistaken for an issue id in a transcript. */
  nextId(kind: string): number {
    const bases: Record<string, number> = {
      user: 1000,
      repo: 5000,
      issue: 100000,
      comment: 200000,
      label: 300000,
      pull: 400000,
      check: 500000,
      workflow: 600000,
      run: 700000,
      artifact: 800000,
      reaction: 900000,
      commit: 0,
    };
    const next = (this.counters.get(kind) ?? bases[kind] ?? 1) + 1;
    this.counters.set(kind, next);
    return next;
  }

  /** Another App (an agent, Dependabot) whose bot account `<slug>[bot]` opens PRs and posts comments as it. */
  addApp(init: { id: number; slug: string; name?: string }): FakeUser {
    const info: AppInfo = { id: init.id, slug: init.slug, name: init.name ?? init.slug };
    const bot = this.user(`${init.slug}[bot]`, "Bot");
    this.otherApps.set(bot.login.toLowerCase(), info);
    return bot;
  }

  /** The App a bot account belongs to (ours or another installed one); undefined for people. */
  appOf(user: FakeUser): AppInfo | undefined {
    if (user.login.toLowerCase() === this.bot.login.toLowerCase()) return this.app;
    return this.otherApps.get(user.login.toLowerCase());
  }

  /** Get or create a user; `[bot]` logins are Bots. */
  user(login: string, type?: UserType): FakeUser {
    const key = login.toLowerCase();
    const existing = this.users.get(key);
    if (existing) return existing;
    const user: FakeUser = { login, id: this.nextId("user"), type: type ?? (login.endsWith("[bot]") ? "Bot" : "User") };
    this.users.set(key, user);
    return user;
  }

  addRepo(init: {
    owner: string;
    name: string;
    defaultBranch?: string;
    private?: boolean;
    files?: Record<string, string | Uint8Array>;
  }): FakeRepo {
    const repo = new FakeRepo(this, {
      owner: this.user(init.owner, "Organization"),
      name: init.name,
      defaultBranch: init.defaultBranch ?? "main",
      private: init.private ?? false,
      files: init.files ?? {},
    });
    this.repos.set(repo.fullName.toLowerCase(), repo);
    return repo;
  }

  repo(owner: string, name?: string): FakeRepo | undefined {
    const full = name === undefined ? owner : `${owner}/${name}`;
    return this.repos.get(full.toLowerCase());
  }

  setTeamMember(org: string, team: string, login: string, role: "member" | "maintainer" = "member"): void {
    this.user(login);
    const teams = this.teams.get(org.toLowerCase()) ?? new Map<string, Map<string, "member" | "maintainer">>();
    const members = teams.get(team.toLowerCase()) ?? new Map<string, "member" | "maintainer">();
    members.set(login.toLowerCase(), role);
    teams.set(team.toLowerCase(), members);
    this.teams.set(org.toLowerCase(), teams);
  }

  /** An installation token as `POST /app/installations/{id}/access_tokens` would return (for tests calling the API directly). */
  mintToken(installationId = this.installationId): string {
    const token = `ghs_fake${createHash("sha256").update(`${installationId}:${this.tokens.size}:${Math.random()}`).digest("hex").slice(0, 28)}`;
    this.tokens.set(token, installationId);
    return token;
  }

  findComment(nodeIdOrId: string | number): { repo: FakeRepo; comment: CommentState } | undefined {
    for (const repo of this.repos.values()) {
      for (const comment of repo.comments.values()) {
        if (comment.id === nodeIdOrId || comment.nodeId === nodeIdOrId) return { repo, comment };
      }
    }
    return undefined;
  }
}
