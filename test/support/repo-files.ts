/** nock answers for the two files every handler reads from the default branch: the repo config and the gate registry. */
import { readFileSync } from "node:fs";
import nock from "nock";
import { API, REPO_PATH } from "./probot.js";

export const GATES = readFileSync(new URL("../fixtures/gates/gates.toml", import.meta.url), "utf8");
export const CONFIG_PATH = /\/contents\/\.github(%2F|\/)merge-captain\.yml/;
export const REGISTRY_PATH = /\/contents\/configs(%2F|\/)gates(%2F|\/)gates\.toml\?ref=main/;
const RAW = { "content-type": "text/plain; charset=utf-8" };

/** `.github/merge-captain.yml` with this YAML; null: no file in the repo nor in the owner's `.github` repo (two 404s). */
export function config(yaml: string | null, scope: nock.Scope = nock(API)): nock.Scope {
  const repoConfig = scope.get((p) => p.startsWith(REPO_PATH) && CONFIG_PATH.test(p));
  if (yaml !== null) return repoConfig.reply(200, yaml, RAW);
  return repoConfig
    .reply(404)
    .get((p) => p.startsWith("/repos/acme/.github/") && CONFIG_PATH.test(p))
    .reply(404);
}

/** The registry on the default branch (the fixture unless `toml` is given). */
export function registry(scope: nock.Scope = nock(API), toml = GATES): nock.Scope {
  return scope.get((p) => p.startsWith(REPO_PATH) && REGISTRY_PATH.test(p)).reply(200, toml, RAW);
}
