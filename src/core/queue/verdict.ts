/**
 * The verdict on a merge group: green only when every PR in it is green on its own head, no two
 * unmerged PRs share a merge hotspot, and every `depends_on` is done — a dependency implemented by
 * a PR ahead in the same group counts as done, because the queue merges in order.
 */
import { code } from "../render/markdown.js";
import type { Outcome } from "../verdict/evaluate.js";
import type { CriterionResult, DependencyFact } from "../verdict/types.js";

/** A PR's own verdict on its head, as the merge-group handler found it. */
export type OwnVerdict =
  /** Our `merge-captain` check on its head is green: reused as it stands. */
  | { kind: "green"; title: string }
  /** Evaluated for this group (its check was missing, stale or not green). */
  | { kind: "evaluated"; outcome: Outcome; title: string; results: CriterionResult[]; dependencies: DependencyFact[] }
  /** It could not be judged (closed, not found): never green. */
  | { kind: "unavailable"; reason: string };

export interface GroupMember {
  pr: number;
  headSha: string;
  /** Merged already: it no longer competes for hotspots. */
  merged: boolean;
  /** The contract issue it implements, when linked. */
  issue: number | undefined;
  contractId: string | undefined;
  hotspots: readonly string[];
  own: OwnVerdict;
}

export type GroupRule = "own-verdict" | "depends-on" | "hotspot";

/** One thing that keeps the group from merging: which PR, which rule, and what to do. */
export interface GroupProblem {
  pr: number;
  rule: GroupRule;
  message: string;
  fix: string;
}

export type MemberState = "green" | "green-in-group" | "blocked" | "unverified";

export interface MemberVerdict {
  pr: number;
  state: MemberState;
  /** What its own check says (or why there is none). */
  own: string;
  /** Dependencies the group satisfies: `05` → the PR ahead that implements it. */
  satisfiedAhead: { id: string; pr: number }[];
}

export interface GroupVerdict {
  outcome: "green" | "blocked" | "unverified";
  members: MemberVerdict[];
  problems: GroupProblem[];
}

/** Criteria a PR's own verdict may leave unfinished and the group still settle: only `depends_on`. */
const GROUP_SETTLES = "depends-on";

function isOpenRow(r: CriterionResult): boolean {
  return r.status === "fail" || r.status === "unverified" || r.status === "pending";
}

function judgeDependencies(
  member: GroupMember,
  dependencies: readonly DependencyFact[],
  ahead: readonly GroupMember[],
  behind: readonly GroupMember[],
): { satisfied: { id: string; pr: number }[]; problems: GroupProblem[] } {
  const satisfied: { id: string; pr: number }[] = [];
  const problems: GroupProblem[] = [];
  for (const d of dependencies) {
    if (d.state === "done") continue;
    if (d.state === "missing" || d.state === "unknown") {
      problems.push({
        pr: member.pr,
        rule: "depends-on",
        message:
          d.state === "missing"
            ? `#${member.pr} depends on ${code(d.id)}, but no issue carries that id`
            : `#${member.pr} depends on ${code(d.id)}, which could not be looked up`,
        fix: d.state === "missing" ? "correct the contract's depends_on" : "re-run the check once GitHub answers",
      });
      continue;
    }
    const byAhead = ahead.find((m) => m.issue !== undefined && m.issue === d.issue);
    if (byAhead) {
      satisfied.push({ id: d.id, pr: byAhead.pr });
      continue;
    }
    const byBehind = behind.find((m) => m.issue !== undefined && m.issue === d.issue);
    problems.push({
      pr: member.pr,
      rule: "depends-on",
      message: byBehind
        ? `#${member.pr} depends on ${code(d.id)} (#${d.issue}), which #${byBehind.pr} implements — but #${byBehind.pr} is behind it in the queue`
        : `#${member.pr} depends on ${code(d.id)} (#${d.issue}), which is still open and no PR ahead of it in this group implements it`,
      fix: byBehind
        ? `dequeue #${member.pr} and queue it again after #${byBehind.pr}`
        : `merge the PR for #${d.issue} first, then queue #${member.pr} again`,
    });
  }
  return { satisfied, problems };
}

/** The group's verdict, member by member, in queue order. */
export function judgeGroup(members: readonly GroupMember[]): GroupVerdict {
  const problems: GroupProblem[] = [];
  const verdicts: MemberVerdict[] = [];
  members.forEach((member, i) => {
    const ahead = members.slice(0, i);
    const behind = members.slice(i + 1);
    const mine: GroupProblem[] = [];
    let satisfiedAhead: { id: string; pr: number }[] = [];
    let own: string;
    let memberUnverified = false;
    switch (member.own.kind) {
      case "green":
        own = member.own.title;
        break;
      case "unavailable":
        own = member.own.reason;
        memberUnverified = true;
        mine.push({
          pr: member.pr,
          rule: "own-verdict",
          message: `#${member.pr} could not be judged: ${member.own.reason}`,
          fix: "re-run the merge-captain check on the merge group",
        });
        break;
      case "evaluated": {
        own = member.own.title;
        if (member.own.outcome === "green") break;
        const open = member.own.results.filter(isOpenRow);
        const others = open.filter((r) => r.id !== GROUP_SETTLES);
        if (others.length > 0) {
          memberUnverified = others.every((r) => r.status === "unverified");
          mine.push({
            pr: member.pr,
            rule: "own-verdict",
            message: `#${member.pr} is not green on its own head: ${others.map((r) => r.title).join(", ")}`,
            fix: `fix #${member.pr} (its merge-captain check says what is missing), then queue it again`,
          });
        } else {
          const deps = judgeDependencies(member, member.own.dependencies, ahead, behind);
          satisfiedAhead = deps.satisfied;
          mine.push(...deps.problems);
        }
        break;
      }
    }
    for (const earlier of ahead) {
      if (earlier.merged || member.merged) continue;
      const shared = member.hotspots.filter((h) => earlier.hotspots.includes(h));
      if (shared.length === 0) continue;
      mine.push({
        pr: member.pr,
        rule: "hotspot",
        message: `#${earlier.pr} and #${member.pr} both change the merge hotspot${shared.length === 1 ? "" : "s"} ${shared.map((h) => code(h)).join(", ")}`,
        fix: `let #${earlier.pr} merge first, then queue #${member.pr} again on top of it`,
      });
    }
    problems.push(...mine);
    verdicts.push({
      pr: member.pr,
      state:
        mine.length === 0
          ? satisfiedAhead.length > 0
            ? "green-in-group"
            : "green"
          : memberUnverified && mine.every((p) => p.rule === "own-verdict")
            ? "unverified"
            : "blocked",
      own,
      satisfiedAhead,
    });
  });
  const outcome =
    problems.length === 0 ? "green" : verdicts.some((v) => v.state === "blocked") ? "blocked" : "unverified";
  return { outcome, members: verdicts, problems };
}
