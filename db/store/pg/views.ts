import { and, asc, count, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { ErrorGroup, PoolHolder, Throughput } from '@/lib/contracts';
import { items, throughput, workers } from '@/db/schema/pg';
import { examplesOf, examplesQuery, toErrorGroup } from '../error-groups';
import { iso } from '../values';
import { GROUP_KEY } from '../ops/bulk';
import { THROUGHPUT_KEEP_MS, toThroughput, windowStart } from '../throughput';
import type { PgCtx, PgDb } from './context';

// The operator's views on PostgreSQL; the same semantics as db/store/sqlite/views.ts (specified
// on HubStore in db/store/types.ts). The throughput counters are appended by a statement trigger
// (migration 0008), several rows a minute until the compaction folds them: readers sum them.

export async function readThroughput(ctx: PgCtx, minutes: number): Promise<Throughput> {
  const now = ctx.clock();
  const rows = await ctx.db.select().from(throughput).where(gte(throughput.minute, windowStart(now, minutes)));
  return toThroughput(rows, now, minutes);
}

export async function pruneThroughput(ctx: PgCtx): Promise<void> {
  await ctx.db.delete(throughput).where(lt(throughput.minute, ctx.clock() - THROUGHPUT_KEEP_MS));
}

// When a poisoned item was poisoned: the end of its last attempt, else its creation.
const poisonedAt = sql<number>`coalesce((${items.history} -> -1 ->> 'ended_at')::bigint, ${items.createdAt})`;

/** What error groups group on: the fingerprint, or the exact text of items failed before fingerprints. */
const groupKey = sql<string | null>`${sql.raw(GROUP_KEY)}`;

export async function errorGroups(db: PgDb, pool: string, limit: number): Promise<ErrorGroup[]> {
  const last = sql<string>`max(${poisonedAt})`;
  const groups = await db
    .select({
      key: groupKey,
      n: count(),
      first: sql<string>`min(${poisonedAt})`,
      last,
      sample: sql<string>`min(${items.id})`,
      errorType: sql<string | null>`max(${items.lastErrorType})`,
    })
    .from(items)
    .where(and(eq(items.pool, pool), eq(items.status, 'poisoned')))
    .groupBy(groupKey)
    .orderBy(desc(count()), desc(last))
    .limit(limit);
  const examples = examplesOf((await db.execute<{ k: string | null; e: string }>(examplesQuery(pool))).rows);
  return groups.map((g) => toErrorGroup(g, examples.get(g.key) ?? []));
}

export async function poolHolders(db: PgDb, pool: string): Promise<PoolHolder[]> {
  const rows = await db
    .select({ workerId: items.claimedBy, n: count(), status: workers.status, lastHeartbeat: workers.lastHeartbeat })
    .from(items)
    .leftJoin(workers, eq(workers.workerId, items.claimedBy))
    .where(and(eq(items.pool, pool), eq(items.status, 'claimed')))
    .groupBy(items.claimedBy, workers.status, workers.lastHeartbeat)
    .orderBy(desc(count()), asc(items.claimedBy));
  return rows
    .filter((h) => h.workerId !== null)
    .map((h) => ({ worker_id: h.workerId!, claimed: Number(h.n), worker_status: h.status, last_heartbeat: iso(h.lastHeartbeat) }));
}
