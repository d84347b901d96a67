/** The operator's views on SQLite: error groups, who holds a pool's items, throughput. */
import { and, asc, count, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { ErrorGroup, PoolHolder, Throughput } from '@/lib/contracts';
import { items, throughput, workers } from '@/db/schema/sqlite';
import { examplesOf, examplesQuery, toErrorGroup } from '../error-groups';
import { iso } from '../values';
import { GROUP_KEY } from '../ops/bulk';
import { COMPLETED_TOTAL_MINUTE, THROUGHPUT_KEEP_MS, toThroughput, windowStart } from '../throughput';
import type { SqliteCtx, SqliteDb } from './context';

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
const groupKey = sql<string | null>`${sql.raw(GROUP_KEY)}`;

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
