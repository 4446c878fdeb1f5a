/** The slice of the gate registry that Tier-B decisions read: gate tiers, bundles, declared files, env vars and metrics. */

/** What Tier-B needs to know about one gate; `Registry` from `core/gates/registry.ts` satisfies it. */
export interface TierBGateView {
  tier: "a" | "b";
  kind?: "cmd" | "external" | "perf" | "metric";
  requires?: readonly string[];
  requires_files?: readonly string[];
  compare_gate?: string;
  metric?: string;
  metrics?: Readonly<Record<string, unknown>>;
  /** Metric gates: the fixed baseline, which way is better, the noise allowance and the flags-off gate. */
  baseline?: number;
  direction?: "lower" | "higher";
  tolerance_pct?: number;
  baseline_gate?: string;
}

/** Read from the default branch by the caller, so a PR can never change what it is checked against. */
export interface TierBRegistry {
  gates: ReadonlyMap<string, TierBGateView>;
  bundles: ReadonlyMap<string, readonly string[]>;
}

/** `single` is a dispatch mode, never a bundle name (a bundle of that name cannot be addressed). */
export const SINGLE_MODE = "single";

export function bundleNames(registry: TierBRegistry): string[] {
  return [...registry.bundles.keys()].filter((n) => n !== SINGLE_MODE).sort();
}

export function tierBGateIds(registry: TierBRegistry): string[] {
  return [...registry.gates.entries()]
    .filter(([, g]) => g.tier === "b")
    .map(([id]) => id)
    .sort();
}

export function isTierBGate(registry: TierBRegistry, id: string): boolean {
  return registry.gates.get(id)?.tier === "b";
}

/** The gate ids a dispatch asks for: the bundle's members in order, or the single gate. */
export function requestedGateIds(
  registry: TierBRegistry,
  target: { bundle: string; singleGate?: string | undefined },
): string[] | undefined {
  if (target.bundle === SINGLE_MODE) return target.singleGate !== undefined ? [target.singleGate] : undefined;
  const members = registry.bundles.get(target.bundle);
  return members ? [...members] : undefined;
}

/** Every repository path the gates declare in `requires_files`, de-duplicated, in first-seen order. */
export function requiredFiles(registry: TierBRegistry, gateIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const id of gateIds)
    for (const f of registry.gates.get(id)?.requires_files ?? []) if (!out.includes(f)) out.push(f);
  return out;
}

/** Metric names the registry declares for a gate (its own `metrics`, and the `metric` a perf gate reads from it). */
export function declaredMetrics(registry: TierBRegistry, gateId: string): Set<string> {
  const names = new Set<string>();
  const gate = registry.gates.get(gateId);
  for (const name of Object.keys(gate?.metrics ?? {})) names.add(name);
  if (gate?.metric !== undefined) names.add(gate.metric);
  for (const other of registry.gates.values())
    if ((other.compare_gate === gateId || other.baseline_gate === gateId) && other.metric !== undefined)
      names.add(other.metric);
  return names;
}
