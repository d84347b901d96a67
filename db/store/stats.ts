/** Worker counts and queue latency (HubStore.workerStats, queueLatency): the parts both engines share. */
import type { PoolLatency, QueueLatency, WorkerStats } from '@/lib/contracts';

/** The value at rank ⌈p·n⌉ of sorted values (nearest rank); null for none. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length))) - 1]!;
}

/** One pool's latency from its waits in milliseconds (any order), in seconds to the millisecond. */
export function poolLatency(pool: string, waitsMs: number[]): PoolLatency {
  const sorted = waitsMs.map((w) => Math.max(0, Number(w))).sort((a, b) => a - b);
  const s = (ms: number | null) => (ms === null ? null : ms / 1000);
  return { pool, claims: sorted.length, p50_seconds: s(percentile(sorted, 0.5)), p95_seconds: s(percentile(sorted, 0.95)) };
}

/** The answer: pools with at least one claim, by name. */
export function toLatency(now: number, minutes: number, byPool: Map<string, number[]>): QueueLatency {
  const pools = [...byPool.entries()]
    .filter(([, waits]) => waits.length > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([pool, waits]) => poolLatency(pool, waits));
  return { since: new Date(latencySince(now, minutes)).toISOString(), minutes, pools };
}

export const latencySince = (now: number, minutes: number) => now - minutes * 60_000;

/** Completed and failed counts by worker (counts may arrive as strings) into the answer, by worker id. */
export function toWorkerStats(completed: { w: string | null; n: number | string }[], failed: { w: string | null; n: number | string }[]): WorkerStats[] {
  const byWorker = new Map<string, WorkerStats>();
  const of = (w: string) => {
    let s = byWorker.get(w);
    if (!s) byWorker.set(w, (s = { worker_id: w, completed: 0, failed: 0 }));
    return s;
  };
  for (const r of completed) if (r.w !== null) of(r.w).completed += Number(r.n);
  for (const r of failed) if (r.w !== null) of(r.w).failed += Number(r.n);
  return [...byWorker.values()].sort((a, b) => (a.worker_id < b.worker_id ? -1 : a.worker_id > b.worker_id ? 1 : 0));
}
