/** nock answers for who may do what: the collaborator-permission API, as GitHub answers it. */
import nock from "nock";
import { API, REPO_PATH } from "./probot.js";

export type Level = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** `GET /collaborators/{login}/permission` → `level` (maintain reads as write and triage as read in the legacy field, as on GitHub). */
export function permission(login: string, level: Level, scope: nock.Scope = nock(API)): nock.Scope {
  const legacy = level === "maintain" ? "write" : level === "triage" ? "read" : level;
  return scope
    .get(`${REPO_PATH}/collaborators/${encodeURIComponent(login)}/permission`)
    .reply(200, { permission: legacy, role_name: level, user: { login } });
}
