/** The `merge-captain` check on a merge group's commit, for people: each PR of the group with its verdict, and what blocks the group. */
import type { Problem } from "../problem.js";
import { bullets, code, prose, table } from "../render/markdown.js";
import { problemLine } from "../render/problems.js";
import { ICON } from "../render/verdict.js";
import type { GroupTierB } from "./tier-b.js";
import type { GroupMember, GroupVerdict, MemberState } from "./verdict.js";

export interface GroupCheckOutput {
  status: "completed" | "in_progress";
  conclusion?: "success" | "failure";
  title: string;
  summary: string;
  text: string;
}

const STATE: Record<MemberState, string> = {
  green: `${ICON.pass} green`,
  "green-in-group": `${ICON.pass} green in this group`,
  blocked: `${ICON.fail} blocked`,
  unverified: `${ICON.unverified} not verified`,
};

function prList(prs: readonly number[]): string {
  return prs.map((n) => `#${n}`).join(", ");
}

function tierBNote(t: GroupTierB): string {
  if (t.mode === "trust_pr_heads")
    return "Tier-B results count as they stand on each PR's own head (`merge_queue.tier_b: trust_pr_heads`); the group's commit is not re-run.";
  const why = "(`merge_queue.tier_b: rerun`)";
  switch (t.state) {
    case "not-needed":
      return `No contract in this group requires a Tier-B gate, so nothing runs on its commit ${why}.`;
    case "not-started":
      return `Tier-B runs on the group's commit ${why} only once the group is otherwise green.`;
    case "pass":
      return `${ICON.pass} Tier-B passed on the group's commit ${why}.`;
    case "pending":
      return `${ICON.pending} ${t.summary} ${why}.`;
    case "fail":
      return `${ICON.fail} ${t.summary} ${why}.`;
  }
}

export function groupCheckOutput(input: {
  verdict: GroupVerdict;
  members: readonly GroupMember[];
  baseBranch: string;
  tierB: GroupTierB;
}): GroupCheckOutput {
  const { verdict, members, tierB } = input;
  const order = members.map((m) => m.pr);
  const rows = verdict.members.map((v, i) => {
    const m = members[i]!;
    const problems = verdict.problems.filter((p) => p.pr === v.pr);
    // Messages are our sentences with user values in code spans; in a cell a pipe must be escaped.
    const group =
      problems.length > 0
        ? problems.map((p) => p.message.replace(/\|/g, "\\|")).join("<br>")
        : v.satisfiedAhead.length > 0
          ? v.satisfiedAhead.map((s) => `${code(s.id)} is done by #${s.pr}, ahead in this group`).join("<br>")
          : "";
    return [
      String(i + 1),
      `#${v.pr}`,
      m.contractId !== undefined ? `${code(m.contractId)} (#${m.issue})` : "not linked",
      STATE[v.state],
      prose(v.own, 160),
      group,
    ];
  });
  const summary = [
    `This merge group lands ${prList(order)} on ${code(input.baseBranch)}, in this order.`,
    "",
    table(["Position", "PR", "Contract", "In the group", "Its own check", "Group rules"], rows),
    "",
    tierBNote(tierB),
  ].join("\n");
  if (verdict.outcome === "green" && tierB.mode === "rerun" && tierB.state === "pending")
    return {
      status: "in_progress",
      title: "Waiting: Tier-B on the merge group's commit",
      summary,
      text: "Every PR is green on its own head and the group's rules hold; the group waits for its own Tier-B run.",
    };
  if (verdict.outcome === "green" && tierB.mode === "rerun" && tierB.state === "fail")
    return {
      status: "completed",
      conclusion: "failure",
      title: "Not ready: Tier-B did not pass on the merge group's commit",
      summary,
      text: `${tierB.summary}. GitHub removes the PR from the queue; queue it again to run Tier-B on a new group.`,
    };
  if (verdict.outcome === "green") {
    return {
      status: "completed",
      conclusion: "success",
      title: `Ready to merge: ${prList(order)}`,
      summary,
      text: "Every PR is green on its own head, no two share a merge hotspot, and every dependency is done or ahead in this group.",
    };
  }
  const first = verdict.problems[0]!;
  const title =
    verdict.outcome === "unverified"
      ? `Not verified: ${verdict.problems.length === 1 ? first.message : `${verdict.problems.length} PRs could not be judged`}`
      : verdict.problems.length === 1
        ? `Not ready: ${first.message}`
        : `Not ready: ${verdict.problems.length} problems in this merge group`;
  const text = [
    "#### What keeps this group from merging",
    "",
    bullets(
      verdict.problems.map((p) => `${p.message} — ${p.fix}`),
      50,
    ),
    "",
    "GitHub removes a PR from the queue when its group fails; fix what is named above and queue it again.",
  ].join("\n");
  return { status: "completed", conclusion: "failure", title, summary, text };
}

/** The group could not be read (its PRs, the config): "not verified", never green. */
export function groupNotVerified(problems: readonly Problem[]): GroupCheckOutput {
  const first = problems[0];
  return {
    status: "completed",
    conclusion: "failure",
    title: `Not verified: ${first ? first.message : "merge-captain could not read this merge group"}`,
    summary: `merge-captain could not judge this merge group, so it is not green:\n\n${bullets(problems.map(problemLine))}`,
    text: "Fix what is named above; GitHub removes the PR from the queue, so queue it again afterwards.",
  };
}

/** GitHub's API failed while the group was read. */
export function groupApiFailure(status: number | undefined): GroupCheckOutput {
  return {
    status: "completed",
    conclusion: "failure",
    title: "Not verified: GitHub's API failed while checking this merge group",
    summary: `GitHub answered ${status !== undefined ? `HTTP ${status}` : "with a network error"} while merge-captain was reading this merge group, so nothing was verified. This is not a verdict on its PRs.`,
    text: "Queue the PR again to retry.",
  };
}

/** What the merge-group handler says about a member it could not judge, and about the group's own Tier-B run. */
export const GROUP_WORDS = {
  /** The member's own check was green; its title, when GitHub sent none. */
  greenTitle: "Ready to merge",
  mergedTitle: "merged",
  noLongerOpen: (pr: number) => `#${pr} is no longer open`,
  notOpen: (pr: number) => `#${pr} is not an open PR`,
  runRefused: (reason: string) => `Tier-B cannot run on the merge group's commit: ${reason}`,
  runOnItsWay: "Tier-B on the merge group's commit is on its way",
  dispatchRefused: (workflow: string, status: number | undefined) =>
    `GitHub refused to start the Tier-B workflow \`${workflow}\`${status ? ` (HTTP ${status})` : ""}; does it accept \`merge_group_ref\`?`,
  dispatched: (bundle: string) =>
    `Tier-B \`${bundle}\` was dispatched on the merge group's commit; a maintainer approves it in the Tier-B environment`,
} as const;

/** The group's ref is not `gh-readonly-queue/<branch>/pr-<number>-<sha>`: its PRs cannot be known. */
export function notAQueueRef(): Problem {
  return {
    code: "queue.ref",
    path: "",
    message:
      "the merge group's ref is not a merge queue ref (`gh-readonly-queue/<branch>/pr-<number>-<sha>`), so its PRs are unknown",
  };
}
