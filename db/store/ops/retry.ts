/**
 * retryItem, retryPool: an operator puts finished items back in the queue.
 *
 * - Guard: the item is `poisoned` or `completed` (retryPool: the pool's items in the status
 *   asked, optionally of one error group; bulk.ts).
 * - Writes: `pending` with attempts 0, the claim, result and completion cleared; a completed
 *   item's implied completing attempt is stored in its history first (STORE_COMPLETION), and it
 *   no longer holds its key (completion released it; a newer item may hold it now).
 * - Outcomes: the item; or item-not-found, item-not-retryable. retryPool: how many.
 * - Counts: the update triggers (`history` is set) move the items back to open.
 * - Events: item (pending) and pool; retryPool: the pool only. Audit: item.retry, pool.retry.
 */
import { sql } from 'drizzle-orm';
import type { PoolBulkBody, WorkItem } from '@/lib/contracts';
import type { ErrorFilter, Outcome } from '../types';
import type { AuditFields } from '../tokens-audit';
import { parseItemId } from '../values';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import type { PgCtx } from '../pg/context';
import type { Dialects } from './sql';
import { bulkAudit, bulkWhere } from './bulk';
import { guardedPg, guardedSqlite, ITEM_COLUMNS, notFound, STORE_COMPLETION, told, whyNot, type Failure } from './shape';

type RetryCode = 'item-not-found' | 'item-not-retryable';

/** SET expressions see the row before the UPDATE: `status` below is the old one. */
const RETRY_SET: Dialects = {
  sqlite: `${STORE_COMPLETION.sqlite}, key = CASE WHEN status = 'completed' THEN NULL ELSE key END,
    status = 'pending', attempts = 0, claimed_by = NULL, claimed_at = NULL, lease_id = NULL, completed_at = NULL, result = NULL`,
  pg: `${STORE_COMPLETION.pg}, key = CASE WHEN status = 'completed' THEN NULL ELSE key END,
    status = 'pending', attempts = 0, claimed_by = NULL, claimed_at = NULL, lease_id = NULL, completed_at = NULL, result = NULL`,
};

const RETRY_ITEM: Dialects = {
  sqlite: `UPDATE items SET ${RETRY_SET.sqlite} WHERE id = @id AND status IN ('poisoned', 'completed') RETURNING ${ITEM_COLUMNS.sqlite}`,
  pg: `UPDATE items SET ${RETRY_SET.pg} WHERE id = @id AND status IN ('poisoned', 'completed') RETURNING ${ITEM_COLUMNS.pg}`,
};

const notRetryable = (itemId: string) => (status: string): Failure<'item-not-retryable'> => ({
  ok: false,
  code: 'item-not-retryable',
  detail: `work item ${itemId} is ${status}; only poisoned or completed items can be retried`,
});

export const retryItemAudit = (itemId: string) => (o: Outcome<WorkItem, RetryCode>): AuditFields | null =>
  o.ok ? { action: 'item.retry', target: itemId, detail: { pool: o.value.pool }, changed: 1 } : null;

export const retryPoolAudit = (pool: string, status: PoolBulkBody['status'], error: ErrorFilter | undefined) =>
  bulkAudit('pool.retry', pool, status, error);

export function retryItemSqlite(ctx: SqliteCtx, itemId: string): Outcome<WorkItem, RetryCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  return told(ctx.emit, writeTx(ctx, () => guardedSqlite(ctx, RETRY_ITEM.sqlite, { id }, (state) => whyNot(state, itemId, notRetryable(itemId)))));
}

export async function retryItemPg(ctx: PgCtx, itemId: string): Promise<Outcome<WorkItem, RetryCode>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  return told(ctx.emit, await guardedPg(ctx.db, RETRY_ITEM.pg, { id }, (state) => whyNot(state, itemId, notRetryable(itemId))));
}

export function retryPoolSqlite(ctx: SqliteCtx, pool: string, status: PoolBulkBody['status'], error?: ErrorFilter): number {
  const n = writeTx(ctx, (tx) => tx.run(sql`UPDATE items SET ${sql.raw(RETRY_SET.sqlite)} WHERE ${bulkWhere(pool, status, error)}`).changes);
  if (n) ctx.emit({ type: 'pool', name: pool });
  return n;
}

/** The items are locked in id order first, as every multi-row write locks them: no deadlock with a batch. */
export async function retryPoolPg(ctx: PgCtx, pool: string, status: PoolBulkBody['status'], error?: ErrorFilter): Promise<number> {
  const where = bulkWhere(pool, status, error);
  const r = await ctx.db.execute(
    sql`UPDATE items SET ${sql.raw(RETRY_SET.pg)} WHERE id = ANY(ARRAY(SELECT id FROM items WHERE ${where} ORDER BY id FOR UPDATE)) AND ${where}`,
  );
  const n = r.rowCount ?? 0;
  if (n) ctx.emit({ type: 'pool', name: pool });
  return n;
}
