import { and, asc, eq, isNotNull, lt, notInArray } from 'drizzle-orm';
import { items, workers } from '@/db/schema/pg';
import { inLocked, type PgCtx } from './context';
import { pruneThroughput } from './views';

/** Retention of what finished: completed items and terminated workers. (The reaper is db/store/ops/reap.ts.) */

const PRUNE_BATCH = 1000;

/** Deletes in batches, skipping rows another instance's pruner holds, so none waits on another. */
export async function prune(ctx: PgCtx, retentionSeconds: number): Promise<number> {
  await pruneThroughput(ctx); // counters older than a day; not counted in the result
  const cutoff = ctx.clock() - retentionSeconds * 1000;
  const old = and(eq(items.status, 'completed'), lt(items.completedAt, cutoff));
  let total = 0;
  for (;;) {
    const batch = ctx.db.select({ id: items.id }).from(items).where(old).orderBy(asc(items.id)).limit(PRUNE_BATCH).for('update', { skipLocked: true });
    const n = (await ctx.db.delete(items).where(and(inLocked(items.id, batch), old)).returning({ id: items.id })).length;
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}

/**
 * See HubStore.pruneWorkers. One guarded DELETE, safe on every instance at once: a row another
 * instance deletes first is gone when this one gets its lock, and a worker registering again
 * meanwhile is active, so the re-checked guard keeps it.
 */
export async function pruneWorkers(ctx: PgCtx, retentionSeconds: number): Promise<string[]> {
  const cutoff = ctx.clock() - retentionSeconds * 1000;
  const holders = ctx.db
    .select({ id: items.claimedBy })
    .from(items)
    .where(and(isNotNull(items.claimedBy), eq(items.status, 'claimed')));
  const pruned = (
    await ctx.db
      .delete(workers)
      .where(and(eq(workers.status, 'terminated'), lt(workers.lastHeartbeat, cutoff), notInArray(workers.workerId, holders)))
      .returning({ id: workers.workerId })
  )
    .map((w) => w.id)
    .sort();
  // The last status a live view saw it in; the dashboard refetches the list on it.
  for (const id of pruned) ctx.emit({ type: 'worker', worker_id: id, status: 'terminated' });
  return pruned;
}
