import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { ItemDetail, ListItemsQuery, PoolSummary, WorkItem } from '@/lib/contracts';
import { items, poolCounts } from '@/db/schema/sqlite';
import { iso, parseItemId } from '../ids';
import type { SqliteDb } from './context';
import { emptySummary, summarizeCounts } from '../rows';
import { toItemDetail, toWorkItem } from './rows';

export function getItem(db: SqliteDb, itemId: string): ItemDetail | null {
  const id = parseItemId(itemId);
  if (id === null) return null;
  const row = db.select().from(items).where(eq(items.id, id)).get();
  return row ? toItemDetail(row) : null;
}

export function listItems(db: SqliteDb, pool: string, q: ListItemsQuery): { items: WorkItem[]; next_cursor: string | null } {
  const where = [eq(items.pool, pool)];
  if (q.status) where.push(eq(items.status, q.status));
  if (q.cursor) where.push(gt(items.id, Number(q.cursor)));
  if (q.q) where.push(sql`instr(lower(${items.data}), lower(${q.q})) > 0`);
  // One extra row tells whether another page follows.
  const rows = db.select().from(items).where(and(...where)).orderBy(asc(items.id)).limit(q.limit + 1).all();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map(toWorkItem),
    next_cursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null,
  };
}

function oldestPendingAt(db: SqliteDb, pool: string): string | null {
  const row = db
    .select({ createdAt: items.createdAt })
    .from(items)
    .where(and(eq(items.pool, pool), eq(items.status, 'pending')))
    .orderBy(asc(items.id))
    .limit(1)
    .get();
  return iso(row?.createdAt);
}

function summarize(db: SqliteDb, counts: { pool: string; status: string; n: number }[]): PoolSummary[] {
  const pools = summarizeCounts(counts);
  for (const s of pools) if (s.pending > 0) s.oldest_pending_at = oldestPendingAt(db, s.name);
  return pools;
}

const counts = { pool: poolCounts.pool, status: poolCounts.status, n: poolCounts.n };

/** Pools that hold at least one item, from the trigger-kept counts. */
export function listPools(db: SqliteDb): PoolSummary[] {
  return summarize(db, db.select(counts).from(poolCounts).where(gt(poolCounts.n, 0)).all());
}

export function getPool(db: SqliteDb, pool: string): PoolSummary {
  const rows = db.select(counts).from(poolCounts).where(and(eq(poolCounts.pool, pool), gt(poolCounts.n, 0))).all();
  return summarize(db, rows)[0] ?? emptySummary(pool);
}

export function ping(db: SqliteDb): void {
  db.get(sql`SELECT 1`);
}
