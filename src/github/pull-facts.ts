/** Gather everything the verdict needs for one PR, each fact fetched at most once per event. */
import { readAttestation } from "../core/attestation/read.js";
import type { ResolvedConfig } from "../core/config/defaults.js";
import { readContract, type ContractReport } from "../core/contract/read.js";
import type { Registry } from "../core/gates/registry.js";
import type { Ledger } from "../core/ledger/types.js";
import type { Contract } from "../core/schemas/contract.generated.js";
import { contractAuthority, contractHash, type Actor, type Authority } from "../core/trust/acceptance.js";
import { floorOf } from "../core/trust/floor.js";
import { linkContract, type OpenIssue } from "../core/linking/link.js";
import type { Result } from "../core/problem.js";
import { pullSafetyReport } from "../core/render/safety.js";
import { scan } from "../core/sanitize/sanitize.js";
import type { SafetyState } from "../core/safety/state.js";
import { attestationOptions, contractOptions } from "../core/config/readers.js";
import { artifactOwnersOf, hotspotCollisions } from "../core/verdict/collisions.js";
import {
  classifyDependencies,
  nextLookup,
  type DependencyLookup,
  type LookupAnswer,
} from "../core/verdict/dependencies.js";
import type { DependencyFact, PullFacts } from "../core/verdict/types.js";
import { actorFacts } from "./actors.js";
import type { RepoClient } from "./client.js";
import { readSticky } from "./ledger-store.js";
import { isApiFailure } from "./errors.js";
import {
  getIssue,
  listOpenIssues,
  listOpenPulls,
  listPullFiles,
  type FileList,
  type IssueSummary,
  type PullSnapshot,
} from "./pulls.js";
import { searchIssueByTitleId } from "./search.js";

export interface IssueWithContract extends IssueSummary {
  contract: ContractReport;
}

export function toOpenIssues(issues: readonly IssueWithContract[]): OpenIssue[] {
  return issues.map((i) => ({
    number: i.number,
    title: i.title,
    contractId: i.contract.status === "valid" ? i.contract.contract.nmoe.issue : undefined,
  }));
}

/** Open issues with their contracts read (pure parsing; the list is one paginated call). */
export async function openIssuesWithContracts(
  client: RepoClient,
  config: ResolvedConfig,
  registry: Result<Registry>,
): Promise<IssueWithContract[]> {
  const issues = await listOpenIssues(client);
  return issues.map((i) => ({ ...i, contract: readContract(i.body, contractOptions(config), registry) }));
}

/** Which open issue (if any) a PR implements. */
export function linkPull(
  client: RepoClient,
  config: ResolvedConfig,
  pr: Pick<PullSnapshot, "body" | "headRef">,
  openIssues: readonly IssueWithContract[],
) {
  const attestation = readAttestation(pr.body, attestationOptions(config));
  return linkContract({
    body: pr.body,
    repoFullName: `${client.owner}/${client.repo}`,
    attestationIssue: attestation.status === "valid" ? attestation.attestation.nmoe_pr.issue : undefined,
    branch: pr.headRef,
    openIssues: toOpenIssues(openIssues),
  });
}

/** Run one lookup core asked for. Only search failures become an answer; other API errors fail the event. */
async function lookUp(client: RepoClient, lookup: DependencyLookup): Promise<LookupAnswer> {
  switch (lookup.kind) {
    case "title-search": {
      try {
        const hit = await searchIssueByTitleId(client, lookup.id);
        return hit ? { kind: "found", ...hit } : { kind: "none" };
      } catch (err) {
        if (!isApiFailure(err)) throw err;
        return { kind: "failed" };
      }
    }
    case "issue-number": {
      const issue = await getIssue(client, lookup.number);
      return issue ? { kind: "found", number: issue.number, state: issue.state } : { kind: "none" };
    }
  }
}

/** `depends_on` ids, looked up among all issues in the order core decides (`nextLookup`). */
export async function resolveDependencies(
  client: RepoClient,
  ids: readonly string[],
  openIssues: readonly IssueWithContract[],
): Promise<DependencyFact[]> {
  const { facts, unresolved } = classifyDependencies(ids, toOpenIssues(openIssues));
  for (const id of unresolved) {
    const answers: LookupAnswer[] = [];
    for (let step = nextLookup(id, answers); ; step = nextLookup(id, answers)) {
      if ("fact" in step) {
        facts.push(step.fact);
        break;
      }
      answers.push(await lookUp(client, step.lookup));
    }
  }
  return facts;
}

export interface GatherInput {
  client: RepoClient;
  config: ResolvedConfig;
  registry: Result<Registry>;
  pr: PullSnapshot;
  ledger: Ledger;
  /** Findings remembered from comments on the PR. */
  commentSafety: SafetyState;
  /** What the caller already read in this event (re-checking several PRs): not read again. */
  prefetched?: {
    openIssues?: IssueWithContract[];
    openPulls?: PullSnapshot[];
    files?: FileList;
    /** The ledger of a contract issue the caller just wrote (its acceptances). */
    contractRecord?: { issue: number; ledger: Ledger };
  };
}

/**
 * Whether the contract counts, reading only what the answer needs: nothing when the PR's ledger
 * remembers this contract's acceptance, else the issue's sticky comment, and the author's
 * permission only when that issue has no record at all.
 */
async function standingOf(
  input: GatherInput,
  issue: number,
  contract: Contract,
  author: IssueSummary["author"],
): Promise<Authority> {
  const hash = contractHash(contract);
  const given = input.prefetched?.contractRecord;
  let record = given?.issue === issue ? given.ledger : undefined;
  let actor: Actor | undefined;
  for (let step = 0; step < 3; step++) {
    const answer = contractAuthority({ issue, hash, cached: input.ledger.contract, record, author: actor });
    if (answer.status !== "need") return answer;
    if (answer.fact === "record") record = (await readSticky(input.client, "issue", issue)).ledger;
    else actor = await actorFacts(input.client, input.config, author);
  }
  throw new Error("standingOf: contractAuthority asked for more facts than there are");
}

export async function gatherPullFacts(input: GatherInput): Promise<PullFacts> {
  const { client, config, registry, pr } = input;
  const files = input.prefetched?.files ?? (await listPullFiles(client, pr));
  const openIssues = input.prefetched?.openIssues ?? (await openIssuesWithContracts(client, config, registry));
  const attestation = readAttestation(pr.body, attestationOptions(config));
  const link = linkPull(client, config, pr, openIssues);

  let contract: ContractReport | undefined;
  let contractIssueBody: string | null = null;
  let contractIssue: IssueSummary | undefined;
  if (link.ok) {
    const issue = openIssues.find((i) => i.number === link.issue);
    if (issue) {
      contract = issue.contract;
      contractIssueBody = issue.body;
      contractIssue = issue;
    } else {
      // Linked by a closing keyword to an issue that is not open (or not listed): read it.
      const fetched = await getIssue(client, link.issue);
      contractIssueBody = fetched?.body ?? null;
      contractIssue = fetched;
      contract = fetched ? readContract(fetched.body, contractOptions(config), registry) : { status: "absent" };
    }
  }
  const valid = contract?.status === "valid" ? contract.contract : undefined;
  // Only an open issue's contract can count; a closed one is reported as such without further reads.
  const standing =
    valid && link.ok && contractIssue?.state === "open"
      ? await standingOf(input, link.issue, valid, contractIssue.author)
      : undefined;
  const dependencies = valid ? await resolveDependencies(client, valid.nmoe.depends_on ?? [], openIssues) : [];

  const others = (input.prefetched?.openPulls ?? (await listOpenPulls(client))).filter((p) => p.number !== pr.number);
  const sameHead = others.filter((p) => p.headSha === pr.headSha).map((p) => p.number);
  const mine = { issue: link.ok ? link.issue : undefined, hotspots: valid?.nmoe.merge_hotspots ?? [] };
  // Linking every other open PR parses its body: only worth it when this contract names hotspots.
  const hotspots =
    mine.hotspots.length === 0
      ? []
      : hotspotCollisions(
          mine,
          others.map((p) => {
            const l = linkPull(client, config, p, openIssues);
            const issue = l.ok ? l.issue : undefined;
            return { pr: p.number, issue, contract: openIssues.find((i) => i.number === issue)?.contract };
          }),
        );
  // Read from the list already fetched, no extra call.
  const artifactOwners = artifactOwnersOf(openIssues, link.ok ? link.issue : undefined);

  const safety = pullSafetyReport({
    body: scan(pr.body ?? "", client.sanitize),
    comments: input.commentSafety,
    ...(link.ok && contractIssueBody
      ? { issue: { number: link.issue, findings: scan(contractIssueBody, client.sanitize) } }
      : {}),
  });

  return {
    pr: {
      number: pr.number,
      headSha: pr.headSha,
      draft: pr.draft,
      title: pr.title,
      headRef: pr.headRef,
      ...(pr.changedLines !== undefined ? { changedLines: pr.changedLines } : {}),
    },
    registry,
    registrySource: { kind: "default-branch", path: config.registry.path, branch: client.defaultBranch },
    link: link.ok ? { ok: true, issue: link.issue, via: link.via } : { ok: false, problem: link.problem },
    ...(contractIssue ? { contractIssue: { state: contractIssue.state, author: contractIssue.author.login } } : {}),
    contract,
    standing,
    floor: floorOf(config),
    attestation,
    attestationHeaderKey: config.attestation.header_key,
    files,
    ledger: input.ledger,
    dependencies,
    safety,
    sameHead,
    hotspots,
    artifactOwners,
  };
}
