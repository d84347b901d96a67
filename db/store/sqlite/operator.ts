import { and, asc, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { ErrorGroup, PoolBulkBody, PoolHolder, Throughput } from '@/lib/contracts';
import type { ErrorFilter } from '../types';
import { items, throughput, workers } from '@/db/schema/sqlite';
import { examplesOf, examplesQuery, toErrorGroup } from '../error-groups';
import { bulkConditions } from '../item-filters';
import { iso } from '../ids';
import { COMPLETED_TOTAL_MINUTE, minuteOf, THROUGHPUT_KEEP_MS, toThroughput, windowStart } from '../throughput';
import { writeTx, type SqliteCtx, type SqliteDb } from './context';

/**
 * Adds a failure to this minute's counter of a pool. Call it inside the write transaction of the
 * fail it counts (a prepared statement on the same connection joins that transaction).
 * Completions need no call: a trigger counts them (migration 0006).
 */
export function countFailure(ctx: SqliteCtx, now: number, pool: string, poisoned: boolean) {
  ctx.stmts.countFailure.run({ pool, minute: minuteOf(now), failed: 1, poisoned: poisoned ? 1 : 0 });
}

/** Adds items the reaper poisoned to this minute's counters (no failure: the worker did not report one). */
export function countPoisoned(ctx: SqliteCtx, now: number, pool: string, n: number) {
  ctx.stmts.countFailure.run({ pool, minute: minuteOf(now), failed: 0, poisoned: n });
}

/** Drops minutes older than a day; never a pool's running total (its minute is the largest). */
export function pruneThroughput(ctx: SqliteCtx): number {
  return ctx.db.delete(throughput).where(lt(throughput.minute, ctx.clock() - THROUGHPUT_KEEP_MS)).run().changes;
}

export function readThroughput(ctx: SqliteCtx, minutes: number): Throughput {
  const now = ctx.clock();
  const rows = ctx.db
    .select()
    .from(throughput)
    .where(and(gte(throughput.minute, windowStart(now, minutes)), lt(throughput.minute, COMPLETED_TOTAL_MINUTE)))
    .all();
  return toThroughput(rows, now, minutes);
}

// When a poisoned item was poisoned: the end of its last attempt (its history is never empty
// once it has been claimed; an item poisoned otherwise falls back to its creation).
const poisonedAt = sql<number>`coalesce(json_extract(${items.history}, '$[#-1].ended_at'), ${items.createdAt})`;

/** What error groups group on: the fingerprint, or the exact text of items failed before fingerprints. */
const groupKey = sql<string | null>`coalesce(${items.errorFingerprint}, ${items.lastError})`;

export function errorGroups(db: SqliteDb, pool: string, limit: number): ErrorGroup[] {
  const last = sql<number>`max(${poisonedAt})`;
  const groups = db
    .select({
      key: groupKey,
      n: count(),
      first: sql<number>`min(${poisonedAt})`,
      last,
      sample: sql<number>`min(${items.id})`,
      errorType: sql<string | null>`max(${items.lastErrorType})`,
    })
    .from(items)
    .where(and(eq(items.pool, pool), eq(items.status, 'poisoned')))
    .groupBy(groupKey)
    .orderBy(desc(count()), desc(last))
    .limit(limit)
    .all();
  const examples = examplesOf(db.all<{ k: string | null; e: string }>(examplesQuery(pool)));
  return groups.map((g) => toErrorGroup(g, examples.get(g.key) ?? []));
}

export function poolHolders(db: SqliteDb, pool: string): PoolHolder[] {
  return db
    .select({
      workerId: items.claimedBy,
      n: count(),
      status: workers.status,
      lastHeartbeat: workers.lastHeartbeat,
    })
    .from(items)
    .leftJoin(workers, eq(workers.workerId, items.claimedBy))
    .where(and(eq(items.pool, pool), eq(items.status, 'claimed')))
    .groupBy(items.claimedBy)
    .orderBy(desc(count()), asc(items.claimedBy))
    .all()
    .filter((h) => h.workerId !== null)
    .map((h) => ({
      worker_id: h.workerId!,
      claimed: h.n,
      worker_status: h.status,
      last_heartbeat: iso(h.lastHeartbeat),
    }));
}

/** The guard of a bulk action: the pool, the status and the filter (../item-filters.ts), at the store's clock `now`. */
export function bulkWhere(pool: string, status: PoolBulkBody['status'], error: ErrorFilter | undefined, now: number): SQL {
  return bulkConditions(items, pool, status, error, now);
}

export function discardPool(ctx: SqliteCtx, pool: string, status: PoolBulkBody['status'], error?: ErrorFilter): number {
  const rows = writeTx(ctx, (tx) =>
    tx.delete(items).where(bulkWhere(pool, status, error, ctx.clock())).returning({ id: items.id }).all(),
  );
  // One pool event for the lot, as retryPool does: a bulk action on thousands of items must not
  // flood every open event stream.
  if (rows.length) ctx.emit({ type: 'pool', name: pool });
  return rows.length;
}
