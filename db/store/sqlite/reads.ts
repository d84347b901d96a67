import { and, asc, count, eq, gt, inArray, sql } from 'drizzle-orm';
import type { ItemDetail, ListItemsQuery, PoolSummary, WorkItem } from '@/lib/contracts';
import { items, poolCounts, throughput } from '@/db/schema/sqlite';
import { COMPLETED_TOTAL_MINUTE } from '../throughput';
import { iso, parseItemId } from '../values';
import type { SqliteCtx, SqliteDb } from './context';
import { pausedPools } from './pools';
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

function summarize(db: SqliteDb, counts: { pool: string; status: string; n: number }[], paused: string[]): PoolSummary[] {
  const pools = summarizeCounts(counts, paused);
  for (const s of pools) if (s.pending > 0) s.oldest_pending_at = oldestPendingAt(db, s.name);
  return pools;
}

/**
 * Per-pool, per-status counts. Two counters keep them, both by triggers on `items`:
 * `pool_counts` counts 'open' (pending and claimed together: a claim writes no counter),
 * 'completed' and 'poisoned', except completions, which the completion trigger adds to a running
 * total in `throughput` beside the minute it counts (migration 0010: one counter page a
 * completion). A pool's total therefore moves from 'open' to 'completed' here. Claimed and
 * scheduled items are counted from the status index — claims in flight are few, and scheduled
 * items are only as many as the delays in use — and the rest of 'open' is pending.
 * Runs in one read transaction so every read sees the same moment.
 */
function poolStatusCounts(db: SqliteDb, pool?: string): { pool: string; status: string; n: number }[] {
  return db.transaction((tx) => {
    const byPool = new Map<string, { open: number; completed: number; poisoned: number }>();
    const of = (name: string) => {
      let c = byPool.get(name);
      if (!c) byPool.set(name, (c = { open: 0, completed: 0, poisoned: 0 }));
      return c;
    };
    const stored = tx
      .select({ pool: poolCounts.pool, status: poolCounts.status, n: poolCounts.n })
      .from(poolCounts)
      .where(pool === undefined ? undefined : eq(poolCounts.pool, pool))
      .all();
    for (const r of stored) {
      if (r.status === 'open' || r.status === 'completed' || r.status === 'poisoned') of(r.pool)[r.status] += r.n;
    }
    const totals = tx
      .select({ pool: throughput.pool, n: throughput.completed })
      .from(throughput)
      .where(
        pool === undefined
          ? eq(throughput.minute, COMPLETED_TOTAL_MINUTE)
          : and(eq(throughput.minute, COMPLETED_TOTAL_MINUTE), eq(throughput.pool, pool)),
      )
      .all();
    for (const t of totals) {
      const c = of(t.pool);
      c.open -= t.n;
      c.completed += t.n;
    }
    const counted = tx
      .select({ pool: items.pool, status: items.status, n: count() })
      .from(items)
      .where(and(inArray(items.status, ['claimed', 'scheduled']), pool === undefined ? undefined : eq(items.pool, pool)))
      .groupBy(items.status, items.pool)
      .all();
    const claimed = new Map(counted.filter((c) => c.status === 'claimed').map((c) => [c.pool, c.n]));
    const scheduled = new Map(counted.filter((c) => c.status === 'scheduled').map((c) => [c.pool, c.n]));
    return [...byPool].flatMap(([name, c]) => {
      const held = claimed.get(name) ?? 0;
      const waiting = scheduled.get(name) ?? 0;
      return [
        { pool: name, status: 'scheduled', n: waiting },
        { pool: name, status: 'pending', n: c.open - held - waiting },
        { pool: name, status: 'claimed', n: held },
        { pool: name, status: 'completed', n: c.completed },
        { pool: name, status: 'poisoned', n: c.poisoned },
      ].filter((r) => r.n > 0);
    });
  });
}

/** Pools that hold at least one item, and paused ones. */
export function listPools(ctx: SqliteCtx): PoolSummary[] {
  return summarize(ctx.db, poolStatusCounts(ctx.db), pausedPools(ctx));
}

export function getPool(ctx: SqliteCtx, pool: string): PoolSummary {
  return summarize(ctx.db, poolStatusCounts(ctx.db, pool), pausedPools(ctx, pool))[0] ?? emptySummary(pool);
}

export function ping(db: SqliteDb): void {
  db.get(sql`SELECT 1`);
}
