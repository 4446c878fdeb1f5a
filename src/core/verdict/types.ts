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

/** Events that can change a criterion's answer; a handler re-evaluates when its event touches one. */
export type Trigger = "pull_request" | "contract" | "registry" | "tier_b" | "comment" | "dependency" | "other_pulls";

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

export type FileFacts = { ok: true; files: ChangedFile[] } | { ok: false; reason: string };

export interface DependencyFact {
  id: string;
  /** `done`: its issue is closed; `open`: still open; `missing`: no issue found for the id; `unknown`: the lookup failed. */
  state: "done" | "open" | "missing" | "unknown";
  issue?: number;
}

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
   * `changedLines`: additions plus deletions as GitHub counts them; `headRef`: the PR's head branch
   * name, for the contract's `branch` rule (each undefined when unknown).
   */
  pr: { number: number; headSha: string; draft: boolean; changedLines?: number; headRef?: string };
  registry: Result<Registry>;
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
