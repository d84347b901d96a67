import { sql } from 'drizzle-orm';
import type { QueueLatency, WorkerStats } from '@/lib/contracts';
import { LATENCY_SAMPLE } from '@/lib/contracts';
import { latencySince, toLatency, toWorkerStats } from '../stats';
import type { PgCtx } from './context';
import { listPools } from './reads';

/**
 * HubStore.workerStats on PostgreSQL, as on SQLite (../sqlite/stats.ts): completions counted from
 * `claimed_by` (the completing attempt is implied by the columns, not in `history`), failures from
 * histories, which are empty for the many items completed at their first attempt.
 */
export async function workerStats(ctx: PgCtx): Promise<WorkerStats[]> {
  const completed = await ctx.db.execute<{ w: string | null; n: string }>(
    sql`SELECT claimed_by AS w, count(*) AS n FROM items WHERE status = 'completed' GROUP BY claimed_by`,
  );
  const failed = await ctx.db.execute<{ w: string | null; n: string }>(sql`
    SELECT a ->> 'worker_id' AS w, count(*) AS n
    FROM items, jsonb_array_elements(items.history) AS a
    WHERE jsonb_array_length(items.history) > 0 AND a ->> 'outcome' = 'failed'
    GROUP BY 1`);
  return toWorkerStats(completed.rows, failed.rows);
}

/** HubStore.queueLatency on PostgreSQL: as on SQLite (../sqlite/stats.ts). */
export async function queueLatency(ctx: PgCtx, minutes: number): Promise<QueueLatency> {
  const now = ctx.clock();
  const since = latencySince(now, minutes);
  const byPool = new Map<string, number[]>();
  for (const { name } of await listPools(ctx.db)) {
    const waits: number[] = [];
    for (const [status, earlier] of [['claimed', 0], ['completed', 0], ['poisoned', 1]] as const) {
      const rows = await ctx.db.execute<{ wait: string }>(sql`
        SELECT claimed_at - coalesce(run_at, created_at) AS wait FROM (
          SELECT claimed_at, run_at, created_at, attempts, history FROM items
          WHERE pool = ${name} AND status = ${status} ORDER BY id DESC LIMIT ${LATENCY_SAMPLE}) s
        WHERE attempts = 1 AND claimed_at >= ${since} AND jsonb_array_length(history) = ${earlier}`);
      for (const r of rows.rows) waits.push(Number(r.wait));
    }
    byPool.set(name, waits);
  }
  return toLatency(now, minutes, byPool);
}
