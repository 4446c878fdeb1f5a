/** Turns the fake's state into JSON shaped like GitHub's (REST responses and webhook payloads share these shapes). */
import type {
  Issue,
  IssueComment,
  Label,
  PullRequest,
  Reactions,
  Repository,
  RepositoryLite,
  User,
  Workflow,
  WorkflowRun,
} from "@octokit/webhooks-types";
import type {
  AppInfo,
  ArtifactState,
  ChangedFileState,
  CheckRunState,
  CommentState,
  CommitState,
  FakeGitHubState,
  FakeRepo,
  FakeUser,
  IssueState,
  LabelState,
  WorkflowRunState,
  WorkflowState,
} from "./state.js";

export function userJson(world: FakeGitHubState, user: FakeUser): User {
  const api = `${world.apiUrl}/users/${encodeURIComponent(user.login)}`;
  return {
    login: user.login,
    id: user.id,
    node_id: `${user.type === "Bot" ? "BOT" : user.type === "Organization" ? "O" : "U"}_${Buffer.from(`fake:user:${user.id}`).toString("base64url")}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: `${world.htmlUrl}/${user.type === "Bot" ? `apps/${user.login.replace(/\[bot\]$/, "")}` : user.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: user.type,
    site_admin: false,
  };
}

function repoUrls(
  world: FakeGitHubState,
  repo: FakeRepo,
): Omit<RepositoryLite, "description" | "fork" | "full_name" | "id" | "name" | "node_id" | "owner" | "private"> {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    html_url: `${world.htmlUrl}/${repo.fullName}`,
    url: api,
    forks_url: `${api}/forks`,
    keys_url: `${api}/keys{/key_id}`,
    collaborators_url: `${api}/collaborators{/collaborator}`,
    teams_url: `${api}/teams`,
    hooks_url: `${api}/hooks`,
    issue_events_url: `${api}/issues/events{/number}`,
    events_url: `${api}/events`,
    assignees_url: `${api}/assignees{/user}`,
    branches_url: `${api}/branches{/branch}`,
    tags_url: `${api}/tags`,
    blobs_url: `${api}/git/blobs{/sha}`,
    git_tags_url: `${api}/git/tags{/sha}`,
    git_refs_url: `${api}/git/refs{/sha}`,
    trees_url: `${api}/git/trees{/sha}`,
    statuses_url: `${api}/statuses/{sha}`,
    languages_url: `${api}/languages`,
    stargazers_url: `${api}/stargazers`,
    contributors_url: `${api}/contributors`,
    subscribers_url: `${api}/subscribers`,
    subscription_url: `${api}/subscription`,
    commits_url: `${api}/commits{/sha}`,
    git_commits_url: `${api}/git/commits{/sha}`,
    comments_url: `${api}/comments{/number}`,
    issue_comment_url: `${api}/issues/comments{/number}`,
    contents_url: `${api}/contents/{+path}`,
    compare_url: `${api}/compare/{base}...{head}`,
    merges_url: `${api}/merges`,
    archive_url: `${api}/{archive_format}{/ref}`,
    downloads_url: `${api}/downloads`,
    issues_url: `${api}/issues{/number}`,
    pulls_url: `${api}/pulls{/number}`,
    milestones_url: `${api}/milestones{/number}`,
    notifications_url: `${api}/notifications{?since,all,participating}`,
    labels_url: `${api}/labels{/name}`,
    releases_url: `${api}/releases{/id}`,
    deployments_url: `${api}/deployments`,
  };
}

export function repositoryLiteJson(world: FakeGitHubState, repo: FakeRepo): RepositoryLite {
  return {
    id: repo.id,
    node_id: repo.nodeId,
    name: repo.name,
    full_name: repo.fullName,
    private: repo.isPrivate,
    owner: userJson(world, repo.owner),
    description: null,
    fork: false,
    ...repoUrls(world, repo),
  };
}

export function repositoryJson(world: FakeGitHubState, repo: FakeRepo): Repository {
  const open = [...repo.issues.values()].filter((i) => i.state === "open").length;
  return {
    ...repositoryLiteJson(world, repo),
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
    git_url: `git://github.com/${repo.fullName}.git`,
    ssh_url: `git@github.com:${repo.fullName}.git`,
    clone_url: `${world.htmlUrl}/${repo.fullName}.git`,
    svn_url: `${world.htmlUrl}/${repo.fullName}`,
    homepage: null,
    size: 0,
    stargazers_count: 0,
    watchers_count: 0,
    language: null,
    has_issues: true,
    has_projects: false,
    has_downloads: true,
    has_wiki: false,
    has_pages: false,
    has_discussions: false,
    forks_count: 0,
    mirror_url: null,
    archived: false,
    disabled: false,
    open_issues_count: open,
    license: null,
    forks: 0,
    open_issues: open,
    watchers: 0,
    default_branch: repo.defaultBranch,
    is_template: false,
    web_commit_signoff_required: false,
    topics: [],
    visibility: repo.isPrivate ? "private" : "public",
    custom_properties: {},
  };
}

export function labelJson(world: FakeGitHubState, repo: FakeRepo, label: LabelState): Label {
  return {
    id: label.id,
    node_id: label.nodeId,
    url: `${world.apiUrl}/repos/${repo.fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: false,
  };
}

function reactionsJson(url: string, reactions: CommentState["reactions"]): Reactions {
  const count = (c: string): number => reactions.filter((r) => r.content === c).length;
  return {
    url,
    total_count: reactions.length,
    "+1": count("+1"),
    "-1": count("-1"),
    laugh: count("laugh"),
    hooray: count("hooray"),
    confused: count("confused"),
    heart: count("heart"),
    rocket: count("rocket"),
    eyes: count("eyes"),
  };
}

/** `performed_via_github_app`: the app (ours or another installed one), for what its bot user wrote; null for everyone else. */
function performedVia(world: FakeGitHubState, user: FakeUser): unknown {
  const app = world.appOf(user);
  return app ? { id: app.id, slug: app.slug, node_id: `A_${app.id}`, name: app.name } : null;
}

export function issueJson(world: FakeGitHubState, repo: FakeRepo, issue: IssueState): Issue {
  const api = `${world.apiUrl}/repos/${repo.fullName}/issues/${issue.number}`;
  const html = `${world.htmlUrl}/${repo.fullName}/${issue.pull ? "pull" : "issues"}/${issue.number}`;
  const json: Issue = {
    url: api,
    repository_url: `${world.apiUrl}/repos/${repo.fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    id: issue.id,
    node_id: issue.nodeId,
    number: issue.number,
    title: issue.title,
    user: userJson(world, issue.user),
    labels: issue.labels.map((name) => labelJson(world, repo, repo.ensureLabel(name))),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: repo.commentsOn(issue.number).length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: repo.associationOf(issue.user),
    active_lock_reason: null,
    body: issue.body,
    reactions: reactionsJson(`${api}/reactions`, []),
    timeline_url: `${api}/timeline`,
    // Issues opened with the app's installation token carry the app, as on GitHub.
    performed_via_github_app: performedVia(world, issue.user) as Issue["performed_via_github_app"],
    state_reason: issue.state === "closed" ? "completed" : null,
  };
  if (issue.pull) {
    json.draft = issue.pull.draft;
    json.pull_request = {
      url: `${world.apiUrl}/repos/${repo.fullName}/pulls/${issue.number}`,
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      merged_at: issue.pull.mergedAt ?? null,
    };
  }
  return json;
}

export function commentJson(world: FakeGitHubState, repo: FakeRepo, comment: CommentState): IssueComment {
  const api = `${world.apiUrl}/repos/${repo.fullName}/issues/comments/${comment.id}`;
  const issue = repo.issues.get(comment.issueNumber);
  return {
    url: api,
    html_url: `${world.htmlUrl}/${repo.fullName}/${issue?.pull ? "pull" : "issues"}/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${world.apiUrl}/repos/${repo.fullName}/issues/${comment.issueNumber}`,
    id: comment.id,
    node_id: comment.nodeId,
    user: userJson(world, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: repo.associationOf(comment.user),
    body: comment.body,
    reactions: reactionsJson(`${api}/reactions`, comment.reactions),
    // Comments written with the app's installation token carry the app, as on GitHub.
    performed_via_github_app: performedVia(world, comment.user) as IssueComment["performed_via_github_app"],
  };
}

export function pullRequestJson(world: FakeGitHubState, repo: FakeRepo, issue: IssueState): PullRequest {
  const pull = issue.pull;
  if (!pull) throw new Error(`fake GitHub: #${issue.number} is not a pull request`);
  const api = `${world.apiUrl}/repos/${repo.fullName}/pulls/${issue.number}`;
  const html = `${world.htmlUrl}/${repo.fullName}/pull/${issue.number}`;
  const issueApi = `${world.apiUrl}/repos/${repo.fullName}/issues/${issue.number}`;
  const repoJson = repositoryJson(world, repo);
  const owner = userJson(world, repo.owner);
  return {
    url: api,
    id: pull.id,
    node_id: pull.nodeId,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(world, issue.user),
    body: issue.body,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pull.mergedAt ?? null,
    merge_commit_sha: pull.mergeCommitSha ?? null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: issue.labels.map((name) => labelJson(world, repo, repo.ensureLabel(name))),
    milestone: null,
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${world.apiUrl}/repos/${repo.fullName}/pulls/comments{/number}`,
    comments_url: `${issueApi}/comments`,
    statuses_url: `${world.apiUrl}/repos/${repo.fullName}/statuses/${pull.head.sha}`,
    head: {
      label: `${repo.owner.login}:${pull.head.ref}`,
      ref: pull.head.ref,
      sha: pull.head.sha,
      user: owner,
      repo: repoJson,
    },
    base: {
      label: `${repo.owner.login}:${pull.base.ref}`,
      ref: pull.base.ref,
      sha: pull.base.sha,
      user: owner,
      repo: repoJson,
    },
    _links: {
      self: { href: api },
      html: { href: html },
      issue: { href: issueApi },
      comments: { href: `${issueApi}/comments` },
      review_comments: { href: `${api}/comments` },
      review_comment: { href: `${world.apiUrl}/repos/${repo.fullName}/pulls/comments{/number}` },
      commits: { href: `${api}/commits` },
      statuses: { href: `${world.apiUrl}/repos/${repo.fullName}/statuses/${pull.head.sha}` },
    },
    author_association: repo.associationOf(issue.user),
    auto_merge: null,
    active_lock_reason: null,
    draft: pull.draft,
    merged: pull.merged,
    mergeable: true,
    rebaseable: true,
    mergeable_state: "clean",
    merged_by: null,
    comments: repo.commentsOn(issue.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pull.commitShas.length,
    additions: pull.files.reduce((n, f) => n + f.additions, 0),
    deletions: pull.files.reduce((n, f) => n + f.deletions, 0),
    changed_files: pull.files.length,
  };
}

export function pullFileJson(
  world: FakeGitHubState,
  repo: FakeRepo,
  headSha: string,
  file: ChangedFileState,
): Record<string, unknown> {
  const path = file.filename.split("/").map(encodeURIComponent).join("/");
  const json: Record<string, unknown> = {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.additions + file.deletions,
    blob_url: `${world.htmlUrl}/${repo.fullName}/blob/${headSha}/${path}`,
    raw_url: `${world.htmlUrl}/${repo.fullName}/raw/${headSha}/${path}`,
    contents_url: `${world.apiUrl}/repos/${repo.fullName}/contents/${path}?ref=${headSha}`,
  };
  if (file.patch !== undefined) json["patch"] = file.patch;
  if (file.previous_filename !== undefined) json["previous_filename"] = file.previous_filename;
  return json;
}

function gitActor(date: string): { name: string; email: string; date: string } {
  return { name: "Fake Committer", email: "committer@example.com", date };
}

export function gitCommitJson(world: FakeGitHubState, repo: FakeRepo, commit: CommitState): Record<string, unknown> {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    sha: commit.sha,
    node_id: `C_${Buffer.from(commit.sha).toString("base64url").slice(0, 20)}`,
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${world.htmlUrl}/${repo.fullName}/commit/${commit.sha}`,
    author: gitActor(commit.date),
    committer: gitActor(commit.date),
    message: commit.message,
    tree: { sha: commit.treeSha, url: `${api}/git/trees/${commit.treeSha}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/git/commits/${sha}`,
      html_url: `${world.htmlUrl}/${repo.fullName}/commit/${sha}`,
    })),
    verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
  };
}

/** `GET /repos/{owner}/{repo}/commits/{ref}`: the commit wrapped with GitHub's repo-level fields. */
/** A git reference (`ref` without its `refs/` prefix, e.g. `heads/main`) pointing at the commit `sha`. */
export function gitRefJson(world: FakeGitHubState, repo: FakeRepo, ref: string, sha: string): Record<string, unknown> {
  const api = `${world.apiUrl}/repos/${repo.fullName}/git`;
  return {
    ref: `refs/${ref}`,
    node_id: `REF_${Buffer.from(ref).toString("base64url")}`,
    url: `${api}/refs/${ref}`,
    object: { sha, type: "commit", url: `${api}/commits/${sha}` },
  };
}

export function repoCommitJson(world: FakeGitHubState, repo: FakeRepo, commit: CommitState): Record<string, unknown> {
  const api = `${world.apiUrl}/repos/${repo.fullName}`;
  return {
    sha: commit.sha,
    node_id: `C_${Buffer.from(commit.sha).toString("base64url").slice(0, 20)}`,
    commit: {
      author: gitActor(commit.date),
      committer: gitActor(commit.date),
      message: commit.message,
      tree: { sha: commit.treeSha, url: `${api}/git/trees/${commit.treeSha}` },
      url: `${api}/git/commits/${commit.sha}`,
      comment_count: 0,
      verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
    },
    url: `${api}/commits/${commit.sha}`,
    html_url: `${world.htmlUrl}/${repo.fullName}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    author: null,
    committer: null,
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${api}/commits/${sha}`,
      html_url: `${world.htmlUrl}/${repo.fullName}/commit/${sha}`,
    })),
  };
}

export function checkRunJson(world: FakeGitHubState, repo: FakeRepo, run: CheckRunState): Record<string, unknown> {
  const api = `${world.apiUrl}/repos/${repo.fullName}/check-runs/${run.id}`;
  return {
    id: run.id,
    node_id: run.nodeId,
    head_sha: run.headSha,
    external_id: run.externalId ?? "",
    url: api,
    html_url: `${world.htmlUrl}/${repo.fullName}/runs/${run.id}`,
    details_url: run.detailsUrl ?? `${world.htmlUrl}/apps/${world.app.slug}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.startedAt,
    completed_at: run.completedAt,
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: run.output.annotations.length,
      annotations_url: `${api}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 1_000_000 },
    app: appJson(world, run.app),
    pull_requests: repo.pullsWithHead(run.headSha).map((issue) => ({
      url: `${world.apiUrl}/repos/${repo.fullName}/pulls/${issue.number}`,
      id: issue.pull?.id ?? 0,
      number: issue.number,
      head: {
        ref: issue.pull?.head.ref ?? "",
        sha: issue.pull?.head.sha ?? "",
        repo: { id: repo.id, url: `${world.apiUrl}/repos/${repo.fullName}`, name: repo.name },
      },
      base: {
        ref: issue.pull?.base.ref ?? "",
        sha: issue.pull?.base.sha ?? "",
        repo: { id: repo.id, url: `${world.apiUrl}/repos/${repo.fullName}`, name: repo.name },
      },
    })),
  };
}

/** Our App, or another installed one (`app`). */
export function appJson(world: FakeGitHubState, app: AppInfo = world.app): Record<string, unknown> {
  const owner = world.user(app === world.app ? "merge-captain-dev" : `${app.slug}-dev`, "Organization");
  return {
    id: app.id,
    slug: app.slug,
    node_id: `A_${Buffer.from(`fake:app:${app.id}`).toString("base64url")}`,
    client_id: `Iv1.fake${app.id}`,
    owner: userJson(world, owner),
    name: app.name,
    description: "fake GitHub App",
    external_url: `${world.htmlUrl}/apps/${app.slug}`,
    html_url: `${world.htmlUrl}/apps/${app.slug}`,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    permissions: {
      actions: "write",
      checks: "write",
      contents: "read",
      deployments: "write",
      issues: "write",
      metadata: "read",
      pull_requests: "write",
      members: "read",
    },
    events: ["issues", "issue_comment", "pull_request", "workflow_run", "deployment_protection_rule"],
  };
}

export function workflowJson(world: FakeGitHubState, repo: FakeRepo, workflow: WorkflowState): Workflow {
  const api = `${world.apiUrl}/repos/${repo.fullName}/actions/workflows/${workflow.id}`;
  return {
    id: workflow.id,
    node_id: workflow.nodeId,
    name: workflow.name,
    path: workflow.path,
    state: "active",
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    url: api,
    html_url: `${world.htmlUrl}/${repo.fullName}/blob/${repo.defaultBranch}/${workflow.path}`,
    badge_url: `${world.htmlUrl}/${repo.fullName}/workflows/${encodeURIComponent(workflow.name)}/badge.svg`,
  };
}

export function workflowRunJson(world: FakeGitHubState, repo: FakeRepo, run: WorkflowRunState): WorkflowRun {
  const api = `${world.apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`;
  const workflow = repo.workflows.get(run.workflowId);
  const commit = repo.commits.get(run.headSha);
  const lite = repositoryLiteJson(world, repo);
  return {
    id: run.id,
    node_id: run.nodeId,
    name: run.name,
    display_title: run.displayTitle,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    path: workflow?.path ?? "",
    run_number: run.runNumber,
    run_attempt: 1,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    workflow_id: run.workflowId,
    check_suite_id: run.id + 2_000_000,
    check_suite_node_id: `CS_${Buffer.from(`fake:cs:${run.id}`).toString("base64url")}`,
    check_suite_url: `${world.apiUrl}/repos/${repo.fullName}/check-suites/${run.id + 2_000_000}`,
    url: api,
    html_url: `${world.htmlUrl}/${repo.fullName}/actions/runs/${run.id}`,
    pull_requests: [],
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    actor: userJson(world, run.actor),
    triggering_actor: userJson(world, run.actor),
    jobs_url: `${api}/jobs`,
    logs_url: `${api}/logs`,
    artifacts_url: `${api}/artifacts`,
    cancel_url: `${api}/cancel`,
    rerun_url: `${api}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${world.apiUrl}/repos/${repo.fullName}/actions/workflows/${run.workflowId}`,
    head_commit: {
      id: run.headSha,
      tree_id: commit?.treeSha ?? "",
      message: commit?.message ?? "",
      timestamp: commit?.date ?? run.createdAt,
      author: { name: "Fake Committer", email: "committer@example.com" },
      committer: { name: "Fake Committer", email: "committer@example.com" },
    },
    repository: lite,
    head_repository: lite,
  };
}

export function artifactJson(world: FakeGitHubState, repo: FakeRepo, artifact: ArtifactState): Record<string, unknown> {
  const api = `${world.apiUrl}/repos/${repo.fullName}/actions/artifacts/${artifact.id}`;
  const run = repo.runs.get(artifact.runId);
  return {
    id: artifact.id,
    node_id: artifact.nodeId,
    name: artifact.name,
    size_in_bytes: artifact.zip.length,
    url: api,
    archive_download_url: `${api}/zip`,
    expired: artifact.expired,
    digest: null,
    created_at: artifact.createdAt,
    updated_at: artifact.createdAt,
    expires_at: "2099-01-01T00:00:00Z",
    workflow_run: {
      id: artifact.runId,
      repository_id: repo.id,
      head_repository_id: repo.id,
      head_branch: run?.headBranch ?? "",
      head_sha: run?.headSha ?? "",
    },
  };
}
