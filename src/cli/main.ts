/** `merge-captain <command>`: the offline tool for contributors and agents, and the demo. */
import { readdir, readFile } from "node:fs/promises";
import { didYouMean } from "../core/text/closest.js";
import { EXIT, type CliIo, type Command } from "./io.js";

/** Each command is loaded only when used, so `--help` stays instant. */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  contract: {
    summary: "validate an issue's Agent Contract (optionally against a gate registry)",
    load: async () => (await import("./commands/contract.js")).run,
  },
  gates: {
    summary: "validate a gate registry; `gates run` runs gates and writes a results file",
    load: async () => (await import("./commands/gates.js")).run,
  },
  attestation: {
    summary: "validate a PR body's attestation (optionally against a contract, head SHA, registry)",
    load: async () => (await import("./commands/attestation.js")).run,
  },
  experiment: {
    summary: "check an experiment issue: sections, logbook link, claims without a confidence label",
    load: async () => (await import("./commands/experiment.js")).run,
  },
  scope: {
    summary: "check changed files (a list, or a git range) against a contract's scope",
    load: async () => (await import("./commands/scope.js")).run,
  },
  check: {
    summary: "the full preflight an agent runs before opening a PR: the same table as the check run",
    load: async () => (await import("./commands/check.js")).run,
  },
  plan: {
    summary: "the merge plan for a coordinator: order, dependencies, hotspots (issue and PR files)",
    load: async () => (await import("./commands/plan.js")).run,
  },
  sanitize: {
    summary: "redact secrets and internal infrastructure from text (--check for CI)",
    load: async () => (await import("./commands/sanitize.js")).run,
  },
  demo: {
    summary: "play the bundled story: a fake GitHub, the real app, signed webhooks",
    load: async () => (await import("../demo/command.js")).run,
  },
};

export const HELP = `merge-captain — issues are contracts, PRs are attestations.

Usage: merge-captain <command> [options]     (merge-captain <command> --help for details)

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join("\n")}

Exit status: 0 ok/pass, 1 invalid/fail, 2 usage or I/O error.
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version") {
    io.stdout("merge-captain 0.1.0\n");
    return EXIT.ok;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const shown = name.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
    const hint = didYouMean(name, Object.keys(COMMANDS));
    io.stderr(`merge-captain: unknown command "${shown}"${hint ? `; ${hint}` : ""}\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (err) {
    // A bug, not bad input: say so in one line, without a stack trace.
    io.stderr(`merge-captain ${name}: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.usage;
  }
}

/**
 * Write to `stream` until its reader goes away. Piped into `head`, a write fails with EPIPE once
 * head has what it wants: from then on output is dropped without a stack trace, and the command
 * still finishes with its own exit status (a failed check stays a failure under `pipefail`).
 */
export function pipeWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let open = true;
  // EPIPE or any other write error means the same here: nobody can read the output any more.
  stream.on("error", () => {
    open = false;
  });
  return (text) => {
    if (open) stream.write(text);
  };
}

export function processIo(): CliIo {
  return {
    stdout: pipeWriter(process.stdout),
    stderr: pipeWriter(process.stderr),
    readFile: (path) => readFile(path, "utf8"),
    readDir: (path) => readdir(path),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    cwd: process.cwd(),
    env: process.env,
  };
}
