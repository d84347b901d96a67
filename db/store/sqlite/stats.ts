import { sql } from 'drizzle-orm';
import type { QueueLatency, WorkerStats } from '@/lib/contracts';
import { LATENCY_SAMPLE } from '@/lib/contracts';
import { latencySince, toLatency, toWorkerStats } from '../stats';
import type { SqliteCtx } from './context';
import { listPools } from './reads';

/**
 * HubStore.workerStats on SQLite. A completed item's completing attempt is implied by its columns
 * (not in `history`), so completions are counted from `claimed_by`; failures from histories,
 * which are '[]' for the many items completed at their first attempt.
 */
export function workerStats(ctx: SqliteCtx): WorkerStats[] {
  const completed = ctx.db.all<{ w: string | null; n: number }>(
    sql`SELECT claimed_by AS w, count(*) AS n FROM items WHERE status = 'completed' GROUP BY claimed_by`,
  );
  const failed = ctx.db.all<{ w: string | null; n: number }>(sql`
    SELECT json_extract(a.value, '$.worker_id') AS w, count(*) AS n
    FROM items, json_each(items.history) AS a
    WHERE items.history <> '[]' AND json_extract(a.value, '$.outcome') = 'failed'
    GROUP BY w`);
  return toWorkerStats(completed, failed);
}

/**
 * HubStore.queueLatency on SQLite: per pool and status, the newest LATENCY_SAMPLE items (the
 * status index, newest id first), kept if their claim is a first one in the window. A first
 * claim: attempts 1 and no ended attempt before it (a poisoned item's history holds its own).
 */
export function queueLatency(ctx: SqliteCtx, minutes: number): QueueLatency {
  const now = ctx.clock();
  const since = latencySince(now, minutes);
  const byPool = new Map<string, number[]>();
  for (const { name } of listPools(ctx)) {
    const waits: number[] = [];
    for (const [status, earlier] of [['claimed', 0], ['completed', 0], ['poisoned', 1]] as const) {
      const rows = ctx.db.all<{ wait: number }>(sql`
        SELECT claimed_at - coalesce(run_at, created_at) AS wait FROM (
          SELECT claimed_at, run_at, created_at, attempts, history FROM items
          WHERE status = ${status} AND pool = ${name} ORDER BY id DESC LIMIT ${LATENCY_SAMPLE})
        WHERE attempts = 1 AND claimed_at >= ${since} AND json_array_length(history) = ${earlier}`);
      for (const r of rows) waits.push(r.wait);
    }
    byPool.set(name, waits);
  }
  return toLatency(now, minutes, byPool);
}
