/** The gate registry (`gates.toml`): parse, validate, cross-check, and look gates and bundles up. */
import { parse as parseToml, TomlError } from "smol-toml";
import { fail, ok, pointer, problem, show, type Problem, type Result } from "../problem.js";
import { gateRegistrySchema, type Gate, type GateRegistry } from "../schemas/gates.generated.js";
import { validateAgainst } from "../schemas/validate.js";
import { closest, didYouMean } from "../text/closest.js";
import { yieldsMetric } from "./metrics.js";

/** Cap checked before the TOML parser sees the text; the reference registry is ~5 KiB. */
export const MAX_REGISTRY_BYTES = 256 * 1024;

/** Bundle names that mean something else on the `/tier-b` command line. */
export const RESERVED_BUNDLES: readonly string[] = ["single"];

export type GateKind = NonNullable<Gate["kind"]>;

/** A gate as the rest of the bot sees it: its id attached and `kind` defaulted. */
export type RegistryGate = Gate & { id: string; kind: GateKind };

export interface Registry {
  meta: NonNullable<GateRegistry["meta"]>;
  /** In the order the file lists them. */
  gates: ReadonlyMap<string, RegistryGate>;
  bundles: ReadonlyMap<string, readonly string[]>;
}

export function parseRegistry(tomlText: string): Result<Registry> {
  const bytes = new TextEncoder().encode(tomlText).length;
  if (bytes > MAX_REGISTRY_BYTES) {
    return fail(
      problem(
        "registry.too-large",
        "",
        `the gate registry is ${bytes} bytes, more than the ${MAX_REGISTRY_BYTES} allowed`,
        "split rarely used gates out or shorten long commands into scripts",
      ),
    );
  }
  let raw: unknown;
  try {
    raw = parseToml(tomlText.replace(/^\uFEFF/, ""), { unsafeKeyBehaviour: "throw", maxDepth: 16 });
  } catch (err) {
    return fail(tomlProblem(err));
  }
  const schemaErrors = validateAgainst(gateRegistrySchema, raw);
  if (schemaErrors.length > 0) return fail(...schemaErrors.map(inRegistryTerms));
  const file = raw as GateRegistry;

  const gates = new Map<string, RegistryGate>();
  for (const [id, gate] of Object.entries(file.gates)) {
    if (gate) gates.set(id, { ...gate, id, kind: gate.kind ?? "cmd" });
  }
  const bundles = new Map<string, readonly string[]>();
  for (const [name, members] of Object.entries(file.bundles ?? {})) {
    if (members) bundles.set(name, members);
  }
  const errors = crossCheck(gates, bundles);
  if (errors.length > 0) return fail(...errors);
  return ok({ meta: file.meta ?? {}, gates, bundles });
}

/** The gates a bundle names, in bundle order. */
export function resolveBundle(registry: Registry, name: string): Result<RegistryGate[]> {
  const members = registry.bundles.get(name);
  if (!members) {
    const names = [...registry.bundles.keys()];
    const hint =
      didYouMean(name, names) ??
      (names.length > 0
        ? `bundles in the registry: ${names.map((n) => "`" + n + "`").join(", ")}`
        : "the registry defines no bundles");
    return fail(problem("registry.unknown-bundle", pointer("bundles", name), `unknown bundle ${show(name)}`, hint));
  }
  // parseRegistry guarantees every member exists; a miss here means the registry was built by hand.
  const out: RegistryGate[] = [];
  for (const id of members) {
    const gate = registry.gates.get(id);
    if (!gate)
      return fail(
        problem(
          "registry.unknown-gate",
          pointer("bundles", name),
          `bundle ${show(name)} names unknown gate ${show(id)}`,
        ),
      );
    out.push(gate);
  }
  return ok(out);
}

/** Gate ids near a misspelt one, for hints in contract and command errors. */
export function nearGateIds(registry: Registry, id: string): string[] {
  return closest(id, [...registry.gates.keys()]);
}

function crossCheck(
  gates: ReadonlyMap<string, RegistryGate>,
  bundles: ReadonlyMap<string, readonly string[]>,
): Problem[] {
  const errors: Problem[] = [];
  const ids = [...gates.keys()];
  const unknownGate = (id: string): string =>
    didYouMean(id, ids) ?? 'define it under `[gates."' + id + '"]` or remove it';
  for (const gate of gates.values()) {
    if (gate.kind !== "metric") errors.push(...metricOnlyKeys(gate));
    switch (gate.kind) {
      case "cmd":
        if (gate.cmd === undefined) {
          errors.push(
            problem(
              "registry.missing-cmd",
              pointer("gates", gate.id, "cmd"),
              `gate ${show(gate.id)} runs a command (kind "cmd") but has no \`cmd\``,
              'add `cmd = "…"`, or set `kind = "external"` if it runs outside this registry',
            ),
          );
        }
        break;
      case "perf":
        if (gate.compare_gate === undefined) {
          errors.push(
            problem(
              "registry.missing-compare-gate",
              pointer("gates", gate.id, "compare_gate"),
              `perf gate ${show(gate.id)} has no \`compare_gate\``,
              'name the gate whose numbers it compares, e.g. `compare_gate = "b200:moonlight_8x20"`',
            ),
          );
        } else if (!gates.has(gate.compare_gate)) {
          errors.push(
            problem(
              "registry.unknown-gate",
              pointer("gates", gate.id, "compare_gate"),
              `perf gate ${show(gate.id)} compares unknown gate ${show(gate.compare_gate)}`,
              unknownGate(gate.compare_gate),
            ),
          );
        }
        if (gate.metric === undefined) {
          errors.push(
            problem(
              "registry.missing-metric",
              pointer("gates", gate.id, "metric"),
              `perf gate ${show(gate.id)} has no \`metric\``,
              'name the metric it compares, e.g. `metric = "node_tps_p50"`',
            ),
          );
        }
        break;
      case "metric":
        errors.push(...metricGateProblems(gate, gates, unknownGate));
        break;
      case "external":
        break;
      default: {
        const never: never = gate.kind;
        throw new Error(`unhandled gate kind ${String(never)}`);
      }
    }
  }
  for (const [name, members] of bundles) {
    if (RESERVED_BUNDLES.includes(name)) {
      errors.push(
        problem(
          "registry.reserved-bundle",
          pointer("bundles", name),
          `the bundle name ${show(name)} is reserved`,
          "`/tier-b single <gate-id>` runs one gate; rename this bundle",
        ),
      );
    }
    members.forEach((id, i) => {
      if (!gates.has(id))
        errors.push(
          problem(
            "registry.unknown-gate",
            pointer("bundles", name, i),
            `bundle ${show(name)} lists unknown gate ${show(id)}`,
            unknownGate(id),
          ),
        );
    });
  }
  return errors;
}

/** Keys only a metric gate reads: on another kind they would be silently ignored, so they are an error. */
const METRIC_ONLY_KEYS = ["baseline", "direction", "tolerance_pct", "baseline_gate"] as const;

function metricOnlyKeys(gate: RegistryGate): Problem[] {
  return METRIC_ONLY_KEYS.filter((k) => gate[k] !== undefined).map((k) =>
    problem(
      "registry.metric-key",
      pointer("gates", gate.id, k),
      `gate ${show(gate.id)} sets \`${k}\`, which only a metric gate reads (its kind is "${gate.kind}")`,
      'set `kind = "metric"` to judge the gate against a fixed baseline, or remove the key',
    ),
  );
}

/**
 * A metric gate runs its command, reads `metric` from the output and judges it against the fixed
 * `baseline` in `direction`; its `baseline_gate` (flags off) must yield the same metric.
 */
function metricGateProblems(
  gate: RegistryGate,
  gates: ReadonlyMap<string, RegistryGate>,
  unknownGate: (id: string) => string,
): Problem[] {
  const errors: Problem[] = [];
  const at = (key: string): string => pointer("gates", gate.id, key);
  const name = show(gate.id);
  if (gate.cmd === undefined)
    errors.push(
      problem(
        "registry.missing-cmd",
        at("cmd"),
        `metric gate ${name} has no \`cmd\` (it runs the experiment that yields its metric)`,
        'add `cmd = "…"`',
      ),
    );
  if (gate.compare_gate !== undefined)
    errors.push(
      problem(
        "registry.metric-key",
        at("compare_gate"),
        `metric gate ${name} sets \`compare_gate\`, which only perf gates read`,
        "a metric gate compares with its fixed `baseline`; use `baseline_gate` for a flags-off run",
      ),
    );
  if (gate.metric === undefined) {
    errors.push(
      problem(
        "registry.missing-metric",
        at("metric"),
        `metric gate ${name} has no \`metric\``,
        'name the metric it judges, e.g. `metric = "val_loss"`',
      ),
    );
  } else if (!yieldsMetric(gate, gate.metric)) {
    errors.push(
      problem(
        "registry.unreadable-metric",
        at("metric"),
        `metric gate ${name} judges \`${gate.metric}\`, but nothing says how to read it from the output`,
        `declare it: \`[gates."${gate.id}".metrics]\` \`${gate.metric} = { prefix = "${gate.metric}:", stat = "last" }\``,
      ),
    );
  }
  if (gate.baseline === undefined)
    errors.push(
      problem(
        "registry.missing-baseline",
        at("baseline"),
        `metric gate ${name} has no \`baseline\``,
        "give the fixed baseline value, e.g. `baseline = 4.9413`",
      ),
    );
  else if (gate.baseline === 0)
    errors.push(
      problem(
        "registry.bad-baseline",
        at("baseline"),
        `metric gate ${name} has baseline 0, against which no relative delta exists`,
        "use a non-zero baseline (or measure the metric on a scale where the baseline is not 0)",
      ),
    );
  if (gate.direction === undefined)
    errors.push(
      problem(
        "registry.missing-direction",
        at("direction"),
        `metric gate ${name} does not say which way is better`,
        'add `direction = "lower"` (a loss) or `direction = "higher"` (an accuracy)',
      ),
    );
  const bg = gate.baseline_gate;
  if (bg !== undefined) {
    const other = gates.get(bg);
    if (bg === gate.id)
      errors.push(
        problem(
          "registry.self-baseline-gate",
          at("baseline_gate"),
          `metric gate ${name} names itself as its baseline gate`,
          "name the gate that runs with the new flags off",
        ),
      );
    else if (!other)
      errors.push(
        problem(
          "registry.unknown-gate",
          at("baseline_gate"),
          `metric gate ${name} names unknown baseline gate ${show(bg)}`,
          unknownGate(bg),
        ),
      );
    else if (other.kind !== "cmd" && other.kind !== "metric")
      errors.push(
        problem(
          "registry.bad-baseline-gate",
          at("baseline_gate"),
          `the baseline gate ${show(bg)} of ${name} is a ${other.kind} gate; it must run a command`,
          'use a gate with a `cmd` (kind "cmd") that runs with the new flags off',
        ),
      );
    else if (other.tier !== gate.tier)
      errors.push(
        problem(
          "registry.bad-baseline-gate",
          at("baseline_gate"),
          `the baseline gate ${show(bg)} is Tier-${other.tier.toUpperCase()}, but ${name} is Tier-${gate.tier.toUpperCase()}; both must run in the same run`,
          "put both gates in the same tier",
        ),
      );
    else if (gate.metric !== undefined && !yieldsMetric(other, gate.metric))
      errors.push(
        problem(
          "registry.unreadable-metric",
          at("baseline_gate"),
          `the baseline gate ${show(bg)} does not yield \`${gate.metric}\`, so it cannot be matched with the baseline`,
          `declare \`${gate.metric}\` under \`[gates."${bg}".metrics]\``,
        ),
      );
  }
  return errors;
}

/** Schema messages say "the block"; a registry author thinks in files and tables. */
function inRegistryTerms(p: Problem): Problem {
  return {
    ...p,
    message: p.message
      .replace(/^the block\b/, "the gate registry")
      .replace(/ in the block$/, " at the top level of the gate registry"),
  };
}

function tomlProblem(err: unknown): Problem {
  if (err instanceof TomlError) {
    const first = err.message.split("\n")[0]!.replace(/^Invalid TOML document:\s*/, "");
    return problem(
      "registry.toml-syntax",
      "",
      `TOML ${first} (line ${err.line}, column ${err.column})`,
      "fix the TOML syntax at that position",
    );
  }
  // Structural checks: an engine error may come from another realm, where instanceof fails.
  const named = err !== null && typeof err === "object" ? (err as { name?: unknown; message?: unknown }) : {};
  if (named.name === "RangeError")
    return problem(
      "registry.toml-syntax",
      "",
      "the gate registry is nested too deeply to parse",
      "flatten the nested arrays or tables",
    );
  const message = typeof named.message === "string" ? named.message.split("\n")[0] : "unknown parser failure";
  return problem("registry.toml-syntax", "", `TOML could not be parsed: ${message}`, "fix the TOML syntax");
}
