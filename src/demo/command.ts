/** `merge-captain demo [--transcript <file>]`: play the story and print what the bot did on GitHub. */
import { writeFile } from "node:fs/promises";
import { errorMessage, parseCommandArgs, usageError, type CliCommand } from "../cli/args.js";
import { EXIT, type CliIo } from "../cli/io.js";
import { runResearchStory } from "./research.js";
import { runStory } from "./story.js";

export const usage = `Usage: merge-captain demo [--story contracts|research] [--transcript <file>]

Starts a local fake GitHub and the real merge-captain server (signed webhooks over HTTP, no
credentials, no network), plays a scripted story and prints what the bot did. Exits 1 if any
step did not do what the story expects.

  --story <name>        contracts (default): contracts, attestations, Tier-B, public safety;
                        research: experiment issues, branch and companion-file rules, a metric
                        gate with a fixed baseline, and the heartbeat over a day of fake time
  --transcript <file>   also write every write request the app made (method, route, JSON body) as JSON
`;

const STORIES = { contracts: runStory, research: runResearchStory } as const;

const cli: CliCommand = { name: "demo", usage };

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    io,
    cli,
    args,
    { transcript: { type: "string" }, story: { type: "string", default: "contracts" } },
    { positionals: false },
  );
  if (!parsed.ok) return parsed.exit;
  const { values } = parsed;
  const story = values.story;
  if (!Object.hasOwn(STORIES, story))
    return usageError(
      io,
      cli,
      `unknown story ${JSON.stringify(story.slice(0, 40))}; the stories are ${Object.keys(STORIES).join(", ")}`,
    );
  io.stdout("merge-captain demo — a fake GitHub on 127.0.0.1, the real app, signed webhooks.\n");
  const result = await STORIES[story as keyof typeof STORIES]({ print: (line) => io.stdout(line + "\n") });
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
