/** Reading a command's input (a file or stdin) and showing problems to a person or, as JSON, to a program. */
import { resolve } from "node:path";
import type { Problem } from "../core/problem.js";
import { errorMessage } from "./args.js";
import type { CliIo } from "./io.js";

/** A Problem as it appears in a command's `--json` output: `hint` only when there is one. */
export interface JsonProblem {
  code: string;
  path: string;
  message: string;
  hint?: string;
}

export function jsonProblem(p: Problem): JsonProblem {
  return p.hint === undefined
    ? { code: p.code, path: p.path, message: p.message }
    : { code: p.code, path: p.path, message: p.message, hint: p.hint };
}

/** The problem a `--json` caller gets when an input could not be read. */
export function ioProblem(message: string): JsonProblem {
  return { code: "cli.io", path: "", message };
}

/** Problems as a person reads them: where, what, then how to fix it. */
export function renderProblems(problems: readonly Problem[]): string {
  return problems
    .map(
      (p) =>
        `  ${p.path === "" ? "" : p.path + ": "}${p.message}\n${p.hint === undefined ? "" : `    hint: ${p.hint}\n`}`,
    )
    .join("");
}

/** How a file or stdin is named in messages. */
export function inputName(file: string): string {
  return file === "-" ? "stdin" : file;
}

/** Read a file (relative to the working directory) or, for "-", stdin, with an error a person can act on. */
export async function readInput(
  io: CliIo,
  file: string,
): Promise<{ ok: true; text: string } | { ok: false; message: string }> {
  try {
    return { ok: true, text: file === "-" ? await io.readStdin() : await io.readFile(resolve(io.cwd, file)) };
  } catch (err) {
    // Checked structurally: errors from node built-ins can come from another realm under a test runner.
    const code = err !== null && typeof err === "object" && "code" in err ? String(err.code) : "";
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "it is a directory"
          : code === "EACCES"
            ? "permission denied"
            : errorMessage(err);
    return { ok: false, message: `cannot read ${inputName(file)}: ${reason}` };
  }
}
