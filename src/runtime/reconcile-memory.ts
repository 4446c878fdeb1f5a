/** Where the reconciler keeps what it confirmed per repository (src/core/reconcile/plan.ts `RepoMemory`): in memory, or in Redis (redis.ts). */
import { EMPTY_MEMORY, type RepoMemory } from "../core/reconcile/plan.js";

export interface ReconcileMemory {
  get(repo: string): Promise<RepoMemory>;
  set(repo: string, memory: RepoMemory): Promise<void>;
}

/** Bounded: at most this many repositories are remembered (the oldest written is dropped first). */
export class LocalReconcileMemory implements ReconcileMemory {
  private readonly repos = new Map<string, RepoMemory>();

  constructor(private readonly capacity = 10_000) {}

  async get(repo: string): Promise<RepoMemory> {
    return this.repos.get(repo) ?? EMPTY_MEMORY;
  }

  async set(repo: string, memory: RepoMemory): Promise<void> {
    this.repos.delete(repo);
    this.repos.set(repo, memory);
    if (this.repos.size > this.capacity) this.repos.delete(this.repos.keys().next().value as string);
  }
}

/** A memory read back from storage, checked field by field: anything unexpected reads as empty (it only costs a re-check). */
export function parseMemory(raw: string | null): RepoMemory {
  if (raw === null) return EMPTY_MEMORY;
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== "object" || value === null) return EMPTY_MEMORY;
    const { pulls, runs } = value as { pulls?: unknown; runs?: unknown };
    const okPulls =
      typeof pulls === "object" &&
      pulls !== null &&
      !Array.isArray(pulls) &&
      Object.entries(pulls).every(([k, v]) => /^\d+$/.test(k) && typeof v === "string");
    const okRuns = Array.isArray(runs) && runs.every((r) => typeof r === "string");
    return okPulls && okRuns ? { pulls: pulls as Record<string, string>, runs: runs } : EMPTY_MEMORY;
  } catch {
    return EMPTY_MEMORY;
  }
}
