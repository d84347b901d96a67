import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { ReapResult } from '@/lib/contracts';
import { items, workers } from '@/db/schema/sqlite';
import { appendAttempt, exhausted, writeTx, type SqliteCtx } from './context';
import { pruneThroughput } from './operator';

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
 * How many completed items of a pool one prune looks at. Each looks at the next window, in id
 * order, and deletes those that completed before the cutoff; after the last it starts again
 * from the first. An item is deleted at most one pass after it expires (a million completed
 * items, one window every reap interval of 5 s: 17 minutes), and a prune never holds the write
 * lock for more than a window.
 */
export const PRUNE_WINDOW = 5000;

/**
 * Deletes completed items of each pool that completed more than `retentionSeconds` ago, one
 * window of the pool's completed items a call (see PRUNE_WINDOW). There is no index on
 * completion time for this: one would be one more page in every completion's commit, and
 * walking the status index instead costs the pruner a few milliseconds a window. Also drops
 * throughput counters older than a day (not counted in the result).
 */
export function prune(ctx: SqliteCtx, retentionSeconds: number, window = PRUNE_WINDOW): number {
  pruneThroughput(ctx);
  const cutoff = ctx.clock() - retentionSeconds * 1000;
  let total = 0;
  for (const pool of ctx.stmts.countedPools.all()) {
    const after = ctx.pruneCursors.get(pool) ?? 0;
    const last = ctx.stmts.completedWindowEnd.get({ pool, after, window }) ?? null;
    if (last === null) {
      ctx.pruneCursors.delete(pool); // nothing after the cursor: the next pass starts over
      continue;
    }
    total += ctx.stmts.pruneCompleted.run({ pool, after, last, cutoff }).changes;
    if (last === ctx.stmts.lastCompleted.get(pool)) ctx.pruneCursors.delete(pool);
    else ctx.pruneCursors.set(pool, last);
  }
  return total;
}
