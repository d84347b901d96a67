import { and, asc, eq, inArray, isNotNull, lt, notInArray, sql } from 'drizzle-orm';
import { LOST_FINGERPRINT } from '../fingerprint';
import type { ReapResult } from '@/lib/contracts';
import { items, workers } from '@/db/schema/pg';
import { appendAttempt, exhausted, writeTx, inLocked, type PgCtx } from './context';
import { pruneThroughput } from './operator';

const PRUNE_BATCH = 1000;

/**
 * Safe on every instance at once. The stale workers are locked with SKIP LOCKED, so a worker
 * another reaper is losing right now is left to it, and the guard (still active/terminating,
 * still stale) makes a later reaper find nothing; each reaper releases only the items of the
 * workers it lost itself, in the same transaction.
 */
export async function reap(ctx: PgCtx, staleSeconds: number): Promise<ReapResult> {
  const now = ctx.clock();
  const liveAndStale = and(inArray(workers.status, ['active', 'terminating']), lt(workers.lastHeartbeat, now - staleSeconds * 1000));
  const { lost, ended } = await writeTx(ctx, async (tx) => {
    const stale = tx
      .select({ id: workers.workerId })
      .from(workers)
      .where(liveAndStale)
      .orderBy(asc(workers.workerId))
      .for('update', { skipLocked: true });
    const lost = (await tx.update(workers).set({ status: 'lost' }).where(and(inLocked(workers.workerId, stale), liveAndStale)).returning({ id: workers.workerId }))
      .map((w) => w.id)
      .sort();
    if (lost.length === 0) return { lost, ended: [] };
    const reason = sql`'worker ' || ${items.claimedBy} || ' was lost (no heartbeat for ' || ${String(staleSeconds)}::text || ' s)'`;
    const theirs = and(eq(items.status, 'claimed'), inArray(items.claimedBy, lost));
    const locked = tx.select({ id: items.id }).from(items).where(theirs).orderBy(asc(items.id)).for('update');
    // An item whose attempts are used up is poisoned rather than released: an item that kills
    // every worker that takes it must not loop forever.
    const ended = await tx
      .update(items)
      .set({
        status: sql`CASE WHEN ${exhausted} THEN 'poisoned' ELSE 'pending' END`,
        claimedBy: sql`CASE WHEN ${exhausted} THEN ${items.claimedBy} ELSE NULL END`,
        claimedAt: sql`CASE WHEN ${exhausted} THEN ${items.claimedAt} ELSE NULL END`,
        lastError: sql`CASE WHEN ${exhausted} THEN ${reason} ELSE ${items.lastError} END`,
        // One error group for every item a lost worker's loss poisoned, whichever worker it was.
        lastErrorType: sql`CASE WHEN ${exhausted} THEN NULL ELSE ${items.lastErrorType} END`,
        errorFingerprint: sql`CASE WHEN ${exhausted} THEN ${LOST_FINGERPRINT} ELSE ${items.errorFingerprint} END`,
        leaseId: null,
        history: appendAttempt(now, 'released', reason),
      })
      .where(and(inLocked(items.id, locked), theirs))
      .returning({ id: items.id, pool: items.pool, status: items.status });
    return { lost, ended };
  });
  for (const id of lost) ctx.emit({ type: 'worker', worker_id: id, status: 'lost' });
  for (const e of ended) ctx.emit({ type: 'item', id: String(e.id), pool: e.pool, status: e.status as 'pending' | 'poisoned' });
  for (const pool of new Set(ended.map((e) => e.pool))) ctx.emit({ type: 'pool', name: pool });
  const poisoned = ended.filter((e) => e.status === 'poisoned').length;
  return { lost, released: ended.length - poisoned, poisoned };
}

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
