import { and, asc, count, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm';
import type { ItemCountQuery, ListItemsQuery, WorkItem } from '@/lib/contracts';
import { items } from '@/db/schema/pg';
import { filterConditions, filterOfQuery } from '../item-filters';
import type { PgCtx } from './context';
import { toWorkItem } from './rows';

/** The WHERE of a listing or count: the pool, the status, the search, the filters. */
function listWhere(ctx: PgCtx, pool: string, q: ItemCountQuery): SQL[] {
  const where = [eq(items.pool, pool)];
  if (q.status) where.push(eq(items.status, q.status));
  // jsonb's text form puts a space after ':' and ','; SQLite keeps the pushed JSON compact.
  if (q.q) where.push(sql`strpos(lower(${items.data}::text), lower(${q.q})) > 0`);
  return [...where, ...filterConditions(items, filterOfQuery(q), ctx.clock())];
}

/** HubStore.listItems: a page in id order either way; the cursor is the last id of the page. */
export async function listItems(ctx: PgCtx, pool: string, q: ListItemsQuery): Promise<{ items: WorkItem[]; next_cursor: string | null }> {
  const newestFirst = q.order === 'desc';
  const where = listWhere(ctx, pool, q);
  if (q.cursor) where.push(newestFirst ? lt(items.id, Number(q.cursor)) : gt(items.id, Number(q.cursor)));
  // One extra row tells whether another page follows.
  const rows = await ctx.db
    .select()
    .from(items)
    .where(and(...where))
    .orderBy(newestFirst ? desc(items.id) : asc(items.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { items: page.map(toWorkItem), next_cursor: rows.length > q.limit ? String(page[page.length - 1]!.id) : null };
}

export async function countItems(ctx: PgCtx, pool: string, q: ItemCountQuery): Promise<number> {
  const [row] = await ctx.db.select({ n: count() }).from(items).where(and(...listWhere(ctx, pool, q)));
  return Number(row?.n ?? 0);
}

/** A worker's claimed items, oldest claim first. */
export async function workerItems(ctx: PgCtx, workerId: string): Promise<WorkItem[]> {
  const rows = await ctx.db
    .select()
    .from(items)
    .where(and(eq(items.status, 'claimed'), eq(items.claimedBy, workerId)))
    .orderBy(asc(items.claimedAt), asc(items.id));
  return rows.map(toWorkItem);
}
