/**
 * Find the PR template's placeholders (`<sha>`, `<number>`, `pass|fail`) and malformed SHAs left in
 * an attestation, before schema validation, so the author reads "replace the placeholder" rather
 * than a type error.
 */
import { pointer, problem, show, type Problem } from "../problem.js";

/**
 * Fields the template fills with placeholders. When every one present still holds a placeholder,
 * the author has not edited the template at all and one error says so. `issue` is not among them:
 * the template's `03a` looks like a real id, and a wrong id is caught against the contract anyway.
 */
const TEMPLATE_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ["header", "pr_sha"],
  ["header", "baseline_sha"],
  ["perf", "baseline"],
  ["perf", "result"],
  ["perf", "delta_pct"],
  ["perf", "status"],
];

const SHA_FIELDS = ["pr_sha", "baseline_sha"] as const;
const SHA = /^[0-9a-fA-F]{7,40}$/;
/** `<sha>`, `<number>`, `<your gate>`: no real value in an attestation contains angle brackets. */
const ANGLE = /<[^<>\n]{0,80}>/;
/** `pass|fail`, `hot|warm|cold`: the template's "pick one of". */
const CHOICE = /^[A-Za-z_][A-Za-z0-9_]*(?:[ \t]*\|[ \t]*[A-Za-z_][A-Za-z0-9_]*)+$/;

export interface PlaceholderFinding {
  path: string;
  value: string;
}

/**
 * Problems for placeholders and malformed SHAs in the raw parsed value (header key as the
 * author wrote it). Returns the problem list and the paths it covers, so schema errors at those
 * paths can be dropped as echoes.
 */
export function findPlaceholders(value: unknown, headerKey: string): { errors: Problem[]; covered: string[] } {
  const found = collect(value);
  const header = pointer(headerKey);
  const label = (path: string): string =>
    (path.startsWith(header + "/") ? headerKey + path.slice(header.length) : path.slice(1)).replace(/\//g, ".");

  const templatePaths = TEMPLATE_FIELDS.map(
    ([parent, key]) => (parent === "header" ? header : pointer(parent)) + pointer(key),
  );
  const present = templatePaths.filter((p) => valueAt(value, p) !== undefined && valueAt(value, p) !== null);
  const placeholderAt = new Set(found.map((f) => f.path));
  const prSha = header + "/pr_sha";
  if (found.length >= 2 && placeholderAt.has(prSha) && present.every((p) => placeholderAt.has(p))) {
    const names = found.map((f) => "`" + label(f.path) + "`");
    return {
      errors: [
        problem(
          "attestation.unedited-template",
          "",
          `the attestation is the unedited template: ${names.join(", ")} still hold placeholders`,
          `set \`${headerKey}.pr_sha\` to the PR's head commit (\`git rev-parse HEAD\`), list the Tier-A gates you ran, and fill or delete \`baseline_sha\` and the \`perf:\` block`,
        ),
      ],
      covered: [""],
    };
  }

  const errors: Problem[] = found.map((f) =>
    problem(
      "attestation.placeholder",
      f.path,
      `\`${label(f.path)}\` still holds the template's placeholder ${show(f.value)}`,
      placeholderHint(f.path, header, headerKey),
    ),
  );
  const covered = found.map((f) => f.path);
  for (const key of SHA_FIELDS) {
    const path = header + pointer(key);
    const v = valueAt(value, path);
    if (typeof v !== "string" || placeholderAt.has(path) || SHA.test(v)) continue;
    errors.push(
      problem(
        "attestation.sha",
        path,
        `\`${label(path)}\` is ${show(v)}, which is not a commit SHA (7 to 40 hex characters)`,
        key === "pr_sha"
          ? "write the PR's head commit as printed by `git rev-parse HEAD`"
          : "write the base commit as printed by `git rev-parse <base>`, or delete the line",
      ),
    );
    covered.push(path);
  }
  return { errors, covered };
}

function placeholderHint(path: string, header: string, headerKey: string): string {
  switch (path) {
    case header + "/pr_sha":
      return "replace it with the PR's head commit: `git rev-parse HEAD`";
    case header + "/baseline_sha":
      return "replace it with the base commit you measured against (`git merge-base origin/HEAD HEAD`), or delete the line if the contract is not `risk: hot` and has no perf gate";
    case header + "/issue":
      return "set it to the contract's id, as in the issue title's `[id]` prefix";
    case header + "/risk":
      return "pick one: `hot`, `warm` or `cold` (the contract's risk)";
    case "/perf/status":
      return "pick one: `pass` or `fail`";
    default:
      if (path.startsWith("/perf/"))
        return "replace it with the measured value, or delete the `perf:` block if you claim no perf result";
      if (path.startsWith("/gates_passed/")) return "list the gate ids you ran, as named in the gate registry";
      return `replace it with the real value (see \`${headerKey}\` in the PR template)`;
  }
}

/** Every string leaf that looks like a placeholder, in document order (iterative: depth is bounded by the parser anyway). */
function collect(root: unknown): PlaceholderFinding[] {
  const out: PlaceholderFinding[] = [];
  const stack: Array<{ node: unknown; path: string }> = [{ node: root, path: "" }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (typeof node === "string") {
      if (ANGLE.test(node) || CHOICE.test(node.trim())) out.push({ path, value: node });
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push({ node: node[i], path: path + pointer(i) });
    } else if (node !== null && typeof node === "object") {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--)
        stack.push({ node: entries[i]![1], path: path + pointer(entries[i]![0]) });
    }
  }
  return out;
}

function valueAt(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const raw of path.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}
