/** Repository permission and team membership, read from the API (never from `author_association`); one lookup per user per event. */
import type { Permission } from "../core/trust/commander.js";
import { type RepoClient } from "./client.js";
import { isNotFound } from "./errors.js";

export type { Permission } from "../core/trust/commander.js";

async function lookUp(client: RepoClient, username: string): Promise<Permission> {
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

/** The user's effective permission on the repository (one call per user per event: the answer is cached on the client). */
export async function getPermission(client: RepoClient, username: string): Promise<Permission> {
  const key = username.toLowerCase();
  const cached = client.permissionCache.get(key);
  if (cached) return cached;
  const pending = lookUp(client, username);
  client.permissionCache.set(key, pending);
  // A failed lookup is not remembered: the event fails, and a retry asks again.
  pending.catch(() => client.permissionCache.delete(key));
  return pending;
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
