/**
 * deleteItem, discardPool: an operator removes items for good.
 *
 * - Guard: the item exists, whatever its status (discardPool: the pool's items in the status
 *   asked, optionally of one error group; bulk.ts).
 * - Outcomes: done; or item-not-found. discardPool: how many.
 * - Counts: the delete triggers.
 * - Events: item (deleted) and pool; discardPool: the pool only. Audit: item.delete, pool.discard.
 */
import { sql } from 'drizzle-orm';
import type { PoolBulkBody } from '@/lib/contracts';
import type { ErrorFilter, Outcome } from '../types';
import type { AuditFields } from '../tokens-audit';
import { parseItemId } from '../values';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import type { PgCtx } from '../pg/context';
import { pgRows, prepared } from './sql';
import { bulkAudit, bulkWhere } from './bulk';
import { notFound, tellItems } from './shape';

/** The same in both dialects. */
const DELETE_ITEM = `DELETE FROM items WHERE id = @id RETURNING pool`;

export const deleteItemAudit = (itemId: string) => (o: { ok: boolean }): AuditFields | null =>
  o.ok ? { action: 'item.delete', target: itemId, detail: null, changed: 1 } : null;

export const discardPoolAudit = (pool: string, status: PoolBulkBody['status'], error: ErrorFilter | undefined) =>
  bulkAudit('pool.discard', pool, status, error);

function deleted(emit: SqliteCtx['emit'], itemId: string, row: { pool: string } | undefined): Outcome<null, 'item-not-found'> {
  if (!row) return notFound(itemId);
  tellItems(emit, [{ id: itemId, pool: row.pool, status: 'deleted' }]);
  return { ok: true, value: null };
}

export function deleteItemSqlite(ctx: SqliteCtx, itemId: string): Outcome<null, 'item-not-found'> {
  const id = parseItemId(itemId);
  return deleted(ctx.emit, itemId, id === null ? undefined : prepared<object, { pool: string }>(ctx, DELETE_ITEM).get({ id }));
}

export async function deleteItemPg(ctx: PgCtx, itemId: string): Promise<Outcome<null, 'item-not-found'>> {
  const id = parseItemId(itemId);
  return deleted(ctx.emit, itemId, id === null ? undefined : (await pgRows<{ pool: string }>(ctx.db, DELETE_ITEM, { id }))[0]);
}

export function discardPoolSqlite(ctx: SqliteCtx, pool: string, status: PoolBulkBody['status'], error?: ErrorFilter): number {
  const n = writeTx(ctx, (tx) => tx.run(sql`DELETE FROM items WHERE ${bulkWhere(pool, status, error)}`).changes);
  if (n) ctx.emit({ type: 'pool', name: pool });
  return n;
}

/** Locked in id order first, as every multi-row write locks them. */
export async function discardPoolPg(ctx: PgCtx, pool: string, status: PoolBulkBody['status'], error?: ErrorFilter): Promise<number> {
  const where = bulkWhere(pool, status, error);
  const r = await ctx.db.execute(sql`DELETE FROM items WHERE id = ANY(ARRAY(SELECT id FROM items WHERE ${where} ORDER BY id FOR UPDATE)) AND ${where}`);
  const n = r.rowCount ?? 0;
  if (n) ctx.emit({ type: 'pool', name: pool });
  return n;
}
