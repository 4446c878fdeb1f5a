/** Who may do what: collaborator permission levels and team memberships. */
import { userJson } from "../shapes.js";
import type { PermissionLevel } from "../state.js";
import { failure, globalRoute, notFound, repoRoute, type Route } from "./reply.js";

/** The legacy `permission` field folds maintain into write and triage into read; `role_name` keeps the real role. */
const LEGACY_PERMISSION: Record<PermissionLevel, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
  none: "none",
};

const RANK: PermissionLevel[] = ["none", "read", "triage", "write", "maintain", "admin"];

export const peopleRoutes: Record<string, Route> = {
  "GET /repos/{owner}/{repo}/collaborators/{username}/permission": repoRoute((req) => {
    const login = req.params["username"] ?? "";
    const user = req.world.users.get(login.toLowerCase());
    if (!user) return failure(req, 404, `${login} is not a user`);
    const level = req.repo.permissionOf(login);
    const at = (l: PermissionLevel): boolean => RANK.indexOf(level) >= RANK.indexOf(l);
    return {
      status: 200,
      json: {
        permission: LEGACY_PERMISSION[level],
        role_name: level,
        user: {
          ...userJson(req.world, user),
          permissions: {
            admin: at("admin"),
            maintain: at("maintain"),
            push: at("write"),
            triage: at("triage"),
            pull: at("read"),
          },
          role_name: level,
        },
      },
    };
  }),
  "GET /orgs/{org}/teams/{team_slug}/memberships/{username}": globalRoute("installation-token", (req) => {
    const org = req.params["org"] ?? "";
    const team = req.params["team_slug"] ?? "";
    const login = req.params["username"] ?? "";
    const role = req.world.teams.get(org.toLowerCase())?.get(team.toLowerCase())?.get(login.toLowerCase());
    if (role === undefined) return notFound(req);
    return {
      status: 200,
      json: {
        url: `${req.world.apiUrl}/organizations/${org}/team/${team}/memberships/${login}`,
        role,
        state: "active",
      },
    };
  }),
};
