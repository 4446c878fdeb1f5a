/** Repository, contents and git endpoints: what the app reads from the default branch and how it compares commits. */
import { blobSha, type CommitState } from "../state.js";
import { gitCommitJson, gitRefJson, repoCommitJson, repositoryJson } from "../shapes.js";
import { paginate } from "../pagination.js";
import { failure, notFound, repoRoute, type Reply, type Route, type RouteRequest } from "./reply.js";

const ONE_MEGABYTE = 1024 * 1024;

/** Base64 wrapped at 60 columns, as the contents API sends it. */
function wrappedBase64(bytes: Uint8Array): string {
  return (
    (
      Buffer.from(bytes)
        .toString("base64")
        .match(/.{1,60}/g) ?? []
    ).join("\n") + "\n"
  );
}

function wantsRaw(req: RouteRequest): boolean {
  return /application\/vnd\.github(\.v3)?\.raw/.test(String(req.headers["accept"] ?? ""));
}

function contentEntry(
  req: RouteRequest,
  ref: string,
  path: string,
  type: "file" | "dir",
  bytes?: Uint8Array,
): Record<string, unknown> {
  const { world, repo } = req;
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  const sha = bytes ? blobSha(bytes) : blobSha(new TextEncoder().encode(`dir:${path}`));
  const self = `${world.apiUrl}/repos/${repo.fullName}/contents/${encoded}?ref=${encodeURIComponent(ref)}`;
  const git = `${world.apiUrl}/repos/${repo.fullName}/git/${type === "file" ? "blobs" : "trees"}/${sha}`;
  const html = `${world.htmlUrl}/${repo.fullName}/${type === "file" ? "blob" : "tree"}/${ref}/${encoded}`;
  return {
    type,
    name: path.split("/").pop() ?? path,
    path,
    sha,
    size: bytes?.length ?? 0,
    url: self,
    html_url: html,
    git_url: git,
    download_url:
      type === "file"
        ? `${world.htmlUrl.replace("github.com", "raw.githubusercontent.com")}/${repo.fullName}/${ref}/${encoded}`
        : null,
    _links: { self, git, html },
  };
}

function getContents(req: RouteRequest): Reply {
  const { repo } = req;
  const ref = req.url.searchParams.get("ref") ?? repo.defaultBranch;
  let path = (req.params["path"] ?? "").replace(/^\/+/, "");
  while (path.endsWith("/")) path = path.slice(0, -1);
  const commit = repo.resolveRef(ref);
  if (!commit) return failure(req, 404, `No commit found for the ref ${ref}`);
  const bytes = commit.files.get(path);
  if (bytes) {
    if (wantsRaw(req))
      return {
        status: 200,
        raw: bytes,
        headers: { "content-type": "text/plain; charset=utf-8", "x-github-media-type": "github.v3; param=raw" },
      };
    const entry = contentEntry(req, ref, path, "file", bytes);
    // Files over 1 MB come back without content, as on GitHub.
    const big = bytes.length > ONE_MEGABYTE;
    return {
      status: 200,
      json: { ...entry, content: big ? "" : wrappedBase64(bytes), encoding: big ? "none" : "base64" },
    };
  }
  const prefix = path === "" ? "" : `${path}/`;
  const children = new Map<string, "file" | "dir">();
  for (const file of commit.files.keys()) {
    if (!file.startsWith(prefix)) continue;
    const rest = file.slice(prefix.length).split("/");
    const first = rest[0];
    if (first !== undefined) children.set(`${prefix}${first}`, rest.length > 1 ? "dir" : "file");
  }
  if (children.size === 0) return notFound(req);
  const entries = [...children.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([p, type]) => contentEntry(req, ref, p, type, type === "file" ? commit.files.get(p) : undefined));
  return { status: 200, json: entries };
}

function commitOr404(
  req: RouteRequest,
  ref: string,
): Reply | { commit: NonNullable<ReturnType<RouteRequest["repo"]["resolveRef"]>> } {
  const commit = req.repo.resolveRef(ref);
  return commit ? { commit } : failure(req, 422, `No commit found for SHA: ${ref}`);
}

/** Every commit reachable from `sha` over all parents. */
function reachable(req: RouteRequest, sha: string): Set<string> {
  const seen = new Set<string>();
  const stack = [sha];
  while (stack.length > 0) {
    const at = stack.pop()!;
    if (seen.has(at)) continue;
    seen.add(at);
    stack.push(...(req.repo.commits.get(at)?.parents ?? []));
  }
  return seen;
}

/** `base...head` or `base..head`, read like `/^(.+?)\.\.\.?(.+)$/` without its backtracking on runs of dots. */
function splitBaseHead(text: string): [string, string] | undefined {
  for (let i = text.indexOf("..", 1); i !== -1; i = text.indexOf("..", i + 1)) {
    const three = text[i + 2] === "." && text.length > i + 3;
    const head = text.slice(i + (three ? 3 : 2));
    if (head !== "") return [text.slice(0, i), head];
  }
  return undefined;
}

/**
 * `GET /compare/{base}...{head}`: the commits `head` has and `base` lacks (`git log base..head`),
 * oldest first; without `per_page`/`page` at most 250 of them, as GitHub documents.
 */
function compare(req: RouteRequest): Reply {
  const m = splitBaseHead(req.params["basehead"] ?? "");
  const base = m ? req.repo.resolveRef(m[0]) : undefined;
  const head = m ? req.repo.resolveRef(m[1]) : undefined;
  if (!base || !head) return notFound(req);
  const fromBase = reachable(req, base.sha);
  const fromHead = reachable(req, head.sha);
  // The commit map keeps creation order, which is a topological order here.
  const all = [...req.repo.commits.values()];
  const ahead = all.filter((c) => fromHead.has(c.sha) && !fromBase.has(c.sha));
  const behind = all.filter((c) => fromBase.has(c.sha) && !fromHead.has(c.sha));
  const mergeBase = all.filter((c) => fromBase.has(c.sha) && fromHead.has(c.sha)).at(-1) ?? base;
  const paged = req.url.searchParams.has("per_page") || req.url.searchParams.has("page");
  const page = paged ? paginate(ahead, req.url) : { items: ahead.slice(-250), link: undefined };
  const files = changedFiles(mergeBase, head);
  const api = `${req.world.apiUrl}/repos/${req.repo.fullName}`;
  const html = `${req.world.htmlUrl}/${req.repo.fullName}`;
  const basehead = `${m![0]}...${m![1]}`;
  return {
    status: 200,
    json: {
      url: `${api}/compare/${basehead}`,
      html_url: `${html}/compare/${basehead}`,
      permalink_url: `${html}/compare/${req.repo.owner.login}:${base.sha.slice(0, 7)}...${req.repo.owner.login}:${head.sha.slice(0, 7)}`,
      diff_url: `${html}/compare/${basehead}.diff`,
      patch_url: `${html}/compare/${basehead}.patch`,
      base_commit: repoCommitJson(req.world, req.repo, base),
      merge_base_commit: repoCommitJson(req.world, req.repo, mergeBase),
      status:
        ahead.length === 0 && behind.length === 0
          ? "identical"
          : behind.length === 0
            ? "ahead"
            : ahead.length === 0
              ? "behind"
              : "diverged",
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: page.items.map((c) => repoCommitJson(req.world, req.repo, c)),
      // Files only on the first page, as on GitHub.
      ...((req.url.searchParams.get("page") ?? "1") === "1" ? { files } : {}),
    },
    ...(page.link === undefined ? {} : { headers: { link: page.link } }),
  };
}

function changedFiles(from: CommitState, to: CommitState): Record<string, unknown>[] {
  const paths = [...new Set([...from.files.keys(), ...to.files.keys()])].sort();
  return paths.flatMap((path) => {
    const before = from.files.get(path);
    const after = to.files.get(path);
    if (before && after && blobSha(before) === blobSha(after)) return [];
    const status = !before ? "added" : !after ? "removed" : "modified";
    return [{ sha: blobSha(after ?? before!), filename: path, status, additions: 0, deletions: 0, changes: 0 }];
  });
}

export const repoRoutes: Record<string, Route> = {
  "GET /repos/{owner}/{repo}/compare/{basehead}": repoRoute(compare),
  "GET /repos/{owner}/{repo}": repoRoute((req) => ({ status: 200, json: repositoryJson(req.world, req.repo) })),
  "GET /repos/{owner}/{repo}/contents/{path}": repoRoute(getContents),
  "GET /repos/{owner}/{repo}/git/commits/{commit_sha}": repoRoute((req) => {
    const commit = req.repo.commits.get(req.params["commit_sha"] ?? "");
    return commit ? { status: 200, json: gitCommitJson(req.world, req.repo, commit) } : notFound(req);
  }),
  "GET /repos/{owner}/{repo}/commits/{ref}": repoRoute((req) => {
    const found = commitOr404(req, req.params["ref"] ?? "");
    if (!("commit" in found)) return found;
    if (/application\/vnd\.github(\.v3)?\.sha/.test(String(req.headers["accept"] ?? "")))
      return { status: 200, raw: found.commit.sha, headers: { "content-type": "text/plain; charset=utf-8" } };
    return { status: 200, json: repoCommitJson(req.world, req.repo, found.commit) };
  }),
  "GET /repos/{owner}/{repo}/git/ref/{ref}": repoRoute((req) => {
    const ref = req.params["ref"] ?? "";
    const match = /^(heads|tags)\/(.+)$/.exec(ref);
    const sha =
      match?.[1] === "heads"
        ? req.repo.branches.get(match[2] ?? "")
        : match?.[1] === "tags"
          ? req.repo.tags.get(match[2] ?? "")
          : undefined;
    if (sha === undefined) return notFound(req);
    return { status: 200, json: gitRefJson(req.world, req.repo, ref, sha) };
  }),
  "GET /repos/{owner}/{repo}/git/matching-refs/{ref}": repoRoute((req) => {
    const prefix = req.params["ref"] ?? "";
    const refs = [
      ...[...req.repo.branches.entries()].map(([name, sha]) => [`heads/${name}`, sha] as const),
      ...[...req.repo.tags.entries()].map(([name, sha]) => [`tags/${name}`, sha] as const),
    ]
      .filter(([ref]) => ref.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { status: 200, json: refs.map(([ref, sha]) => gitRefJson(req.world, req.repo, ref, sha)) };
  }),
  "GET /repos/{owner}/{repo}/branches/{branch}": repoRoute((req) => {
    const name = req.params["branch"] ?? "";
    const sha = req.repo.branches.get(name);
    const commit = sha === undefined ? undefined : req.repo.commits.get(sha);
    if (!commit) return failure(req, 404, "Branch not found");
    return {
      status: 200,
      json: {
        name,
        commit: repoCommitJson(req.world, req.repo, commit),
        protected: false,
        _links: {
          self: `${req.world.apiUrl}/repos/${req.repo.fullName}/branches/${name}`,
          html: `${req.world.htmlUrl}/${req.repo.fullName}/tree/${name}`,
        },
      },
    };
  }),
};
