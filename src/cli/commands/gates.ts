/** `merge-captain gates <gates.toml>`: validate a gate registry offline and list its gates and bundles. */
import { parseRegistry, type Registry, type RegistryGate } from "../../core/gates/registry.js";
import { ioError, parseInputArgs, type CliCommand } from "../args.js";
import { inputName, ioProblem, jsonProblem, readInput, renderProblems, type JsonProblem } from "../input.js";
import { EXIT, type CliIo } from "../io.js";
import { run as runGates } from "./gates-run.js";

export const usage = `Usage: merge-captain gates <gates.toml> [--json]
       merge-captain gates run --registry <gates.toml> (--bundle <name> | --gate <id> | --tier a|b) …

Validate a gate registry (schema and cross-checks) and list its gates and bundles. \`gates run\`
runs gates from it and writes a results file (merge-captain gates run --help for its options).

Options:
  --json       print one JSON object: {"ok", "gates", "bundles", "errors"}
  -h, --help   show this help

Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
`;

const cli: CliCommand = {
  name: "gates",
  usage,
  ioJson: (message) => ({ ok: false, gates: [], bundles: {}, errors: [ioProblem(message)] }),
};

export async function run(args: string[], io: CliIo): Promise<number> {
  // `gates run` is the gate runner (its own module); `gates <file>` validates.
  if (args[0] === "run") return runGates(args.slice(1), io);
  const parsed = parseInputArgs(
    io,
    cli,
    args,
    { json: { type: "boolean", default: false } },
    {
      none: "name the gate registry to check, e.g. configs/gates/gates.toml",
      many: "check one registry at a time",
    },
  );
  if (!parsed.ok) return parsed.exit;
  const { values, file } = parsed;
  const input = await readInput(io, file);
  if (!input.ok) return ioError(io, cli, input.message, values.json);
  const registry = parseRegistry(input.text);
  const name = inputName(file);
  if (values.json) {
    io.stdout(
      JSON.stringify(
        registry.ok
          ? toJson(registry.value)
          : { ok: false, gates: [], bundles: {}, errors: registry.errors.map(jsonProblem) },
      ) + "\n",
    );
  } else if (registry.ok) {
    io.stdout(toText(registry.value, name));
  } else {
    const n = registry.errors.length;
    io.stdout(`✗ gate registry invalid (${name}): ${n} error${n === 1 ? "" : "s"}\n${renderProblems(registry.errors)}`);
  }
  return registry.ok ? EXIT.ok : EXIT.fail;
}

interface RegistryJson {
  ok: true;
  gates: RegistryGate[];
  bundles: Record<string, readonly string[]>;
  errors: JsonProblem[];
}

function toJson(registry: Registry): RegistryJson {
  // id, tier and kind first: they are what a reader scans for.
  const gates = [...registry.gates.values()].map(({ id, tier, kind, ...rest }) => ({ id, tier, kind, ...rest }));
  return { ok: true, gates, bundles: Object.fromEntries(registry.bundles), errors: [] };
}

function toText(registry: Registry, name: string): string {
  const gates = [...registry.gates.values()];
  const tierA = gates.filter((g) => g.tier === "a").length;
  const lines = [
    `✓ gate registry valid (${name}): ${gates.length} gate${gates.length === 1 ? "" : "s"} (${tierA} tier A, ${gates.length - tierA} tier B), ${registry.bundles.size} bundle${registry.bundles.size === 1 ? "" : "s"}`,
  ];
  const width = Math.max(0, ...gates.map((g) => g.id.length));
  for (const g of gates) {
    const extra = [
      g.gpus === undefined ? "" : `${g.gpus} GPU${g.gpus === 1 ? "" : "s"}`,
      g.timeout_s === undefined ? "" : `timeout ${g.timeout_s}s`,
      g.kind === "perf" && g.compare_gate ? `compares ${g.compare_gate} on ${g.metric ?? "?"}` : "",
      g.kind === "metric"
        ? `${g.metric ?? "?"} vs baseline ${g.baseline ?? "?"} (${g.direction ?? "?"} is better${g.tolerance_pct ? `, tolerance ${g.tolerance_pct}%` : ""})${g.baseline_gate ? `, flags off: ${g.baseline_gate}` : ""}`
        : "",
    ].filter((s) => s !== "");
    lines.push(
      `  ${g.id.padEnd(width)}  tier ${g.tier}  ${g.kind.padEnd(8)}${extra.length > 0 ? "  " + extra.join(", ") : ""}`.trimEnd(),
    );
  }
  if (registry.bundles.size > 0) {
    lines.push("  bundles:");
    for (const [bundle, members] of registry.bundles) lines.push(`    ${bundle}: ${members.join(", ")}`);
  }
  return lines.join("\n") + "\n";
}
