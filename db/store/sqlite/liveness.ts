import { and, eq, isNotNull, lt, notInArray } from 'drizzle-orm';
import { items, workers } from '@/db/schema/sqlite';
import { prepared } from '../ops/sql';
import type { SqliteCtx } from './context';
import { pruneThroughput } from './views';

/** Retention of what finished: completed items and terminated workers. (The reaper is db/store/ops/reap.ts.) */

// The pools, and a window of a pool's completed items in id order on the status index, deleting
// those completed before the cutoff.
const COUNTED_POOLS = `SELECT DISTINCT pool FROM pool_counts ORDER BY pool`;
const COMPLETED_WINDOW = `SELECT count(*) AS n, max(id) AS last FROM (SELECT id FROM items
  WHERE status = 'completed' AND pool = @pool AND id > @after ORDER BY id LIMIT CAST(@window AS INTEGER))`;
const PRUNE_COMPLETED = `DELETE FROM items WHERE status = 'completed' AND pool = @pool AND id > @after AND id <= @last
  AND completed_at < @cutoff`;

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
  const pools = prepared<[], string>(ctx, COUNTED_POOLS).pluck().all();
  // Start with the pool the last prune stopped in, or else the one after it.
  const stoppedIn = ctx.prune.pool;
  const from = stoppedIn === undefined ? 0 : Math.max(0, pools.findIndex((p) => p >= stoppedIn));
  let budget = window;
  let total = 0;
  for (let k = 0; k < pools.length && budget > 0; k++) {
    const pool = pools[(from + k) % pools.length]!;
    const after = cursors.get(pool) ?? 0;
    const { n, last } = prepared<object, { n: number; last: number | null }>(ctx, COMPLETED_WINDOW).get({ pool, after, window: budget })!;
    if (last !== null) total += prepared(ctx, PRUNE_COMPLETED).run({ pool, after, last, cutoff }).changes;
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
