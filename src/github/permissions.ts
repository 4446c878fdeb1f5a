/** Who may command the bot: repository permission read from the API, never from `author_association`. */
import { type RepoClient } from "./client.js";
import { isNotFound } from "./errors.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** The user's effective permission on the repository (one call). */
export async function getPermission(client: RepoClient, username: string): Promise<Permission> {
  try {
    const res = await client.octokit.rest.repos.getCollaboratorPermissionLevel({
      owner: client.owner,
      repo: client.repo,
      username,
    });
    const role = (res.data as { role_name?: string }).role_name;
    if (role === "maintain" || role === "triage") return role;
    const p = res.data.permission;
    return p === "admin" || p === "write" || p === "read" ? p : "none";
  } catch (err) {
    if (isNotFound(err)) return "none";
    throw err;
  }
}

/** Is the user an active member of the org team `slug`? (one call; a 404 means no). */
export async function isTeamMember(client: RepoClient, team: string, username: string): Promise<boolean> {
  try {
    const res = await client.octokit.rest.teams.getMembershipForUserInOrg({
      org: client.owner,
      team_slug: team,
      username,
    });
    return res.data.state === "active";
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
