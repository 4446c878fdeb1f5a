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

export type Membership = { ok: true; prs: number[] } | { ok: false; problem: Problem };

// The merge queue writes these first lines: a merge commit ("Merge pull request #12 from owner/branch")
// or a squash commit ("Title (#12)"). A rebased PR keeps its own messages: it is found by its head SHA.
const MERGE_COMMIT = /^Merge pull request #([1-9][0-9]{0,9}) from \S/;
const SQUASH_COMMIT = /\(#([1-9][0-9]{0,9})\)\s*$/;

/** The PR a commit belongs to, if it says: a parent or the commit itself is a candidate's head, or its first line names one. */
function prOf(commit: GroupCommit, byHead: ReadonlyMap<string, number>, open: ReadonlySet<number>): number | undefined {
  const own = byHead.get(commit.sha);
  if (own !== undefined) return own;
  for (const parent of commit.parents) {
    const merged = byHead.get(parent.toLowerCase());
    if (merged !== undefined) return merged;
  }
  const first = commit.message.split("\n", 1)[0]!.slice(0, 500);
  for (const pattern of [MERGE_COMMIT, SQUASH_COMMIT]) {
    const n = Number(pattern.exec(first)?.[1] ?? NaN);
    // Only open PRs count: a squash title may quote an old PR number.
    if (open.has(n)) return n;
  }
  return undefined;
}

/**
 * The group's PRs in queue order (the order their commits appear). The ref's PR is always last.
 * `truncated`: the compare API did not list every commit, so an earlier PR could be missed — the
 * answer is then "cannot tell", never a shorter group.
 */
export function groupMembers(input: {
  ref: QueueRef;
  commits: readonly GroupCommit[];
  truncated: boolean;
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
  const byHead = new Map(input.candidates.map((c) => [c.headSha.toLowerCase(), c.number]));
  const open = new Set(input.candidates.map((c) => c.number));
  const prs: number[] = [];
  for (const commit of input.commits) {
    const n = prOf({ ...commit, sha: commit.sha.toLowerCase() }, byHead, open);
    if (n !== undefined && n !== input.ref.lastPr && !prs.includes(n)) prs.push(n);
  }
  prs.push(input.ref.lastPr);
  return { ok: true, prs };
}
