/**
 * Which pull requests a merge group contains, and in which order: from the group's ref
 * (`refs/heads/gh-readonly-queue/<base>/pr-<N>-<sha>` names the last PR) and the commits the group
 * adds to its base branch, as GitHub's compare API lists them (oldest first).
 */
import { problem, type Problem } from "../problem.js";

/** A merge group's ref: the base branch it will land on and the PR whose queue entry it is (always the last one). */
export interface QueueRef {
  baseBranch: string;
  lastPr: number;
}

/** `refs/heads/` is optional: the `push` event and the branch list name it without. */
const QUEUE_REF = /^(?:refs\/heads\/)?gh-readonly-queue\/([^\s]{1,255})\/pr-([1-9][0-9]{0,9})-([0-9a-f]{40})$/;

export function parseQueueRef(ref: string): QueueRef | undefined {
  if (ref.length > 400) return undefined;
  const m = QUEUE_REF.exec(ref);
  return m ? { baseBranch: m[1]!, lastPr: Number(m[2]) } : undefined;
}

/** A commit of the group (what the compare API returns about it). */
export interface GroupCommit {
  sha: string;
  message: string;
  parents: readonly string[];
}

/** An open PR that could be in the group. */
export interface QueueCandidate {
  number: number;
  headSha: string;
}

/** A live queue entry's branch (`gh-readonly-queue/<base>/pr-<N>-…`) and the commit it points at: that entry's group head. */
export interface QueueEntryRef {
  pr: number;
  sha: string;
}

export type Membership = { ok: true; prs: number[] } | { ok: false; problem: Problem };

// The merge queue writes these first lines: a merge commit ("Merge pull request #12 from owner/branch")
// or a squash commit ("Title (#12)"). A rebased PR keeps its own messages: it is found by its queue ref.
const MERGE_COMMIT = /^Merge pull request #([1-9][0-9]{0,9}) from \S/;
const SQUASH_COMMIT = /\(#([1-9][0-9]{0,9})\)\s*$/;

interface Lookup {
  byRef: ReadonlyMap<string, number>;
  byHead: ReadonlyMap<string, number>;
  open: ReadonlySet<number>;
}

/** The PR a queue commit belongs to, if anything says: a queue ref at it, the PR head as its merged parent, or its first line. */
function prOf(commit: GroupCommit, at: Lookup): number | undefined {
  const sha = commit.sha.toLowerCase();
  const byRef = at.byRef.get(sha) ?? at.byHead.get(sha);
  if (byRef !== undefined) return byRef;
  for (const parent of commit.parents.slice(1)) {
    const merged = at.byHead.get(parent.toLowerCase());
    if (merged !== undefined) return merged;
  }
  const first = commit.message.split("\n", 1)[0]!.slice(0, 500);
  for (const pattern of [MERGE_COMMIT, SQUASH_COMMIT]) {
    const n = Number(pattern.exec(first)?.[1] ?? NaN);
    // Only open PRs count: a squash title may quote an old PR number.
    if (at.open.has(n)) return n;
  }
  return undefined;
}

/**
 * The group's PRs in queue order. The queue builds each entry's commit on the one ahead, so the
 * first-parent chain from the group's head back to its base branch runs through the entries in
 * order; each is named by its queue ref, its merge commit or its squash title. The ref's PR is
 * always last. `truncated`: the compare API did not list every commit, so an earlier PR could be
 * missed — the answer is then "cannot tell", never a shorter group.
 */
export function groupMembers(input: {
  ref: QueueRef;
  headSha: string;
  commits: readonly GroupCommit[];
  truncated: boolean;
  queueRefs: readonly QueueEntryRef[];
  candidates: readonly QueueCandidate[];
}): Membership {
  if (input.truncated) {
    return {
      ok: false,
      problem: problem(
        "queue.too-many-commits",
        "",
        `the merge group adds more than ${input.commits.length} commits to \`${input.ref.baseBranch}\`, so merge-captain cannot tell which PRs it contains`,
        "queue fewer PRs at once (a smaller maximum group size in the merge queue settings)",
      ),
    };
  }
  const bySha = new Map(input.commits.map((c) => [c.sha.toLowerCase(), c]));
  const chain: GroupCommit[] = [];
  for (let at = bySha.get(input.headSha.toLowerCase()); at && chain.length <= bySha.size;) {
    chain.push(at);
    at = at.parents[0] === undefined ? undefined : bySha.get(at.parents[0].toLowerCase());
  }
  const lookup: Lookup = {
    byRef: new Map(input.queueRefs.map((r) => [r.sha.toLowerCase(), r.pr])),
    byHead: new Map(input.candidates.map((c) => [c.headSha.toLowerCase(), c.number])),
    open: new Set(input.candidates.map((c) => c.number)),
  };
  const prs: number[] = [];
  for (const commit of chain.reverse()) {
    const n = prOf(commit, lookup);
    if (n !== undefined && n !== input.ref.lastPr && !prs.includes(n)) prs.push(n);
  }
  prs.push(input.ref.lastPr);
  return { ok: true, prs };
}
