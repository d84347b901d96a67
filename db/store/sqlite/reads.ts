import { and, asc, count, eq, gt, sql } from 'drizzle-orm';
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

/**
 * Per-pool, per-status counts from the trigger-kept `pool_counts`, which counts pending and
 * claimed together as 'open' (migration 0007: a claim then writes no counter). Claimed items are
 * counted here from the status index — claims in flight are few — and the rest of 'open' is
 * pending. Runs in one read transaction so both reads see the same moment.
 */
function poolStatusCounts(db: SqliteDb, pool?: string): { pool: string; status: string; n: number }[] {
  return db.transaction((tx) => {
    const stored = tx
      .select(counts)
      .from(poolCounts)
      .where(pool === undefined ? gt(poolCounts.n, 0) : and(eq(poolCounts.pool, pool), gt(poolCounts.n, 0)))
      .all();
    const claimed = new Map(
      tx
        .select({ pool: items.pool, n: count() })
        .from(items)
        .where(pool === undefined ? eq(items.status, 'claimed') : and(eq(items.status, 'claimed'), eq(items.pool, pool)))
        .groupBy(items.pool)
        .all()
        .map((c) => [c.pool, c.n]),
    );
    return stored.flatMap((c) => {
      if (c.status !== 'open') return [c];
      const held = claimed.get(c.pool) ?? 0;
      return [
        { pool: c.pool, status: 'pending', n: c.n - held },
        { pool: c.pool, status: 'claimed', n: held },
      ];
    });
  });
}

/** Pools that hold at least one item. */
export function listPools(db: SqliteDb): PoolSummary[] {
  return summarize(db, poolStatusCounts(db));
}

export function getPool(db: SqliteDb, pool: string): PoolSummary {
  return summarize(db, poolStatusCounts(db, pool))[0] ?? emptySummary(pool);
}

export function ping(db: SqliteDb): void {
  db.get(sql`SELECT 1`);
}
