import { and, eq, inArray, isNotNull, lt, notInArray, sql } from 'drizzle-orm';
import { LOST_FINGERPRINT } from '../fingerprint';
import { countPoisoned } from './operator';
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
    const reason = sql`'worker ' || ${items.claimedBy} || ' was lost (no heartbeat for ' || ${String(staleSeconds)} || ' s)'`;
    // An item whose attempts are used up is poisoned rather than released: an item that kills
    // every worker that takes it must not loop forever.
    const ended = tx
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
      .where(and(eq(items.status, 'claimed'), inArray(items.claimedBy, lost)))
      .returning({ id: items.id, pool: items.pool, status: items.status })
      .all();
    const poisonedIn = new Map<string, number>();
    for (const e of ended) if (e.status === 'poisoned') poisonedIn.set(e.pool, (poisonedIn.get(e.pool) ?? 0) + 1);
    for (const [pool, n] of poisonedIn) countPoisoned(ctx, now, pool, n);
    return { lost, ended };
  });
  for (const id of lost) ctx.emit({ type: 'worker', worker_id: id, status: 'lost' });
  for (const e of ended) ctx.emit({ type: 'item', id: String(e.id), pool: e.pool, status: e.status as 'pending' | 'poisoned' });
  for (const pool of new Set(ended.map((e) => e.pool))) ctx.emit({ type: 'pool', name: pool });
  const poisoned = ended.filter((e) => e.status === 'poisoned').length;
  return { lost, released: ended.length - poisoned, poisoned };
}

/**
 * How many completed items one prune looks at, over all pools. It takes each pool's completed
 * items in id order, a window at a time, and deletes those that completed before the cutoff;
 * after a pool's last it starts that pool again from its first, and the pools take turns. An
 * item is deleted at most one pass after it expires (a million completed items, a prune every
 * reap interval of 5 s: 17 minutes), and a prune costs the hub 5–10 ms (about 14 ms when it deletes
 * all 5,000), however many pools and items there are.
 */
export const PRUNE_WINDOW = 5000;

/**
 * Deletes completed items that completed more than `retentionSeconds` ago, looking at `window`
 * of them a call (see PRUNE_WINDOW). There is no index on completion time for this: one would be
 * one more page in every completion's commit; the pruner walks the status index instead. Also
 * drops throughput counters older than a day (not counted in the result).
 */
export function prune(ctx: SqliteCtx, retentionSeconds: number, window = PRUNE_WINDOW): number {
  pruneThroughput(ctx);
  const cutoff = ctx.clock() - retentionSeconds * 1000;
  const { cursors } = ctx.prune;
  const pools = ctx.stmts.countedPools.all();
  // Start with the pool the last prune stopped in, or else the one after it.
  const stoppedIn = ctx.prune.pool;
  const from = stoppedIn === undefined ? 0 : Math.max(0, pools.findIndex((p) => p >= stoppedIn));
  let budget = window;
  let total = 0;
  for (let k = 0; k < pools.length && budget > 0; k++) {
    const pool = pools[(from + k) % pools.length]!;
    const after = cursors.get(pool) ?? 0;
    const { n, last } = ctx.stmts.completedWindow.get({ pool, after, window: budget })!;
    if (last !== null) total += ctx.stmts.pruneCompleted.run({ pool, after, last, cutoff }).changes;
    // A window cut short by the end of the pool's completed items: the next pass starts over.
    if (n < budget) cursors.delete(pool);
    else cursors.set(pool, last!);
    budget -= n;
    ctx.prune.pool = cursors.has(pool) ? pool : pools[(from + k + 1) % pools.length];
  }
  return total;
}

/** See HubStore.pruneWorkers. One guarded DELETE: a worker registering again meanwhile is active, and kept. */
export function pruneWorkers(ctx: SqliteCtx, retentionSeconds: number): string[] {
  const cutoff = ctx.clock() - retentionSeconds * 1000;
  // NOT IN finds nothing at all once the list holds a NULL: leave those out.
  const holders = ctx.db
    .select({ id: items.claimedBy })
    .from(items)
    .where(and(eq(items.status, 'claimed'), isNotNull(items.claimedBy)));
  const pruned = ctx.db
    .delete(workers)
    .where(and(eq(workers.status, 'terminated'), lt(workers.lastHeartbeat, cutoff), notInArray(workers.workerId, holders)))
    .returning({ id: workers.workerId })
    .all()
    .map((w) => w.id);
  // The last status a live view saw it in; the dashboard refetches the list on it.
  for (const id of pruned) ctx.emit({ type: 'worker', worker_id: id, status: 'terminated' });
  return pruned;
}
