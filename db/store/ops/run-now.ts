/**
 * runItem ("run now"), and nextDue: scheduled items.
 *
 * - runItem's guard: the item is `scheduled`. Writes: `pending`, `run_at` now: the next claim
 *   takes it in its priority and push order.
 * - Outcomes: the item; or item-not-found, item-not-scheduled.
 * - Counts: none move (scheduled and pending are both open).
 * - Events: item (pending), pool. Audit: item.run.
 * - nextDue: how long until the pool's next scheduled item is due, so a waiting claim sleeps no
 *   longer (lib/server waiters); a read.
 */
import type { WorkItem } from '@/lib/contracts';
import type { Outcome } from '../types';
import type { AuditFields } from '../tokens-audit';
import { parseItemId } from '../values';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import type { PgCtx } from '../pg/context';
import { pgRows, prepared, type Dialects } from './sql';
import { guardedPg, guardedSqlite, ITEM_COLUMNS, notFound, told, whyNot, type Failure } from './shape';

type RunCode = 'item-not-found' | 'item-not-scheduled';

const RUN_NOW: Dialects = {
  sqlite: `UPDATE items SET status = 'pending', run_at = @now WHERE id = @id AND status = 'scheduled' RETURNING ${ITEM_COLUMNS.sqlite}`,
  pg: `UPDATE items SET status = 'pending', run_at = @now WHERE id = @id AND status = 'scheduled' RETURNING ${ITEM_COLUMNS.pg}`,
};

/** The same in both dialects. */
const NEXT_DUE = `SELECT min(run_at) AS at FROM items WHERE status = 'scheduled' AND pool = @pool`;

const notScheduled = (itemId: string) => (status: string): Failure<'item-not-scheduled'> => ({
  ok: false,
  code: 'item-not-scheduled',
  detail: `work item ${itemId} is ${status}; only a scheduled item can be run now`,
});

export const runItemAudit = (itemId: string) => (o: Outcome<WorkItem, RunCode>): AuditFields | null =>
  o.ok ? { action: 'item.run', target: itemId, detail: { pool: o.value.pool }, changed: 1 } : null;

export function runItemSqlite(ctx: SqliteCtx, itemId: string): Outcome<WorkItem, RunCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const params = { id, now: ctx.clock() };
  return told(ctx.emit, writeTx(ctx, () => guardedSqlite(ctx, RUN_NOW.sqlite, params, (state) => whyNot(state, itemId, notScheduled(itemId)))));
}

export async function runItemPg(ctx: PgCtx, itemId: string): Promise<Outcome<WorkItem, RunCode>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  return told(ctx.emit, await guardedPg(ctx.db, RUN_NOW.pg, { id, now: ctx.clock() }, (state) => whyNot(state, itemId, notScheduled(itemId))));
}

/** Milliseconds until `at` (0: due now), or null when nothing is scheduled. */
const untilDue = (at: number | null | undefined, now: number) => (at === null || at === undefined ? null : Math.max(0, Number(at) - now));

export function nextDueSqlite(ctx: SqliteCtx, pool: string): number | null {
  return untilDue(prepared<object, { at: number | null }>(ctx, NEXT_DUE).get({ pool })?.at, ctx.clock());
}

export async function nextDuePg(ctx: PgCtx, pool: string): Promise<number | null> {
  return untilDue((await pgRows<{ at: number | null }>(ctx.db, NEXT_DUE, { pool }))[0]?.at, ctx.clock());
}
