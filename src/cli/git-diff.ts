/** A PR's changed files offline: parse a files list or `git diff --name-status` output, or run git for a revision range. */
import { execFile } from "node:child_process";
import type { ChangedFile, FileStatus } from "../core/scope/check.js";
import { fail, ok, problem, show, type Problem, type Result } from "../core/problem.js";

/** More than GitHub will ever list (3000 files), with room for long paths. */
const MAX_GIT_OUTPUT_BYTES = 64 * 1024 * 1024;

const STATUS_FIELD = /^([ACDMRTUX])(\d{0,3})$/;

/** `git diff --name-status` letters to GitHub's file statuses. */
function statusOf(letter: string): FileStatus | undefined {
  switch (letter) {
    case "A":
      return "added";
    case "M":
      return "modified";
    case "D":
      return "removed";
    case "R":
      return "renamed";
    case "C":
      return "copied";
    case "T":
      // A type change (file ↔ symlink) is what GitHub calls "changed".
      return "changed";
    case "U":
      return "modified";
    default:
      return undefined;
  }
}

/**
 * A files list: one entry per line, either a bare path (taken as modified) or a
 * `git diff --name-status -M` row (`M\tpath`, `R087\told\tnew`, `C075\told\tnew`). Blank lines
 * are skipped; git's C-style quoting of unusual paths is undone.
 */
export function parseFilesList(text: string): Result<ChangedFile[]> {
  const files: ChangedFile[] = [];
  const errors: Problem[] = [];
  text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .forEach((raw, i) => {
      const line = raw.replace(/\r$/, "");
      if (line.trim() === "") return;
      const at = `/${i + 1}`;
      const fields = line.split("\t");
      // A tab after a lone capital letter (and a score) is a name-status row, whatever the letter.
      const status = /^([A-Z])(\d{0,3})$/.exec(fields[0]!);
      if (fields.length === 1 || !status) {
        const path = cleanPath(unquote(line.trim()));
        if (path === undefined) errors.push(badPath(line, i + 1));
        else files.push({ path, status: "modified" });
        return;
      }
      const row = toFile(status[1]!, fields.slice(1).map(unquote));
      if (!row.ok) errors.push(...row.errors.map((e) => ({ ...e, path: at, message: `line ${i + 1}: ${e.message}` })));
      else files.push(row.value);
    });
  if (errors.length > 0) return fail(...errors.slice(0, 20));
  return ok(files);
}

/** `git diff --name-status -z` output: NUL-separated status and path fields, no quoting. */
export function parseNameStatusZ(text: string): Result<ChangedFile[]> {
  const fields = text.split("\0");
  if (fields.at(-1) === "") fields.pop();
  const files: ChangedFile[] = [];
  let i = 0;
  while (i < fields.length) {
    const status = STATUS_FIELD.exec(fields[i]!);
    if (!status)
      return fail(
        problem(
          "git.output",
          "",
          `unexpected \`git diff\` output near ${show(fields[i])}`,
          "check that `git diff --name-status` works in this repository",
        ),
      );
    const letter = status[1]!;
    const count = letter === "R" || letter === "C" ? 2 : 1;
    const paths = fields.slice(i + 1, i + 1 + count);
    if (paths.length < count)
      return fail(problem("git.output", "", "truncated `git diff` output", "run the command again"));
    const row = toFile(letter, paths);
    if (!row.ok) return row;
    files.push(row.value);
    i += 1 + count;
  }
  return ok(files);
}

function toFile(letter: string, paths: string[]): Result<ChangedFile> {
  const status = statusOf(letter);
  if (status === undefined)
    return fail(
      problem("files.status", "", `unknown status ${show(letter)}`, "use git's name-status letters A, M, D, R, C or T"),
    );
  const clean = paths.map(cleanPath);
  if (clean.some((p) => p === undefined))
    return fail(
      problem(
        "files.path",
        "",
        `a path in ${show(paths.join("\t"))} is empty or not repo-relative`,
        "list paths relative to the repository root",
      ),
    );
  const [first, second] = clean as string[];
  if (status === "renamed" || status === "copied") {
    if (second === undefined)
      return fail(
        problem(
          "files.row",
          "",
          `a ${status} row needs the old and the new path`,
          "write `R100\\told/path\\tnew/path`",
        ),
      );
    return ok({ path: second, status, previous_filename: first! });
  }
  if (second !== undefined)
    return fail(
      problem("files.row", "", `a ${status} row has more than one path`, "write `M\\tpath`, one file per line"),
    );
  return ok({ path: first!, status });
}

/** Repo-relative POSIX path, `./` dropped; undefined when it cannot be one. */
function cleanPath(path: string): string | undefined {
  const p = path.replace(/^(?:\.\/)+/, "");
  if (p === "" || p.startsWith("/") || p.includes("\0")) return undefined;
  return p;
}

function badPath(line: string, n: number): Problem {
  return problem(
    "files.path",
    `/${n}`,
    `line ${n}: ${show(line)} is not a repo-relative path`,
    "list paths relative to the repository root, without a leading /",
  );
}

/** Undo git's C-style quoting (`"caf\303\251.txt"`) of paths with unusual characters. */
export function unquote(field: string): string {
  if (field.length < 2 || !field.startsWith('"') || !field.endsWith('"')) return field;
  const bytes: number[] = [];
  const body = field.slice(1, -1);
  const encoder = new TextEncoder();
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") {
      bytes.push(...encoder.encode(c));
      continue;
    }
    const next = body[++i];
    if (next === undefined) break;
    const octal = /^[0-7]{3}/.exec(body.slice(i, i + 3));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 2;
      continue;
    }
    const escapes: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, '"': 34, "\\": 92 };
    bytes.push(escapes[next] ?? next.charCodeAt(0));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** A revision range git can read; never an option (a leading `-` would be one). */
export function rangeProblem(range: string): string | undefined {
  if (range.trim() === "") return "--git needs a revision range such as origin/main...HEAD";
  if (range.startsWith("-")) return `--git ${JSON.stringify(range)} looks like an option, not a revision range`;
  if (/[\0\n]/.test(range)) return "--git must be a single revision range";
  return undefined;
}

/**
 * Run `git diff --name-status -M -z <range> --` in `cwd` (no shell), and parse it.
 * `-z` keeps every path byte-exact; `--` stops git reading the range as a path.
 */
export async function gitChangedFiles(range: string, cwd: string): Promise<Result<ChangedFile[]>> {
  const bad = rangeProblem(range);
  if (bad) return fail(problem("git.range", "", bad, "use a range such as origin/main...HEAD"));
  const out = await new Promise<{ ok: true; stdout: string } | { ok: false; message: string }>((done) => {
    execFile(
      "git",
      ["diff", "--name-status", "-M", "-z", "--no-color", range, "--"],
      { cwd, maxBuffer: MAX_GIT_OUTPUT_BYTES, encoding: "utf8", windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return done({ ok: true, stdout });
        const code = (err as { code?: unknown }).code;
        const first = String(stderr)
          .split("\n")
          .find((l) => l.trim() !== "");
        done({
          ok: false,
          message:
            code === "ENOENT"
              ? "git could not be started (is it installed, and does the directory exist?)"
              : (first ?? err.message.split("\n")[0]!).trim(),
        });
      },
    );
  });
  if (!out.ok)
    return fail(
      problem(
        "git.failed",
        "",
        `git diff ${range} failed: ${out.message}`,
        "run it in the repository, with a range such as origin/main...HEAD",
      ),
    );
  return parseNameStatusZ(out.stdout);
}
