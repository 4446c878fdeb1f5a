/** `merge-captain sanitize [file|-]`: redact secrets and internal infrastructure from text, line for line, or check for them. */
import { RULES, sanitize, type Finding, type SanitizeOptions } from "../../core/sanitize/sanitize.js";
import { ioError, parseCommandArgs, usageError, type CliCommand } from "../args.js";
import { inputName, readInput } from "../input.js";
import { EXIT, type CliIo } from "../io.js";

export const usage = `Usage: merge-captain sanitize [file|-] [options]

Write the text with every secret and internal-infrastructure detail replaced by a
placeholder such as [redacted:private-ipv4]; the output has the same number of lines.
Reads stdin when no file (or "-") is given.

Options:
  --check                  print where each rule fired (never the secret) instead of the text;
                           exit 1 if anything was found (for pre-commit and CI)
  --json                   print one JSON object: {"findings": [{"rule","line","column"}], "text"}
  --internal-domain <d>    also treat <d> and its subdomains as internal (repeatable)
  --internal-host <h>      also treat the host name <h> as internal (repeatable)
  --allowed-host <h>       never treat <h> (and its subdomains) as internal, e.g. github.com (repeatable)
  -h, --help               show this help

Exit status: 0 ok (or nothing found with --check), 1 found something with --check,
2 usage or I/O error.
`;

/** With --json a caller still gets one JSON object, so a script never has to parse stderr. */
const cli: CliCommand = {
  name: "sanitize",
  usage,
  ioJson: (message) => ({ findings: [], text: null, error: message }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommandArgs(
    io,
    cli,
    args,
    {
      check: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "internal-domain": { type: "string", multiple: true, default: [] },
      "internal-host": { type: "string", multiple: true, default: [] },
      "allowed-host": { type: "string", multiple: true, default: [] },
    },
    { positionals: true },
  );
  if (!parsed.ok) return parsed.exit;
  const { values, positionals } = parsed;
  if (positionals.length > 1) return usageError(io, cli, "sanitize one file at a time");
  const file = positionals[0] ?? "-";
  const name = inputName(file);
  const input = await readInput(io, file);
  if (!input.ok) return ioError(io, cli, input.message, values.json);

  const opts: SanitizeOptions = {
    internalDomains: values["internal-domain"],
    internalHosts: values["internal-host"],
    allowedHosts: values["allowed-host"],
  };
  let result: { text: string; findings: Finding[] };
  try {
    result = sanitize(input.text, opts);
  } catch {
    // Fail closed: no partial text, ever.
    return ioError(io, cli, `could not sanitize ${name}; nothing was written`, values.json);
  }

  const found = result.findings.length > 0;
  if (values.json) {
    io.stdout(JSON.stringify({ findings: result.findings, text: result.text }) + "\n");
  } else if (values.check) {
    io.stdout(result.findings.map((f) => `${name}:${f.line}:${f.column}: ${f.rule} (${describe(f.rule)})\n`).join(""));
  } else {
    io.stdout(result.text);
  }
  if (!values.json && found) io.stderr(`merge-captain sanitize: ${result.findings.length} finding(s) in ${name}\n`);
  return values.check && found ? EXIT.fail : EXIT.ok;
}

function describe(ruleId: string): string {
  return RULES.find((r) => r.id === ruleId)?.description ?? ruleId;
}
