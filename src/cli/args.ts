/** Flag parsing and the usage and I/O error reports that every `merge-captain` command shares. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, type CliIo } from "./io.js";

/** What a command tells the shared code about itself: its name for messages, its help text, its JSON shape for an I/O error. */
export interface CliCommand {
  /** As typed after `merge-captain`, e.g. "contract"; every message on stderr starts `merge-captain <name>: `. */
  name: string;
  usage: string;
  /**
   * The one JSON object printed on stdout when `--json` was asked for and an input could not be
   * read, in the command's own shape, so an agent never has to parse stderr.
   */
  ioJson?: (message: string) => object;
}

/** The option table `parseArgs` takes (node does not export its name). */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Every command takes `-h`/`--help`. */
const HELP_FLAG = { help: { type: "boolean", short: "h", default: false } } as const;

type FlagConfig<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O & typeof HELP_FLAG;
  strict: true;
  allowPositionals: boolean;
};
/** The parsed flags, typed from the options the command declared (plus `help`). */
export type Flags<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<FlagConfig<O>>>["values"];

export type ParsedFlags<O extends ParseArgsOptionsConfig> =
  { ok: true; values: Flags<O>; positionals: string[] } | { ok: false; message: string };

/**
 * `parseArgs` in strict mode, with its error turned into a value: the first sentence of what
 * went wrong, for a usage message. For commands that report usage errors their own way.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(
  args: string[],
  options: O,
  opts: { positionals: boolean },
): ParsedFlags<O> {
  try {
    const config: FlagConfig<O> = {
      args,
      options: { ...options, ...HELP_FLAG },
      strict: true,
      allowPositionals: opts.positionals,
    };
    const parsed = parseArgs(config);
    return { ok: true, values: parsed.values, positionals: parsed.positionals };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

/** After parsing: either run with these flags, or return this exit code now (help shown, or a usage error reported). */
export type CommandArgs<O extends ParseArgsOptionsConfig> =
  { ok: true; values: Flags<O>; positionals: string[] } | { ok: false; exit: number };

/** Parse a command's flags; answer `--help` with the usage on stdout (exit 0) and a bad flag with a usage error (exit 2). */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(
  io: CliIo,
  command: CliCommand,
  args: string[],
  options: O,
  opts: { positionals: boolean },
): CommandArgs<O> {
  const parsed = parseFlags(args, options, opts);
  if (!parsed.ok) return { ok: false, exit: usageError(io, command, parsed.message) };
  // `help` is always declared (HELP_FLAG), but TypeScript cannot see through the generic here.
  if ((parsed.values as { help?: boolean }).help === true) {
    io.stdout(command.usage);
    return { ok: false, exit: EXIT.ok };
  }
  return parsed;
}

/**
 * `parseCommandArgs` for a command that reads exactly one input (a file, or - for stdin): its
 * name, or the exit code once the usage error (`say.none`, `say.many`) was reported.
 */
export function parseInputArgs<const O extends ParseArgsOptionsConfig>(
  io: CliIo,
  command: CliCommand,
  args: string[],
  options: O,
  say: { none: string; many: string },
): { ok: true; values: Flags<O>; file: string } | { ok: false; exit: number } {
  const parsed = parseCommandArgs(io, command, args, options, { positionals: true });
  if (!parsed.ok) return parsed;
  const [file, ...more] = parsed.positionals;
  if (file === undefined) return { ok: false, exit: usageError(io, command, say.none) };
  if (more.length > 0) return { ok: false, exit: usageError(io, command, say.many) };
  return { ok: true, values: parsed.values, file };
}

/** The command was called wrongly: say why, then show how to call it. */
export function usageError(io: CliIo, command: CliCommand, message: string): number {
  io.stderr(`merge-captain ${command.name}: ${message}\n\n${command.usage}`);
  return EXIT.usage;
}

/** An input could not be read (or git could not run): one line on stderr, and with --json still one JSON object on stdout. */
export function ioError(io: CliIo, command: CliCommand, message: string, json: boolean): number {
  io.stderr(`merge-captain ${command.name}: ${message}\n`);
  if (json && command.ioJson) io.stdout(JSON.stringify(command.ioJson(message)) + "\n");
  return EXIT.usage;
}

/** `--heading` and `--header-key`, for the commands that find a YAML block under a heading in Markdown. */
export const HEADING_FLAGS = { heading: { type: "string" }, "header-key": { type: "string" } } as const;

const HEADER_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The heading and header key to look for: the flags when given and sensible, else the defaults; or what is wrong with them. */
export function headingFlags(
  values: { heading?: string | undefined; "header-key"?: string | undefined },
  defaults: { heading: string; header_key: string },
): { ok: true; heading: string; headerKey: string } | { ok: false; message: string } {
  const headerKey = values["header-key"] ?? defaults.header_key;
  if (!HEADER_KEY.test(headerKey))
    return { ok: false, message: `--header-key ${JSON.stringify(headerKey)} is not a plain key (letters, digits, _)` };
  const heading = values.heading ?? defaults.heading;
  if (heading.trim() === "") return { ok: false, message: "--heading must not be empty" };
  return { ok: true, heading, headerKey };
}

/**
 * The first sentence of an error's message. Checked structurally, not with instanceof: errors
 * from node built-ins can come from another realm (e.g. under a test runner's VM).
 */
export function errorMessage(err: unknown): string {
  const raw = err !== null && typeof err === "object" && "message" in err ? String(err.message) : String(err);
  const line = raw.split("\n")[0]!;
  const sentence = /^.*?[.!?](?=\s|$)/.exec(line);
  return sentence ? sentence[0] : line;
}
