import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { ItemDetail, ListItemsQuery, PoolSummary, WorkItem } from '@/lib/contracts';
import { items } from '@/db/schema/pg';
import { iso, parseItemId } from '../values';
import type { PgDb } from './context';
import { readCounts } from './counts';
import { pausedPools } from './pools';
import { emptySummary, summarizeCounts } from '../rows';
import { toItemDetail, toWorkItem } from './rows';

export async function getItem(db: PgDb, itemId: string): Promise<ItemDetail | null> {
  const id = parseItemId(itemId);
  if (id === null) return null;
  const [row] = await db.select().from(items).where(eq(items.id, id));
  return row ? toItemDetail(row) : null;
}

export async function listItems(db: PgDb, pool: string, q: ListItemsQuery): Promise<{ items: WorkItem[]; next_cursor: string | null }> {
  const where = [eq(items.pool, pool)];
  if (q.status) where.push(eq(items.status, q.status));
  if (q.cursor) where.push(gt(items.id, Number(q.cursor)));
  // jsonb's text form puts a space after ':' and ','; SQLite keeps the pushed JSON compact.
  if (q.q) where.push(sql`strpos(lower(${items.data}::text), lower(${q.q})) > 0`);
  // One extra row tells whether another page follows.
  const rows = await db.select().from(items).where(and(...where)).orderBy(asc(items.id)).limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return {
    items: page.map(toWorkItem),
    next_cursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
  };
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
