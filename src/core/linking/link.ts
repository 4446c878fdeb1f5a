/**
 * Find the contract issue a PR implements, from three routes in priority order: a closing keyword
 * in the PR body, the attestation's `issue` id, the branch name. Routes that are present must agree.
 */
import { idKey, sameId } from "../ids.js";
import { problem, show, type Problem } from "../problem.js";
import { parseBranchId } from "./branch.js";
import { parseClosingRefs } from "./closing-refs.js";

export type LinkRoute = "closing-keyword" | "attestation" | "branch";

/** An open issue as the handler lists it; `contractId` is set when its contract was read. */
export interface OpenIssue {
  number: number;
  title: string;
  contractId?: string | undefined;
}

export interface LinkFacts {
  /** The PR body (closing keywords). */
  body: string | null;
  /** `owner/repo`: closing keywords that name another repository do not count. */
  repoFullName: string;
  /** The attestation's `issue` id, when the attestation could be read. */
  attestationIssue: string | undefined;
  /** The PR's head branch name. */
  branch: string | undefined;
  openIssues: readonly OpenIssue[];
}

/** What one route said, and which issue it points at (undefined: it names an id no open issue carries). */
export interface LinkSource {
  via: LinkRoute;
  said: string;
  /** The contract id the route names (attestation and branch routes). */
  id?: string;
  issue: number | undefined;
}

export type LinkResult =
  | { ok: true; issue: number; via: LinkRoute; sources: LinkSource[] }
  | { ok: false; problem: Problem; sources: LinkSource[] };

const TITLE_ID = /^\s*\[([A-Za-z0-9][A-Za-z0-9._-]{0,31})\]/;

/** The id an issue title carries in the nmoe convention: `[03a] Attention` → `03a`. */
export function titleId(title: string): string | undefined {
  return TITLE_ID.exec(title)?.[1];
}

export function linkContract(facts: LinkFacts): LinkResult {
  const sources: LinkSource[] = [];

  const refs = parseClosingRefs(facts.body, facts.repoFullName);
  if (refs.length > 1) {
    return failed(
      problem(
        "link.ambiguous-closing",
        "",
        `the PR body closes ${list(refs.map((r) => "#" + r))}; a PR implements one contract issue`,
        "keep one closing keyword, e.g. `Fixes #" + refs[0] + "`, and mention the other issues without it",
      ),
      [{ via: "closing-keyword", said: refs.map((r) => "#" + r).join(", "), issue: undefined }],
    );
  }
  if (refs[0] !== undefined)
    sources.push({ via: "closing-keyword", said: `a closing keyword for #${refs[0]}`, issue: refs[0] });

  for (const [via, id, said] of [
    ["attestation", facts.attestationIssue, `the attestation's \`issue: ${facts.attestationIssue}\``],
    ["branch", parseBranchId(facts.branch), `the branch \`${facts.branch}\` (id ${parseBranchId(facts.branch)})`],
  ] as const) {
    if (id === undefined) continue;
    const found = byContractId(facts.openIssues, id);
    if (found.length > 1) {
      return failed(
        problem(
          "link.duplicate-id",
          "",
          `issues ${list(found.map((i) => "#" + i.number))} all carry the contract id ${show(id)}`,
          "give each contract issue its own id; close or renumber the duplicate",
        ),
        sources,
      );
    }
    sources.push({ via, said, id, issue: found[0]?.number });
  }

  const resolved = sources.filter((s): s is LinkSource & { issue: number } => s.issue !== undefined);
  const chosen = resolved[0];
  if (!chosen) {
    const tried =
      sources.length === 0
        ? "no closing keyword, no attestation `issue` and no `issue/<id>-<slug>` branch"
        : sources.map((s) => `${s.said} matches no open issue`).join("; ");
    return failed(
      problem(
        "link.not-found",
        "",
        `no contract issue found for this PR: ${tried}`,
        "add `Fixes #<issue number>` to the PR body, and set the attestation's `issue` to the contract's id",
      ),
      sources,
    );
  }
  // An id route that matched no open issue still disagrees when the chosen issue is known to carry another id.
  const chosenId = idOf(facts.openIssues.find((i) => i.number === chosen.issue));
  const disagree = sources.some((s) =>
    s.issue !== undefined
      ? s.issue !== chosen.issue
      : chosenId !== undefined && s.id !== undefined && !sameId(s.id, chosenId),
  );
  if (disagree) {
    const parts = sources.map((s) => `${s.said} → ${s.issue === undefined ? "no open issue" : "#" + s.issue}`);
    return failed(
      problem(
        "link.disagree",
        "",
        `the routes to the contract issue disagree: ${parts.join("; ")}`,
        "make the closing keyword, the attestation's `issue` and the branch name all point at the same issue",
      ),
      sources,
    );
  }
  return { ok: true, issue: chosen.issue, via: chosen.via, sources };
}

/** Open issues whose contract carries `id`; only when none does, issues whose title starts with `[id]`. */
export function byContractId(issues: readonly OpenIssue[], id: string): OpenIssue[] {
  const byContract = issues.filter((i) => i.contractId !== undefined && sameId(i.contractId, id));
  if (byContract.length > 0) return byContract;
  return issues.filter(
    (i) => i.contractId === undefined && titleId(i.title) !== undefined && idKey(titleId(i.title)!) === idKey(id),
  );
}

function idOf(issue: OpenIssue | undefined): string | undefined {
  return issue === undefined ? undefined : (issue.contractId ?? titleId(issue.title));
}

function failed(p: Problem, sources: LinkSource[]): LinkResult {
  return { ok: false, problem: p, sources };
}

function list(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
