/** Gather what the merge plan is built from: open contracts, their PRs with our check on each head, and what every `depends_on` id resolves to. */
import { contractOptions } from "../core/config/readers.js";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { readContract } from "../core/contract/read.js";
import type { Registry } from "../core/gates/registry.js";
import { idKey } from "../core/ids.js";
import { byContractId, titleId } from "../core/linking/link.js";
import type { PlanContract, PlanInput, PlanPull, Resolution } from "../core/plan/build.js";
import { pullNotRead, pullStateOf } from "../core/plan/pull-state.js";
import { SEARCH_DID_NOT_ANSWER, tooManyLookups } from "../core/plan/render.js";
import type { Result } from "../core/problem.js";
import { CHECK_NAME } from "../core/render/verdict.js";
import { findCheckRun } from "./checks.js";
import type { RepoClient } from "./client.js";
import {
  linkPull,
  openIssuesWithContracts,
  resolveDependencies,
  toOpenIssues,
  type IssueWithContract,
} from "./pull-facts.js";
import { authorOf, listOpenPulls, type IssueSummary } from "./pulls.js";

/** At most this many PRs have their check read per refresh; the rest show as not read. */
export const MAX_PLAN_PULLS = 100;
/** At most this many ids are looked up one by one (search has its own, tight rate limit) per refresh. */
export const MAX_DEPENDENCY_LOOKUPS = 5;

export interface PlanFacts {
  input: PlanInput;
  /** The open issues read, so the plan issue itself can be found without another call. */
  openIssues: IssueWithContract[];
}

/** Oldest issue first: the table reads in the order the work was filed. */
function contractsOf(issues: readonly IssueWithContract[]): PlanContract[] {
  return [...issues]
    .sort((a, b) => a.number - b.number)
    .flatMap((i): PlanContract[] => {
      switch (i.contract.status) {
        case "absent":
          return [];
        case "invalid":
          return [
            {
              key: `#${i.number}`,
              issue: i.number,
              title: i.title,
              id: undefined,
              invalid: i.contract.errors[0]?.message ?? "the contract does not parse",
              dependsOn: [],
              hotspots: [],
            },
          ];
        case "valid": {
          const c = i.contract.contract;
          return [
            {
              key: `#${i.number}`,
              issue: i.number,
              title: i.title,
              id: c.nmoe.issue,
              dependsOn: c.nmoe.depends_on ?? [],
              hotspots: c.nmoe.merge_hotspots ?? [],
            },
          ];
        }
      }
    });
}

/** Recently closed issues (one page): where most `depends_on` ids of a live repo are found, done. */
async function recentlyClosed(client: RepoClient): Promise<IssueSummary[]> {
  const res = await client.octokit.rest.issues.listForRepo({
    owner: client.owner,
    repo: client.repo,
    state: "closed",
    sort: "updated",
    direction: "desc",
    per_page: 100,
  });
  return res.data
    .filter((i) => !i.pull_request)
    .map((i) => ({
      number: i.number,
      title: i.title,
      body: i.body ?? null,
      state: "closed" as const,
      labels: [],
      author: authorOf(i),
    }));
}

async function resolveIds(
  client: RepoClient,
  config: ResolvedConfig,
  contracts: readonly PlanContract[],
  openIssues: readonly IssueWithContract[],
): Promise<Map<string, Resolution>> {
  const out = new Map<string, Resolution>();
  const planned = new Set(contracts.map((c) => c.issue));
  const ids = [...new Map(contracts.flatMap((c) => c.dependsOn).map((id) => [idKey(id), id])).values()];
  const open = toOpenIssues(openIssues);
  const unresolved: string[] = [];
  for (const id of ids) {
    const found = byContractId(open, id)[0];
    if (!found) unresolved.push(id);
    else
      out.set(
        idKey(id),
        planned.has(found.number)
          ? { kind: "contract", key: `#${found.number}` }
          : { kind: "open-issue", issue: found.number },
      );
  }
  if (unresolved.length === 0) return out;

  const closed = await recentlyClosed(client);
  const closedIds = new Map<string, number>();
  for (const i of closed) {
    const report = readContract(i.body, contractOptions(config));
    const id = report.status === "valid" ? report.contract.nmoe.issue : titleId(i.title);
    if (id !== undefined && !closedIds.has(idKey(id))) closedIds.set(idKey(id), i.number);
  }
  const rest: string[] = [];
  for (const id of unresolved) {
    const n = closedIds.get(idKey(id));
    if (n !== undefined) out.set(idKey(id), { kind: "done", issue: n });
    else rest.push(id);
  }
  for (const id of rest.slice(MAX_DEPENDENCY_LOOKUPS))
    out.set(idKey(id), { kind: "unknown", reason: tooManyLookups(MAX_DEPENDENCY_LOOKUPS) });
  for (const fact of await resolveDependencies(client, rest.slice(0, MAX_DEPENDENCY_LOOKUPS), openIssues)) {
    const resolution: Resolution =
      fact.state === "done"
        ? fact.issue !== undefined
          ? { kind: "done", issue: fact.issue }
          : { kind: "done" }
        : fact.state === "open" && fact.issue !== undefined
          ? { kind: "open-issue", issue: fact.issue }
          : fact.state === "missing"
            ? { kind: "missing" }
            : { kind: "unknown", reason: SEARCH_DID_NOT_ANSWER };
    out.set(idKey(fact.id), resolution);
  }
  return out;
}

export async function gatherPlan(
  client: RepoClient,
  config: ResolvedConfig,
  registry: Result<Registry>,
): Promise<PlanFacts> {
  const openIssues = await openIssuesWithContracts(client, config, registry);
  const contracts = contractsOf(openIssues);
  const keys = new Set(contracts.map((c) => c.key));
  const pulls: PlanPull[] = [];
  let read = 0;
  for (const p of await listOpenPulls(client)) {
    const link = linkPull(client, config, p, openIssues);
    if (!link.ok || !keys.has(`#${link.issue}`)) continue;
    const seen =
      read++ < MAX_PLAN_PULLS
        ? pullStateOf(await findCheckRun(client, p.headSha, CHECK_NAME))
        : pullNotRead(MAX_PLAN_PULLS);
    pulls.push({ number: p.number, contract: `#${link.issue}`, ...seen });
  }
  const resolutions = await resolveIds(client, config, contracts, openIssues);
  return { input: { contracts, pulls, resolutions }, openIssues };
}
