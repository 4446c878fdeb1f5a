/** `merge-captain plan`: the merge plan offline, from issue and PR files, for a coordinator agent — the same plan the bot keeps in its issue. */
import { basename, join, resolve } from "node:path";
import { readAttestation } from "../../core/attestation/read.js";
import { DEFAULT_CONFIG } from "../../core/config/defaults.js";
import { attestationOptions, contractOptions } from "../../core/config/readers.js";
import { readContract } from "../../core/contract/read.js";
import { idKey } from "../../core/ids.js";
import { byContractId, type OpenIssue } from "../../core/linking/link.js";
import { parseClosingRefs } from "../../core/linking/closing-refs.js";
import { buildPlan, type Plan, type PlanContract, type PlanPull, type Resolution } from "../../core/plan/build.js";
import { renderPlanText } from "../../core/plan/render.js";
import { asIssueNumber } from "../../core/verdict/dependencies.js";
import { errorMessage, ioError, parseCommandArgs, usageError, type CliCommand } from "../args.js";
import { inputName, ioProblem, readInput } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain plan --issues <dir|file> [--issues …] [--prs <file> …] [--done <ids>] [--json]

The merge plan, offline, for a coordinator agent: each contract with its PR and what it waits for, a
suggested merge order (dependencies first; PRs that share a merge hotspot in later waves), and the
cycles and unresolved dependencies that keep PRs out of it. The bot keeps the same plan in its
merge-plan issue; here the PRs' own verdicts are not checked.

Options:
  --issues <dir|file>  issue bodies; a directory means its *.md files. Repeatable. A file named
                       <number>.md or <number>-<slug>.md is issue #<number>
  --prs <file>         PR bodies with their attestation (linked by its \`issue\` id, or \`Fixes #N\`).
                       Repeatable. <number>[-<slug>].md is PR #<number>; others are numbered in order
  --done <ids>         comma-separated depends_on ids that are already merged (their issues closed)
  --json               print {"ok","order","unordered","cycles","missing","contracts","unlinked","errors"}
  -h, --help           show this help

Exit status: 0 when the plan has no problems, 1 when a contract is invalid, a dependency cycles, or a
dependency is neither among the issues nor --done; 2 usage or I/O error.
`;

const cli: CliCommand = {
  name: "plan",
  usage,
  ioJson: (message) => ({
    ok: false,
    order: [],
    unordered: [],
    cycles: [],
    missing: [],
    contracts: [],
    unlinked: [],
    errors: [ioProblem(message)],
  }),
};

/** More files than this is a mistake (a whole repository), not a plan. */
const MAX_FILES = 1000;

interface NamedText {
  path: string;
  text: string;
}

/** `12.md`, `12-router.md` → 12. */
function numberOf(path: string): number | undefined {
  const m = /^(\d{1,9})(?:[-_.].*)?\.md$/i.exec(basename(path));
  return m ? Number(m[1]) : undefined;
}

/** Expand directories into their *.md files; read every file. */
async function readAll(io: CliIo, paths: readonly string[]): Promise<NamedText[] | { error: string }> {
  const files: string[] = [];
  for (const p of paths) {
    let names: string[] | undefined;
    try {
      names = io.readDir ? await io.readDir(resolve(io.cwd, p)) : undefined;
    } catch (err) {
      const code = err !== null && typeof err === "object" && "code" in err ? String(err.code) : "";
      if (code !== "ENOTDIR")
        return {
          error: `cannot read ${inputName(p)}: ${code === "ENOENT" ? "no such file or directory" : errorMessage(err)}`,
        };
    }
    if (names === undefined) files.push(p);
    else
      files.push(
        ...names
          .filter((n) => n.toLowerCase().endsWith(".md"))
          .sort()
          .map((n) => join(p, n)),
      );
  }
  if (files.length > MAX_FILES) return { error: `more than ${MAX_FILES} files given` };
  const out: NamedText[] = [];
  for (const path of files) {
    const read = await readInput(io, path);
    if (!read.ok) return { error: read.message };
    out.push({ path, text: read.text });
  }
  return out;
}

/** The title: a leading `# Title` line, else the contract's slug, else the file name. */
function titleOf(f: NamedText, slug: string | undefined): string {
  const first = /^#\s+(.{1,200})$/m.exec(f.text.split("\n", 1)[0] ?? "");
  return first ? first[1]!.trim() : (slug ?? basename(f.path).replace(/\.md$/i, ""));
}

function contractsOf(files: readonly NamedText[]): PlanContract[] {
  const opts = { ...contractOptions(DEFAULT_CONFIG), source: "file" as const };
  return files.map((f) => {
    const report = readContract(f.text, opts);
    const slug = report.status === "valid" ? report.contract.nmoe.slug : undefined;
    const base = { key: f.path, issue: numberOf(f.path), title: titleOf(f, slug) };
    switch (report.status) {
      case "valid":
        return {
          ...base,
          id: report.contract.nmoe.issue,
          dependsOn: report.contract.nmoe.depends_on ?? [],
          hotspots: report.contract.nmoe.merge_hotspots ?? [],
        };
      case "invalid":
        return { ...base, id: undefined, invalid: report.errors[0]?.message ?? "invalid", dependsOn: [], hotspots: [] };
      case "absent":
        return { ...base, id: undefined, invalid: "no contract found in this file", dependsOn: [], hotspots: [] };
    }
  });
}

/** Linking works on issue numbers: an unnumbered file gets one past every real number. */
interface LinkTable {
  open: OpenIssue[];
  keyOf: Map<number, string>;
}

function linkTable(contracts: readonly PlanContract[]): LinkTable {
  const top = Math.max(0, ...contracts.map((c) => c.issue ?? 0));
  const open: OpenIssue[] = [];
  const keyOf = new Map<number, string>();
  contracts.forEach((c, i) => {
    const number = c.issue ?? top + 1 + i;
    open.push({ number, title: c.title, contractId: c.id });
    keyOf.set(number, c.key);
  });
  return { open, keyOf };
}

/** Each PR to the contract it implements: the attestation's `issue` id, else `Fixes #N` to a numbered issue file. */
function pullsOf(
  files: readonly NamedText[],
  contracts: readonly PlanContract[],
  links: LinkTable,
): { pulls: PlanPull[]; unlinked: { file: string; reason: string }[] } {
  const pulls: PlanPull[] = [];
  const unlinked: { file: string; reason: string }[] = [];
  const taken = new Set(files.map((f) => numberOf(f.path)).filter((n): n is number => n !== undefined));
  let next = 1;
  for (const f of files) {
    let number = numberOf(f.path);
    if (number === undefined) {
      while (taken.has(next)) next++;
      number = next;
      taken.add(next);
    }
    const attestation = readAttestation(f.text, attestationOptions(DEFAULT_CONFIG));
    const id = attestation.status === "valid" ? attestation.attestation.nmoe_pr.issue : undefined;
    const byId = id === undefined ? undefined : byContractId(links.open, id)[0];
    const closes = parseClosingRefs(f.text, "offline/offline");
    const key = byId
      ? links.keyOf.get(byId.number)
      : contracts.find((c) => c.issue !== undefined && closes.includes(c.issue))?.key;
    if (key === undefined) {
      unlinked.push({
        file: f.path,
        reason:
          id !== undefined
            ? `its attestation's issue \`${id}\` is none of the given contracts`
            : "it has no readable attestation and closes none of the given issues",
      });
      continue;
    }
    pulls.push({ number, contract: key, state: "unchecked", summary: "not checked offline" });
  }
  return { pulls, unlinked };
}

function resolutionsOf(contracts: readonly PlanContract[], links: LinkTable, done: readonly string[]) {
  const out = new Map<string, Resolution>();
  for (const id of done) out.set(idKey(id), { kind: "done" });
  for (const c of contracts) {
    for (const id of c.dependsOn) {
      if (out.has(idKey(id))) continue;
      const found = byContractId(links.open, id)[0];
      // As the bot does, a purely numeric id may also be an issue number (of a numbered file).
      const n = asIssueNumber(id);
      const byNumber = n !== undefined && contracts.some((k) => k.issue === n) ? links.keyOf.get(n) : undefined;
      const key = found ? links.keyOf.get(found.number) : byNumber;
      out.set(
        idKey(id),
        key !== undefined
          ? { kind: "contract", key }
          : {
              kind: "unknown",
              reason: `not among the given issues: pass it with --issues, or --done ${id} if it is merged`,
            },
      );
    }
  }
  return out;
}

/** Problems a coordinator must fix before the plan can be followed. */
function hasProblems(plan: Plan): boolean {
  return (
    plan.cycles.length > 0 ||
    plan.missing.length > 0 ||
    plan.unordered.some((u) => ["invalid", "unknown", "missing", "outside", "open-issue"].includes(u.blocker.kind))
  );
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    io,
    cli,
    args,
    {
      issues: { type: "string", multiple: true },
      prs: { type: "string", multiple: true },
      done: { type: "string" },
      json: { type: "boolean", default: false },
    },
    { positionals: false },
  );
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  if (!values.issues || values.issues.length === 0) return usageError(io, cli, "--issues is required");
  const done = (values.done ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const bad = done.find((d) => !/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(d));
  if (bad !== undefined) return usageError(io, cli, `--done: ${JSON.stringify(bad.slice(0, 40))} is not an issue id`);

  const issueFiles = await readAll(io, values.issues);
  if ("error" in issueFiles) return ioError(io, cli, issueFiles.error, values.json);
  const prFiles = await readAll(io, values.prs ?? []);
  if ("error" in prFiles) return ioError(io, cli, prFiles.error, values.json);

  const contracts = contractsOf(issueFiles);
  const links = linkTable(contracts);
  const { pulls, unlinked } = pullsOf(prFiles, contracts, links);
  const plan = buildPlan({ contracts, pulls, resolutions: resolutionsOf(contracts, links, done) });
  const failed = hasProblems(plan);
  if (values.json) {
    io.stdout(
      JSON.stringify(
        {
          ok: !failed,
          order: plan.order,
          unordered: plan.unordered,
          cycles: plan.cycles,
          missing: plan.missing,
          contracts: plan.rows.map((r) => ({
            key: r.contract.key,
            issue: r.contract.issue ?? null,
            id: r.contract.id ?? null,
            title: r.contract.title,
            state: r.state,
            pulls: r.pulls.map((p) => p.number),
            waitsFor: r.waitsFor,
            hotspots: r.contract.hotspots,
            ...(r.contract.invalid !== undefined ? { invalid: r.contract.invalid } : {}),
          })),
          unlinked,
          errors: [],
        },
        null,
        2,
      ) + "\n",
    );
  } else {
    io.stdout(renderPlanText(plan));
    for (const u of unlinked) io.stdout(`\nNot linked: ${u.file}: ${u.reason.replace(/`/g, "")}\n`);
  }
  return failed ? EXIT.fail : EXIT.ok;
}
