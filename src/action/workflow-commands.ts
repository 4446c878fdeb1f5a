/**
 * The Actions runner's documented protocols, written out: inputs from `INPUT_*`, outputs and the
 * job summary as files (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`), annotations and
 * `stop-commands` on stdout. `@actions/core` does the same but pulls its HTTP client (undici,
 * ~800 KB bundled) into an action that is meant to be read in full by whoever pins it.
 */
import { randomBytes } from "node:crypto";

/** An input as the runner passes it: `INPUT_<NAME>` (spaces to `_`, upper case; dashes stay), trimmed. */
export function getInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] ?? "").trim();
}

/** Workflow-command data: `%`, CR and LF are escaped so a message cannot end the command or start another. */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function annotation(kind: "error" | "warning" | "notice", message: string): string {
  return `::${kind}::${escapeData(message)}\n`;
}

/**
 * Between these two lines the runner treats `::…::` as plain text, so output of PR code (a gate
 * printing `::set-output …` or `::add-mask::`) cannot act as a workflow command. The token is
 * random per run: a gate cannot print it to switch commands back on.
 */
export function commandsOff(): { off: string; on: string } {
  const token = `merge-captain-${randomBytes(16).toString("hex")}`;
  return { off: `::stop-commands::${token}\n`, on: `::${token}::\n` };
}

/** `GITHUB_OUTPUT` entries in the multi-line form, with a delimiter no value contains. */
export function formatOutputs(outputs: Readonly<Record<string, string>>): string {
  let text = "";
  for (const [name, value] of Object.entries(outputs)) {
    let delimiter: string;
    do delimiter = `ghadelimiter_${randomBytes(8).toString("hex")}`;
    while (value.includes(delimiter));
    text += `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  }
  return text;
}
