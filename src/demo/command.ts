/** `merge-captain demo [--transcript <file>]`: play the story and print what the bot did on GitHub. */
import { writeFile } from "node:fs/promises";
import { errorMessage, parseCommandArgs, type CliCommand } from "../cli/args.js";
import { EXIT, type CliIo } from "../cli/io.js";
import { runStory } from "./story.js";

export const usage = `Usage: merge-captain demo [--transcript <file>]

Starts a local fake GitHub and the real merge-captain server (signed webhooks over HTTP, no
credentials, no network), plays a scripted story and prints what the bot did. Exits 1 if any
step did not do what the story expects.

  --transcript <file>   also write every write request the app made (method, route, JSON body) as JSON
`;

const cli: CliCommand = { name: "demo", usage };

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(io, cli, args, { transcript: { type: "string" } }, { positionals: false });
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  io.stdout("merge-captain demo — a fake GitHub on 127.0.0.1, the real app, signed webhooks.\n");
  const result = await runStory({ print: (line) => io.stdout(line + "\n") });
  const writes = result.steps.reduce((n, s) => n + s.writes, 0);
  const reads = result.steps.reduce((n, s) => n + s.reads, 0);
  const notModified = result.steps.reduce((n, s) => n + s.notModified, 0);
  io.stdout(
    `\n${result.ok ? "✅ every step did what the story expects" : "❌ some steps did not do what the story expects"} (${result.steps.length} events, ${reads} API reads + ${notModified} answered 304 from the ETag cache, ${writes} writes)\n`,
  );
  if (values.transcript) {
    try {
      await writeFile(values.transcript, JSON.stringify(result.transcript, null, 2) + "\n");
      io.stdout(`transcript: ${values.transcript} (${result.transcript.length} writes)\n`);
    } catch (err) {
      io.stderr(`merge-captain demo: cannot write the transcript: ${errorMessage(err)}\n`);
      return EXIT.usage;
    }
  }
  return result.ok ? EXIT.ok : EXIT.fail;
}
