/**
 * The merge plan: every open contract with its PR and what it waits for, the `depends_on` graph,
 * and a suggested merge order — a topological order of the PRs that can merge, where PRs sharing
 * a merge hotspot wait for each other to merge. Cycles and dependencies that resolve to nothing
 * are reported, never dropped.
 */
import { idKey } from "../ids.js";

/** An open contract issue (or, offline, an issue file). `key` is unique: `#12`, or the file offline. */
export interface PlanContract {
  key: string;
  issue: number | undefined;
  title: string;
  /** The contract's id; undefined when the contract is invalid. */
  id: string | undefined;
  /** Why the contract is invalid (first problem), when it is. */
  invalid?: string;
  dependsOn: readonly string[];
  hotspots: readonly string[];
}

/** A PR's standing, from its `merge-captain` check (`unchecked`: there is none, e.g. offline). */
export type PullState = "green" | "deps-only" | "blocked" | "waiting" | "unverified" | "unchecked";

export interface PlanPull {
  number: number;
  /** The key of the contract it implements. */
  contract: string;
  state: PullState;
  /** What its check says, for people (its title). */
  summary: string;
}

/** What a `depends_on` id resolves to; the caller looks ids up (open issues, then closed ones). */
export type Resolution =
  | { kind: "contract"; key: string }
  | { kind: "open-issue"; issue: number }
  | { kind: "done"; issue?: number }
  | { kind: "missing" }
  | { kind: "unknown"; reason: string };

export interface PlanInput {
  contracts: readonly PlanContract[];
  pulls: readonly PlanPull[];
  /** By `idKey(id)`; an id with no entry is unknown. */
  resolutions: ReadonlyMap<string, Resolution>;
}

export type RowState =
  "ready" | "after-deps" | "blocked" | "waiting" | "unverified" | "unchecked" | "no-pr" | "invalid" | "cycle";

export interface Dependency {
  id: string;
  resolution: Resolution;
}

/** A dependency that is not done yet. */
export type WaitFor =
  | { kind: "contract"; id: string; contract: string; issue: number | undefined; pr: number | undefined }
  | { kind: "open-issue"; id: string; issue: number }
  | { kind: "missing"; id: string }
  | { kind: "unknown"; id: string; reason: string };

export interface PlanRow {
  contract: PlanContract;
  /** Its open PRs, the one the order uses first. */
  pulls: PlanPull[];
  state: RowState;
  dependencies: Dependency[];
  /** Dependencies not done yet (empty when nothing). */
  waitsFor: WaitFor[];
}

/** Why a PR sits where it does in the order. */
export type Reason =
  | { kind: "ready" }
  | { kind: "done"; id: string; issue: number | undefined }
  | { kind: "after"; pr: number; id: string }
  | { kind: "hotspot"; pr: number; paths: string[] }
  | { kind: "deps-only" }
  | { kind: "unchecked" };

export interface OrderStep {
  pr: number;
  contract: string;
  /** 1-based; a wave can be queued together, a later wave only once the earlier one merged. */
  wave: number;
  reasons: Reason[];
}

/** Why a contract (and its PR) is not in the order. */
export type Blocker =
  | { kind: "invalid"; message: string }
  | { kind: "cycle" }
  | { kind: "no-pr" }
  | { kind: "not-ready"; pr: number; summary: string }
  | { kind: "missing"; id: string }
  | { kind: "unknown"; id: string; reason: string }
  | { kind: "open-issue"; id: string; issue: number }
  | { kind: "outside"; id: string }
  | { kind: "waits"; contract: string };

export interface Unordered {
  contract: string;
  pr: number | undefined;
  blocker: Blocker;
}

export interface Plan {
  rows: PlanRow[];
  order: OrderStep[];
  /** PRs (or contracts) that are not in the order, and why. */
  unordered: Unordered[];
  /** Each cycle as contract keys, in the order the edges run. */
  cycles: string[][];
  /** `depends_on` ids that resolve to no issue, with who depends on them. */
  missing: { id: string; dependants: string[] }[];
  /** Edges of the graph: `from` must merge before `to` (contract keys). */
  edges: { from: string; to: string }[];
}

const PULL_RANK: Record<PullState, number> = {
  green: 0,
  "deps-only": 1,
  unchecked: 2,
  waiting: 3,
  unverified: 4,
  blocked: 5,
};

/** PRs that can be placed in the order (given their dependencies). */
function orderable(state: PullState): boolean {
  return state === "green" || state === "deps-only" || state === "unchecked";
}

/** Strongly connected components with more than one node, or a node on a self-loop (Tarjan, iterative). */
function findCycles(keys: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of keys) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const succ = next.get(frame.node) ?? [];
      if (frame.i < succ.length) {
        const w = succ[frame.i++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== frame.node);
        const selfLoop = (next.get(frame.node) ?? []).includes(frame.node);
        if (component.length > 1 || selfLoop) out.push(component.reverse());
      }
    }
  }
  return out;
}

export function buildPlan(input: PlanInput): Plan {
  const contracts = [...input.contracts];
  const byKey = new Map(contracts.map((c) => [c.key, c]));
  const resolve = (id: string): Resolution =>
    input.resolutions.get(idKey(id)) ?? { kind: "unknown", reason: "it was not looked up" };

  // Edges dependency → dependant, between contracts in the plan.
  const dependenciesOf = new Map<string, Dependency[]>();
  const needs = new Map<string, string[]>(); // dependant → contract keys it needs
  for (const c of contracts) {
    const deps = c.dependsOn.map((id) => ({ id, resolution: resolve(id) }));
    dependenciesOf.set(c.key, deps);
    needs.set(c.key, [
      ...new Set(
        deps.flatMap((d) =>
          d.resolution.kind === "contract" && byKey.has(d.resolution.key) ? [d.resolution.key] : [],
        ),
      ),
    ]);
  }
  const edges = contracts.flatMap((c) => (needs.get(c.key) ?? []).map((from) => ({ from, to: c.key })));
  const cycles = findCycles(
    contracts.map((c) => c.key),
    needs,
  );
  const inCycle = new Set(cycles.flat());

  const pullsOf = new Map<string, PlanPull[]>();
  for (const p of [...input.pulls].sort((a, b) => PULL_RANK[a.state] - PULL_RANK[b.state] || a.number - b.number)) {
    if (!byKey.has(p.contract)) continue;
    pullsOf.set(p.contract, [...(pullsOf.get(p.contract) ?? []), p]);
  }
  const chosen = (key: string): PlanPull | undefined => pullsOf.get(key)?.[0];

  const missing = new Map<string, string[]>();
  for (const c of contracts)
    for (const d of dependenciesOf.get(c.key) ?? [])
      if (d.resolution.kind === "missing") missing.set(d.id, [...(missing.get(d.id) ?? []), c.key]);

  // Why a contract cannot be ordered (none: it can, once its dependencies are placed).
  const blocked = new Map<string, Blocker>();
  const ownBlocker = (c: PlanContract): Blocker | undefined => {
    if (c.invalid !== undefined) return { kind: "invalid", message: c.invalid };
    if (inCycle.has(c.key)) return { kind: "cycle" };
    const pr = chosen(c.key);
    if (!pr) return { kind: "no-pr" };
    if (!orderable(pr.state)) return { kind: "not-ready", pr: pr.number, summary: pr.summary };
    for (const d of dependenciesOf.get(c.key) ?? []) {
      switch (d.resolution.kind) {
        case "missing":
          return { kind: "missing", id: d.id };
        case "unknown":
          return { kind: "unknown", id: d.id, reason: d.resolution.reason };
        case "open-issue":
          return { kind: "open-issue", id: d.id, issue: d.resolution.issue };
        case "contract":
          if (!byKey.has(d.resolution.key)) return { kind: "outside", id: d.id };
          break;
        case "done":
          break;
      }
    }
    return undefined;
  };
  for (const c of contracts) {
    const why = ownBlocker(c);
    if (why !== undefined) blocked.set(c.key, why);
  }
  // A contract whose dependency cannot be ordered cannot be either; repeat until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const c of contracts) {
      if (blocked.has(c.key)) continue;
      const stuck = (needs.get(c.key) ?? []).find((k) => blocked.has(k));
      if (stuck !== undefined) {
        blocked.set(c.key, { kind: "waits", contract: stuck });
        changed = true;
      }
    }
  }

  // Kahn's algorithm over the orderable contracts: first those that unblock the most, then by PR number.
  const candidates = contracts.filter((c) => !blocked.has(c.key));
  const dependants = new Map<string, Set<string>>();
  const reach = (key: string): Set<string> => {
    const seen = dependants.get(key);
    if (seen) return seen;
    const out = new Set<string>();
    dependants.set(key, out);
    for (const e of edges) if (e.from === key) for (const k of [e.to, ...reach(e.to)]) out.add(k);
    return out;
  };
  const placed: OrderStep[] = [];
  const done = new Set<string>();
  const waveOf = new Map<string, number>();
  while (done.size < candidates.length) {
    const ready = candidates
      .filter((c) => !done.has(c.key) && (needs.get(c.key) ?? []).every((k) => done.has(k)))
      .sort((a, b) => reach(b.key).size - reach(a.key).size || chosen(a.key)!.number - chosen(b.key)!.number);
    const next = ready[0];
    if (!next) break; // cannot happen: cycles and their dependants are blocked above
    const pr = chosen(next.key)!;
    const reasons: Reason[] = [];
    let wave = 1;
    const deps = dependenciesOf.get(next.key) ?? [];
    for (const d of deps) {
      if (d.resolution.kind === "done") reasons.push({ kind: "done", id: d.id, issue: d.resolution.issue });
      if (d.resolution.kind === "contract") {
        wave = Math.max(wave, waveOf.get(d.resolution.key)!);
        reasons.push({ kind: "after", pr: chosen(d.resolution.key)!.number, id: d.id });
      }
    }
    for (const earlier of placed) {
      const paths = next.hotspots.filter((h) => byKey.get(earlier.contract)!.hotspots.includes(h));
      if (paths.length === 0) continue;
      wave = Math.max(wave, earlier.wave + 1);
      reasons.push({ kind: "hotspot", pr: earlier.pr, paths });
    }
    if (pr.state === "deps-only") reasons.push({ kind: "deps-only" });
    if (pr.state === "unchecked") reasons.push({ kind: "unchecked" });
    if (reasons.length === 0) reasons.push({ kind: "ready" });
    waveOf.set(next.key, wave);
    placed.push({ pr: pr.number, contract: next.key, wave, reasons });
    done.add(next.key);
  }
  // Stable by wave: a dependency never has a later wave than its dependant, so the order stays topological.
  const order = placed
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.wave - b.s.wave || a.i - b.i)
    .map(({ s }) => s);

  const unordered: Unordered[] = contracts.flatMap((c) => {
    const blocker = blocked.get(c.key);
    return blocker === undefined ? [] : [{ contract: c.key, pr: chosen(c.key)?.number, blocker }];
  });

  const rows: PlanRow[] = contracts.map((c) => {
    const pulls = pullsOf.get(c.key) ?? [];
    const deps = dependenciesOf.get(c.key) ?? [];
    const waitsFor = deps.flatMap((d): WaitFor[] => {
      switch (d.resolution.kind) {
        case "done":
          return [];
        case "contract": {
          const dep = byKey.get(d.resolution.key);
          return [
            {
              kind: "contract",
              id: d.id,
              contract: d.resolution.key,
              issue: dep?.issue,
              pr: dep ? chosen(dep.key)?.number : undefined,
            },
          ];
        }
        case "open-issue":
          return [{ kind: "open-issue", id: d.id, issue: d.resolution.issue }];
        case "missing":
          return [{ kind: "missing", id: d.id }];
        case "unknown":
          return [{ kind: "unknown", id: d.id, reason: d.resolution.reason }];
      }
    });
    const pr = pulls[0];
    const state: RowState =
      c.invalid !== undefined
        ? "invalid"
        : inCycle.has(c.key)
          ? "cycle"
          : !pr
            ? "no-pr"
            : pr.state === "green"
              ? "ready"
              : pr.state === "deps-only" || (pr.state === "unchecked" && waitsFor.length > 0)
                ? "after-deps"
                : pr.state;
    return { contract: c, pulls, state, dependencies: deps, waitsFor };
  });

  return {
    rows,
    order,
    unordered,
    cycles,
    missing: [...missing.entries()].map(([id, dependants]) => ({ id, dependants })),
    edges,
  };
}
