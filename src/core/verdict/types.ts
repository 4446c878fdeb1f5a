/** The verdict's vocabulary: the facts a PR is judged on, and what each criterion answers. */
import type { AttestationReport } from "../attestation/read.js";
import type { ContractReport } from "../contract/read.js";
import type { Registry } from "../gates/registry.js";
import type { Ledger } from "../ledger/types.js";
import type { Problem, Result } from "../problem.js";
import type { SafetyReport } from "../render/safety.js";
import type { Contract } from "../schemas/contract.generated.js";
import type { ChangedFile } from "../scope/check.js";
import type { Authority } from "../trust/acceptance.js";
import type { Floor } from "../trust/floor.js";

/** `unverified`: the bot could not check (API limit, broken registry) — shown apart from `fail`, never green. */
export type Status = "pass" | "fail" | "warn" | "pending" | "unverified";

/**
 * What can change a criterion's answer. Each criterion declares the triggers it reads; a handler
 * maps its event to triggers (`triggers.ts`) and evaluates only when a criterion declares one.
 */
export type Trigger =
  /** The PR body: the attestation, the closing keywords that link the contract, public safety. */
  | "pr.body"
  | "pr.title"
  /** New commits: the head SHA and the changed files. */
  | "pr.head"
  /** The PR was retargeted: the changed files. */
  | "pr.base"
  /** The linked issue's contract changed (or the PR now links another issue). */
  | "contract"
  | "registry"
  | "tier_b"
  /** A comment on the PR (public safety). */
  | "comment"
  | "dependency"
  | "other_pulls";

export interface FileAnnotation {
  path: string;
  message: string;
}

export interface CriterionResult {
  id: string;
  title: string;
  status: Status;
  /** One line a person reads in the table. */
  summary: string;
  /** Longer lines (violations, errors), rendered below the table. */
  details: string[];
  /** The next step, when there is one. */
  fix?: string;
  annotations?: FileAnnotation[];
}

export type LinkOutcome = { ok: true; issue: number; via: string } | { ok: false; problem: Problem };

/** Why the changed files could not all be listed: GitHub's 3000-file cap, or a list shorter than the PR says. */
export type Unlisted =
  { kind: "too-many"; changed: number; limit: number } | { kind: "count-mismatch"; listed: number; reported: number };

export type FileFacts = { ok: true; files: ChangedFile[] } | { ok: false; unlisted: Unlisted };

export interface DependencyFact {
  id: string;
  /** `done`: its issue is closed; `open`: still open; `missing`: no issue found for the id; `unknown`: the lookup failed. */
  state: "done" | "open" | "missing" | "unknown";
  issue?: number;
}

/** Where the gate registry was read: the bot reads it from the default branch, the CLI from a file. */
export type RegistrySource = { kind: "default-branch"; path: string; branch: string } | { kind: "file"; path: string };

/** Whether the contract counts as policy; `unknown` offline (the CLI), where the bot decides it later. */
export type Standing = Authority | { status: "unknown" };

/** Another open issue whose valid contract owns artifact paths (`artifacts_under`). */
export interface ArtifactOwner {
  issue: number;
  contract: Contract;
}

/** Everything the verdict is decided on: plain data, fetched once per event by the handler. */
export interface PullFacts {
  /**
   * `headSha` is "" when it is not known (only offline: the CLI without `--head-sha` outside git);
   * `changedLines`: additions plus deletions as GitHub counts them; `headRef`: the PR's head branch
   * name, for the contract's `branch` rule (each undefined when unknown).
   */
  pr: { number: number; headSha: string; draft: boolean; title: string; changedLines?: number; headRef?: string };
  registry: Result<Registry>;
  registrySource: RegistrySource;
  link: LinkOutcome;
  /** The linked issue as read: a closed issue's contract is not a contract for a new verdict. */
  contractIssue?: { state: "open" | "closed"; author: string };
  /** The linked issue's contract; undefined when no issue is linked. */
  contract: ContractReport | undefined;
  /** Whether a valid contract counts (written or accepted by a write user); undefined without a valid contract. */
  standing: Standing | undefined;
  /** The repository's policy floor (config on the default branch). */
  floor: Floor;
  attestation: AttestationReport;
  attestationHeaderKey: string;
  files: FileFacts;
  ledger: Ledger;
  dependencies: DependencyFact[];
  safety: SafetyReport;
  /** Other open PRs whose head is this PR's head SHA. */
  sameHead: number[];
  /** Merge hotspots of this contract that other open PRs' contracts also name. */
  hotspots: { path: string; prs: number[] }[];
  /**
   * Facts the caller could not gather — the offline CLI has no Tier-B runs (`tier_b`), no issue
   * lists (`dependency`) and no other PRs (`other_pulls`). A criterion that needs one waits for
   * the bot (⏳) instead of failing on no runs or passing on empty lists. None when absent.
   */
  unavailable?: readonly Trigger[];
  /** Other open issues' contracts that own artifact paths; undefined when they were not read (offline). */
  artifactOwners?: ArtifactOwner[];
}

export interface Criterion {
  id: string;
  title: string;
  triggers: readonly Trigger[];
  /** Absent: always shown. A criterion for a rule the contract does not use returns false and gets no row. */
  appliesTo?(facts: PullFacts): boolean;
  evaluate(facts: PullFacts): CriterionResult;
}
