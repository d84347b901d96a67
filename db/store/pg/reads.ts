import { and, asc, eq, sql } from 'drizzle-orm';
import type { ItemDetail, PoolSummary } from '@/lib/contracts';
import { items } from '@/db/schema/pg';
import { iso, parseItemId } from '../values';
import type { PgDb } from './context';
import { readCounts } from './counts';
import { pausedPools } from './pools';
import { emptySummary, summarizeCounts } from '../rows';
import { toItemDetail } from './rows';

export async function getItem(db: PgDb, itemId: string): Promise<ItemDetail | null> {
  const id = parseItemId(itemId);
  if (id === null) return null;
  const [row] = await db.select().from(items).where(eq(items.id, id));
  return row ? toItemDetail(row) : null;
}

async function oldestPendingAt(db: PgDb, pool: string): Promise<string | null> {
  const [row] = await db
    .select({ createdAt: items.createdAt })
    .from(items)
    .where(and(eq(items.pool, pool), eq(items.status, 'pending')))
    .orderBy(asc(items.id))
    .limit(1);
  return iso(row?.createdAt);
}

async function summarize(db: PgDb, counts: { pool: string; status: string; n: number }[], paused: string[]): Promise<PoolSummary[]> {
  const pools = summarizeCounts(counts, paused);
  for (const s of pools) if (s.pending > 0) s.oldest_pending_at = await oldestPendingAt(db, s.name);
  return pools;
}

/** Pools that hold at least one item, from the trigger-kept counts (./counts.ts), and paused ones. */
export async function listPools(db: PgDb): Promise<PoolSummary[]> {
  return summarize(db, await readCounts(db), await pausedPools(db));
}

export async function getPool(db: PgDb, pool: string): Promise<PoolSummary> {
  return (await summarize(db, await readCounts(db, pool), await pausedPools(db, pool)))[0] ?? emptySummary(pool);
}

export async function ping(db: PgDb): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
