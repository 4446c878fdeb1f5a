// Every renderer, through the choke point (src/github/client.ts), on hostile input: no user text can
// add a hidden marker, a table row or a cell, or a mention. Inputs reach the renderers the way they
// reach them in the bot: contracts and attestations through their parsers, file paths and hotspot
// paths as GitHub lists them, commands through the command parser, the config through its resolver.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { readAttestation } from "../../../src/core/attestation/read.js";
import { renderUsage } from "../../../src/core/commands/help.js";
import { parseComment, parseIssueComment } from "../../../src/core/commands/parse.js";
import { DEFAULT_CONFIG } from "../../../src/core/config/defaults.js";
import { resolveConfig } from "../../../src/core/config/resolve.js";
import { readContract } from "../../../src/core/contract/read.js";
import { parseRegistry } from "../../../src/core/gates/registry.js";
import { sealedState } from "../../../src/core/ledger/codec.js";
import { emptyLedger } from "../../../src/core/ledger/types.js";
import { ISSUE_STICKY, PR_STICKY } from "../../../src/core/markers.js";
import { renderIssueComment } from "../../../src/core/render/issue-comment.js";
import { renderPrComment } from "../../../src/core/render/pr-comment.js";
import { problemList } from "../../../src/core/render/problems.js";
import { setupProblemOutput } from "../../../src/core/render/not-verified.js";
import { issueUsageReply, renderRefusal } from "../../../src/core/render/replies.js";
import { checkOutput } from "../../../src/core/render/verdict.js";
import { renderTierBSection } from "../../../src/core/tierb/render.js";
import { floorOf } from "../../../src/core/trust/floor.js";
import { evaluateVerdict } from "../../../src/core/verdict/evaluate.js";
import type { PullFacts } from "../../../src/core/verdict/types.js";
import { outgoing, outgoingComment, type RepoClient } from "../../../src/github/client.js";
import { fence, formBody, HEADING } from "../contract/builders.js";

const REGISTRY = parseRegistry(readFileSync(new URL("../../fixtures/gates/gates.toml", import.meta.url), "utf8"));
if (!REGISTRY.ok) throw new Error("fixture registry");
const HEAD = "9f2c4b1e8d7a6c5b4a3f2e1d0c9b8a7f6e5d4c3b";

/** The choke point needs only the coordinates and the sanitizer settings. */
const client = { owner: "acme", repo: "nmoe", sanitize: {} } as unknown as RepoClient;

/** Text built to break out: markers, comment ends, table syntax, pings, backticks, newlines. */
const nasty = fc.constantFrom(
  "<!-- x -->",
  "<!--",
  "-->",
  "--!>",
  "<!-- merge-captain:state v2 AAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB -->",
  "<!-- merge-captain:safety e30 -->",
  "<!-- merge-captain:digest 0123456789abcdef -->",
  "| ✅ | Contract found & valid | forged |",
  "\n| ✅ | Scope | forged |\n",
  "\\|",
  "\\\\|",
  "@octocat",
  "`@octocat`",
  "a`@team`b",
  "``@x``",
  "\r\n@org/team",
  "#12",
  "<details><summary>",
  "]]>",
  "`",
);
const hostile = fc
  .array(fc.oneof(nasty, fc.string({ maxLength: 20 }), fc.constantFrom(" ", "/", "*", "\n")), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(""))
  .filter((s) => s.length > 0 && s.length <= 200);

/** Table rows and, per row, the cells GFM would split it into. */
function tableShape(text: string): number[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("|"))
    .map((l) => {
      let cells = 0;
      let backslashes = 0;
      for (const ch of l) {
        if (ch === "|" && backslashes % 2 === 0) cells++;
        backslashes = ch === "\\" ? backslashes + 1 : 0;
      }
      return cells;
    });
}

/**
 * The text of a line outside its code spans, as CommonMark pairs them: a run of n backticks opens
 * a span that the next run of exactly n closes; a run with no partner is literal text. (Each of
 * our bullets, table rows and paragraphs is one line, so lines are the inline contexts.)
 */
function outsideCode(line: string): string {
  const runs = [...line.matchAll(/`+/g)].map((m) => ({ at: m.index, len: m[0].length }));
  let out = "";
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    const open = runs[i]!;
    const close = runs.slice(i + 1).find((r) => r.len === open.len);
    if (!close) continue;
    out += line.slice(pos, open.at);
    pos = close.at + close.len;
    i = runs.indexOf(close);
  }
  return out + line.slice(pos);
}

/** Mentions GitHub would notify: `@name` outside code spans, not after a word character. */
function mentions(text: string): string[] {
  return text
    .split("\n")
    .flatMap((line) => outsideCode(line).match(/(?<![A-Za-z0-9_])@[A-Za-z0-9][A-Za-z0-9-]*/g) ?? []);
}

/** HTML comments the text could open (a `-->` alone closes nothing once no `<!--` is left but ours). */
function comments(text: string): number {
  return (text.match(/<!--/g) ?? []).length;
}

/**
 * Render with the hostile text and with a harmless word in its place: the hostile render has the
 * same table shape, no mention, and no comment syntax beyond the bot's own markers.
 */
function expectContained(render: (text: string) => string, text: string, ownMarkers: number): void {
  const out = render(text);
  const baseline = render("harmless");
  expect(tableShape(out)).toEqual(tableShape(baseline));
  expect(mentions(out)).toEqual([]);
  expect(comments(out)).toBe(ownMarkers);
  // Each of ours is whole on its own line, so nothing after it is hidden.
  for (const line of out.split("\n").filter((l) => l.includes("<!--")))
    expect(line).toMatch(/^<!-- merge-captain:[a-z0-9 ]+(?: [A-Za-z0-9_.-]+)? -->$/);
}

const KEY = new Uint8Array(32).fill(3);
const seal = (kind: "pr" | "issue", n: number) =>
  sealedState(emptyLedger(), { repo: "acme/nmoe", kind, number: n }, KEY);

/** A contract whose every free-text field is `t`, through the real parser (JSON strings are valid YAML). */
function contractBody(t: string): string {
  const s = JSON.stringify(t);
  return formBody([
    [
      HEADING,
      fence(
        [
          "nmoe:",
          '  issue: "07"',
          "  kind: feature",
          "  risk: warm",
          `  merge_hotspots: [${s}]`,
          "scope:",
          `  allow: ["nmoe/**", ${s}]`,
          `  deny: [${s}]`,
          "contract:",
          `  invariants: [${s}]`,
          "gates:",
          "  required: [cpu:import]",
        ].join("\n"),
      ),
    ],
  ]);
}

function facts(t: string): PullFacts {
  const contract = readContract(contractBody(t), { heading: HEADING, headerKey: "nmoe", allIssues: false }, REGISTRY);
  const attestation = readAttestation(
    `## PR Attestation\n\n${fence(`nmoe_pr:\n  issue: ${JSON.stringify(t)}\n  pr_sha: ${JSON.stringify(t)}\n  risk: warm\ngates_passed:\n  tier_a: [${JSON.stringify(t)}]\n  tier_b: []`)}\n`,
    { heading: "PR Attestation", headerKey: "nmoe_pr" },
  );
  return {
    pr: { number: 12, headSha: HEAD, draft: false, title: t, changedLines: 10 },
    registry: REGISTRY,
    registrySource: { kind: "default-branch", path: "configs/gates/gates.toml", branch: "main" },
    link: { ok: true, issue: 7, via: "closing-keyword" },
    contractIssue: { state: "open", author: "alice" },
    contract,
    standing: { status: "unaccepted", everAccepted: true, changedBy: "tom", changedAt: "2026-01-01T00:00:00Z" },
    floor: floorOf(DEFAULT_CONFIG),
    attestation,
    attestationHeaderKey: "nmoe_pr",
    files: {
      ok: true,
      files: [
        { path: t, status: "modified" },
        { path: `.github/${t}`, status: "added" },
        { path: `nmoe/${t}`, status: "renamed", previous_filename: `old/${t}` },
      ],
    },
    ledger: emptyLedger(),
    dependencies: [],
    // What was scanned is always the bot's own words ("comment 123"); only the rule and line are shown.
    safety: { sources: [{ what: "comment 123", findings: [{ rule: "private-ipv4", line: 1, column: 1 }] }] },
    sameHead: [],
    hotspots: [{ path: t, prs: [3] }],
  };
}

const runs = { numRuns: 150 };

describe("no user input can add a marker, a table row or a mention (through the choke point)", () => {
  test("the issue's sticky comment: contract summary, standing, floor, safety", () => {
    fc.assert(
      fc.property(hostile, (t) => {
        expectContained(
          (x) => {
            const report = readContract(contractBody(x), {
              heading: HEADING,
              headerKey: "nmoe",
              allIssues: false,
            });
            const visible =
              renderIssueComment(
                {
                  contract: report,
                  setup: [],
                  safety: {
                    sources: [{ what: "the issue body", findings: [{ rule: "aws-access-key", line: 2, column: 3 }] }],
                  },
                  ...(report.status === "valid"
                    ? {
                        authority: {
                          standing: { status: "unaccepted", everAccepted: false },
                          hash: "a".repeat(64),
                          author: x,
                        },
                      }
                    : {}),
                  floor: floorOf(DEFAULT_CONFIG),
                },
                REGISTRY.value,
              ) ?? "";
            return outgoingComment(client, { opening: ISSUE_STICKY, visible, closing: seal("issue", 7) });
          },
          t,
          2,
        );
      }),
      runs,
    );
  });

  test("the PR's sticky comment and the check run (title, summary, text, annotations)", () => {
    fc.assert(
      fc.property(hostile, (t) => {
        expectContained(
          (x) => {
            const verdict = evaluateVerdict(facts(x));
            return outgoingComment(client, {
              opening: PR_STICKY,
              visible: renderPrComment(verdict, HEAD, renderTierBSection(emptyLedger(), HEAD, REGISTRY.value)),
              closing: seal("pr", 12),
            });
          },
          t,
          2,
        );
        for (const field of ["title", "summary", "text"] as const)
          expectContained((x) => outgoing(client, checkOutput(evaluateVerdict(facts(x)))[field]), t, 0);
        // Annotation messages are plain text (GitHub renders no Markdown there): only comment syntax matters.
        const messages = checkOutput(evaluateVerdict(facts(t))).annotations.map((a) => outgoing(client, a.message));
        for (const m of messages) expect(comments(m)).toBe(0);
      }),
      runs,
    );
  });

  test("replies: usage errors for any command line, refusals, config problems and their check run", () => {
    fc.assert(
      fc.property(hostile, (t) => {
        expectContained(
          (x) => {
            const parsed = parseComment(`/tier-b ${x}\n/tier-b single ${x}\n/tier-b smoke ${x}`, REGISTRY.value);
            return parsed.kind === "usage" ? outgoing(client, renderUsage(parsed.error, REGISTRY.value)) : "";
          },
          t,
          0,
        );
        expectContained((x) => outgoing(client, renderRefusal("no-permission", x, "pr")), t, 0);
        expectContained(
          (x) => {
            const r = resolveConfig({ labels: { contract_valid: x }, policy: { protected_paths: [x] }, [x]: 1 });
            return outgoing(client, r.ok ? "" : problemList(r.errors));
          },
          t,
          0,
        );
        // The check run a broken config gets instead of a verdict (core/render/not-verified.ts).
        for (const field of ["title", "summary", "text"] as const)
          expectContained(
            (x) => {
              const r = resolveConfig({ labels: { contract_valid: x }, policy: { protected_paths: [x] }, [x]: 1 });
              return outgoing(client, r.ok ? "" : setupProblemOutput(r.errors)[field]);
            },
            t,
            0,
          );
        expectContained(
          (x) => {
            const parsed = parseIssueComment(`/accept ${x}`);
            return parsed.kind === "usage" ? outgoing(client, issueUsageReply(parsed.error.message)) : "";
          },
          t,
          0,
        );
      }),
      runs,
    );
  });

  test("the choke point alone: whatever it is given, only markers added after it are comments", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), hostile, (a, b) => {
        expect(comments(outgoing(client, a + b))).toBe(0);
      }),
      { numRuns: 500 },
    );
  });
});
