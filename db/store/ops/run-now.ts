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
import type { WorkItemRow } from '../pg/rows';
import { pgRows, prepared, type Dialects } from './sql';
import { ITEM_COLUMNS, ITEM_STATE, itemsFrom, notFound, tellItems, whyNot, type Failure, type ItemState } from './shape';

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
  const outcome = writeTx(ctx, (): Outcome<WorkItem, RunCode> => {
    const row = prepared<object, unknown[]>(ctx, RUN_NOW.sqlite, true).get({ id, now: ctx.clock() });
    if (row) return { ok: true, value: itemsFrom.sqlite([row])[0]! };
    return whyNot(prepared<object, ItemState>(ctx, ITEM_STATE.sqlite).get({ id }), itemId, notScheduled(itemId));
  });
  if (outcome.ok) tellItems(ctx.emit, [outcome.value]);
  return outcome;
}

export async function runItemPg(ctx: PgCtx, itemId: string): Promise<Outcome<WorkItem, RunCode>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const [row] = await pgRows<WorkItemRow>(ctx.db, RUN_NOW.pg, { id, now: ctx.clock() });
  if (!row) return whyNot((await pgRows<ItemState>(ctx.db, ITEM_STATE.pg, { id }))[0], itemId, notScheduled(itemId));
  const item = itemsFrom.pg([row])[0]!;
  tellItems(ctx.emit, [item]);
  return { ok: true, value: item };
}

/** Milliseconds until `at` (0: due now), or null when nothing is scheduled. */
const untilDue = (at: number | null | undefined, now: number) => (at === null || at === undefined ? null : Math.max(0, Number(at) - now));

export function nextDueSqlite(ctx: SqliteCtx, pool: string): number | null {
  return untilDue(prepared<object, { at: number | null }>(ctx, NEXT_DUE).get({ pool })?.at, ctx.clock());
}

export async function nextDuePg(ctx: PgCtx, pool: string): Promise<number | null> {
  return untilDue((await pgRows<{ at: number | null }>(ctx.db, NEXT_DUE, { pool }))[0]?.at, ctx.clock());
}
