/** The GitHub App endpoints: the app, its installation and tokens (with its JWT), and the repositories an installation token can see. */
import { appJson, repositoryJson, userJson } from "../shapes.js";
import type { FakeGitHubState, FakeRepo } from "../state.js";
import { globalRoute, intParam, notFound, pagedObject, type BaseRequest, type Reply, type Route } from "./reply.js";

function installationJson(world: FakeGitHubState, account: FakeRepo["owner"]): Record<string, unknown> {
  const api = `${world.apiUrl}/app/installations/${world.installationId}`;
  const app = appJson(world);
  return {
    id: world.installationId,
    account: userJson(world, account),
    repository_selection: "all",
    access_tokens_url: `${api}/access_tokens`,
    repositories_url: `${world.apiUrl}/installation/repositories`,
    html_url: `${world.htmlUrl}/organizations/${account.login}/settings/installations/${world.installationId}`,
    app_id: world.app.id,
    app_slug: world.app.slug,
    client_id: app["client_id"],
    target_id: account.id,
    target_type: account.type === "Organization" ? "Organization" : "User",
    permissions: app["permissions"],
    events: app["events"],
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

/** Every repo in the fake belongs to the one installation; its account is the first repo's owner. */
function installationAccount(world: FakeGitHubState): FakeRepo["owner"] {
  return world.repos.values().next().value?.owner ?? world.user("octo-org", "Organization");
}

function accessToken(req: BaseRequest): Reply {
  if (intParam(req, "installation_id") !== req.world.installationId) return notFound(req);
  const token = req.world.mintToken();
  // Real time, not the fake clock: @octokit/auth-app caches tokens until they expire.
  const expiresAt = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    status: 201,
    json: { token, expires_at: expiresAt, permissions: appJson(req.world)["permissions"], repository_selection: "all" },
  };
}

export const appRoutes: Record<string, Route> = {
  "GET /app": globalRoute("app-jwt", (req) => ({ status: 200, json: appJson(req.world) })),
  "GET /app/installations": globalRoute("app-jwt", (req) => ({
    status: 200,
    json: [installationJson(req.world, installationAccount(req.world))],
  })),
  "GET /app/installations/{installation_id}": globalRoute("app-jwt", (req) =>
    intParam(req, "installation_id") === req.world.installationId
      ? { status: 200, json: installationJson(req.world, installationAccount(req.world)) }
      : notFound(req),
  ),
  "POST /app/installations/{installation_id}/access_tokens": globalRoute("app-jwt", accessToken),
  // With an installation token: the repositories it can reach (every repo of the fake), GitHub's wrapped list.
  "GET /installation/repositories": globalRoute("installation-token", (req) => {
    const page = pagedObject(req, "repositories", [...req.world.repos.values()], (r) => repositoryJson(req.world, r));
    return { ...page, json: { ...(page.json as Record<string, unknown>), repository_selection: "all" } };
  }),
  "GET /repos/{owner}/{repo}/installation": globalRoute("app-jwt", (req) => {
    const repo = req.world.repo(req.params["owner"] ?? "", req.params["repo"] ?? "");
    return repo ? { status: 200, json: installationJson(req.world, repo.owner) } : notFound(req);
  }),
};
