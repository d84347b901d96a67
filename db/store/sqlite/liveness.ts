import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { ReapResult } from '@/lib/contracts';
import { items, workers } from '@/db/schema/sqlite';
import { appendAttempt, exhausted, writeTx, type SqliteCtx } from './context';
import { pruneThroughput } from './operator';

const PRUNE_BATCH = 1000;

export function reap(ctx: SqliteCtx, staleSeconds: number): ReapResult {
  const now = ctx.clock();
  const { lost, ended } = writeTx(ctx, (tx) => {
    // The guard (still active/terminating, still stale) makes a second reaper find nothing.
    const lost = tx
      .update(workers)
      .set({ status: 'lost' })
      .where(and(inArray(workers.status, ['active', 'terminating']), lt(workers.lastHeartbeat, now - staleSeconds * 1000)))
      .returning({ id: workers.workerId })
      .all()
      .map((w) => w.id);
    if (lost.length === 0) return { lost, ended: [] };
    const reason = sql`'worker ' || ${items.claimedBy} || ' was lost (no heartbeat for ' || ${staleSeconds} || ' s)'`;
    // An item whose attempts are used up is poisoned rather than released: an item that kills
    // every worker that takes it must not loop forever.
    const ended = tx
      .update(items)
      .set({
        status: sql`CASE WHEN ${exhausted} THEN 'poisoned' ELSE 'pending' END`,
        claimedBy: sql`CASE WHEN ${exhausted} THEN ${items.claimedBy} ELSE NULL END`,
        claimedAt: sql`CASE WHEN ${exhausted} THEN ${items.claimedAt} ELSE NULL END`,
        lastError: sql`CASE WHEN ${exhausted} THEN ${reason} ELSE ${items.lastError} END`,
        leaseId: null,
        history: appendAttempt(now, 'released', reason),
      })
      .where(and(eq(items.status, 'claimed'), inArray(items.claimedBy, lost)))
      .returning({ id: items.id, pool: items.pool, status: items.status })
      .all();
    return { lost, ended };
  });
  for (const id of lost) ctx.emit({ type: 'worker', worker_id: id, status: 'lost' });
  for (const e of ended) ctx.emit({ type: 'item', id: String(e.id), pool: e.pool, status: e.status as 'pending' | 'poisoned' });
  for (const pool of new Set(ended.map((e) => e.pool))) ctx.emit({ type: 'pool', name: pool });
  const poisoned = ended.filter((e) => e.status === 'poisoned').length;
  return { lost, released: ended.length - poisoned, poisoned };
}

/**
 * Deletes in batches so a large backlog never holds the write lock for long. Also drops
 * throughput counters older than a day (not counted in the result).
 */
export function prune(ctx: SqliteCtx, retentionSeconds: number): number {
  pruneThroughput(ctx);
  const cutoff = ctx.clock() - retentionSeconds * 1000;
  let total = 0;
  for (;;) {
    const batch = ctx.db
      .select({ id: items.id })
      .from(items)
      .where(and(eq(items.status, 'completed'), lt(items.completedAt, cutoff)))
      .limit(PRUNE_BATCH);
    const n = ctx.db.delete(items).where(inArray(items.id, batch)).run().changes;
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}
