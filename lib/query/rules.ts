import type { PoolSummary, WorkerRecord, WorkerStatus } from '@/lib/contracts';

/**
 * Dashboard rules, kept out of the components so they are stated (and tested) once.
 */

/** Statuses the reaper watches: a worker in one of them is expected to heartbeat. */
const WATCHED: readonly WorkerStatus[] = ['active', 'terminating'];

export const heartbeatAgeMs = (w: Pick<WorkerRecord, 'last_heartbeat'>, now: number) =>
  Math.max(0, now - Date.parse(w.last_heartbeat));

/**
 * Stale: the reaper watches it and its heartbeat is older than the hub's stale threshold, so the
 * next reaper run will mark it lost and release its items.
 */
export function isStale(w: Pick<WorkerRecord, 'status' | 'last_heartbeat'>, staleSeconds: number, now: number): boolean {
  return WATCHED.includes(w.status) && heartbeatAgeMs(w, now) > staleSeconds * 1000;
}

/** Active and heartbeating within the threshold: a worker that can be taking work right now. */
export const isLive = (w: Pick<WorkerRecord, 'status' | 'last_heartbeat'>, staleSeconds: number, now: number) =>
  w.status === 'active' && !isStale(w, staleSeconds, now);

export interface PoolHealth {
  /** Live workers registered for this pool (`pool_id`). */
  liveWorkers: number;
  /** Pending work and no live worker registered for the pool. */
  noLiveWorker: boolean;
}

/**
 * Whether anyone is taking from a pool. A worker declares the pool it takes from with `pool_id`
 * at registration; that is the only durable link the hub has, so "taking from it" means: an
 * active worker with a fresh heartbeat whose `pool_id` is the pool. Workers registered without a
 * pool are reported separately (they may take from any pool) and do not silence the warning:
 * a false alarm is cheaper than a backlog nobody notices.
 */
export function poolHealth(
  pool: Pick<PoolSummary, 'name' | 'pending'>,
  workers: Pick<WorkerRecord, 'status' | 'last_heartbeat' | 'pool_id'>[],
  staleSeconds: number,
  now: number,
): PoolHealth {
  const liveWorkers = workers.filter((w) => w.pool_id === pool.name && isLive(w, staleSeconds, now)).length;
  return { liveWorkers, noLiveWorker: pool.pending > 0 && liveWorkers === 0 };
}

/** Live workers with no `pool_id`: they may take from any pool. */
export const unpooledLiveWorkers = (
  workers: Pick<WorkerRecord, 'status' | 'last_heartbeat' | 'pool_id'>[],
  staleSeconds: number,
  now: number,
) => workers.filter((w) => w.pool_id === null && isLive(w, staleSeconds, now)).length;

/** How many workers in each status. */
export function workerTotals(workers: Pick<WorkerRecord, 'status'>[]): Record<WorkerStatus, number> {
  const totals: Record<WorkerStatus, number> = { active: 0, terminating: 0, terminated: 0, lost: 0 };
  for (const w of workers) totals[w.status] += 1;
  return totals;
}
