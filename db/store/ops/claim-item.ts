/**
 * claimItem: a worker takes one named pending item (claim by id).
 *
 * - Guard, in one transaction: the item exists and is `pending`, its pool is not paused, and the
 *   worker is admitted as for a pool claim (claim.ts `admit`: an unknown id is registered).
 * - Writes: as a pool claim (CLAIM_SET), with a fresh lease.
 * - Outcomes: the item; or item-not-found, item-not-pending, pool-paused, worker-not-active (lost,
 *   terminated, or terminating: a draining worker takes no new work).
 * - Events: item (claimed), pool. Audit: none.
 */
import type { WorkItem } from '@/lib/contracts';
import type { Outcome } from '../types';
import { parseItemId } from '../values';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import { writeTx as pgWriteTx, type PgCtx, type PgExec } from '../pg/context';
import type { WorkItemRow } from '../pg/rows';
import { pgRows, prepared, type Dialects } from './sql';
import { admitPg, admitSqlite, CLAIM_SET, refused, type Admission } from './claim';
import { ITEM_COLUMNS, ITEM_STATE, itemsFrom, notFound, tellItems, type Failure, type ItemState } from './shape';

type ClaimItemCode = 'item-not-found' | 'item-not-pending' | 'worker-not-active' | 'pool-paused';

const CLAIM_BY_ID: Dialects = {
  sqlite: `UPDATE items SET ${CLAIM_SET.sqlite} WHERE id = @id AND status = 'pending' RETURNING ${ITEM_COLUMNS.sqlite}`,
  pg: `UPDATE items SET ${CLAIM_SET.pg} WHERE id = @id AND status = 'pending' RETURNING ${ITEM_COLUMNS.pg}`,
};

const PAUSED: Dialects = {
  sqlite: `SELECT 1 FROM pool_settings WHERE pool = @pool AND paused = 1`,
  pg: `SELECT 1 FROM pool_settings WHERE pool = @pool AND paused`,
};

/** What may stop a claim by id before its UPDATE: the item's state, the pool, the worker's admission. */
function refusal(itemId: string, workerId: string, state: ItemState | undefined, paused: boolean, admission: () => Admission): Failure<ClaimItemCode> | null {
  if (!state) return notFound(itemId);
  if (state.status !== 'pending') return { ok: false, code: 'item-not-pending', detail: `work item ${itemId} is ${state.status}, not pending` };
  if (paused) return { ok: false, code: 'pool-paused', detail: `pool ${state.pool} is paused; resume it to hand out its items` };
  const a = admission();
  if (a === 'refused') return refused(workerId);
  if (a === 'draining') return { ok: false, code: 'worker-not-active', detail: `worker ${workerId} is terminating and takes no new work` };
  return null;
}

const params = (id: number, workerId: string, now: number) => ({ id, workerId, now, claimKey: null });

export function claimItemSqlite(ctx: SqliteCtx, itemId: string, workerId: string): Outcome<WorkItem, ClaimItemCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  const outcome = writeTx(ctx, (): Outcome<WorkItem, ClaimItemCode> => {
    const state = prepared<object, ItemState>(ctx, ITEM_STATE.sqlite).get({ id });
    const paused = state !== undefined && prepared(ctx, PAUSED.sqlite).get({ pool: state.pool }) !== undefined;
    const no = refusal(itemId, workerId, state, paused, () => admitSqlite(ctx, workerId, now));
    if (no) return no;
    // Inside the write lock the item read above is still pending, so this matches it.
    const row = prepared<object, unknown[]>(ctx, CLAIM_BY_ID.sqlite, true).get(params(id, workerId, now))!;
    return { ok: true, value: itemsFrom.sqlite([row])[0]! };
  });
  if (outcome.ok) tellItems(ctx.emit, [outcome.value]);
  return outcome;
}

export async function claimItemPg(ctx: PgCtx, itemId: string, workerId: string): Promise<Outcome<WorkItem, ClaimItemCode>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  const outcome = await pgWriteTx(ctx, async (tx: PgExec): Promise<Outcome<WorkItem, ClaimItemCode>> => {
    const [state] = await pgRows<ItemState>(tx, ITEM_STATE.pg, { id });
    const paused = state !== undefined && (await pgRows(tx, PAUSED.pg, { pool: state.pool })).length > 0;
    // Admission is asked only when the rest allows the claim, as on SQLite; it locks the worker's row.
    const admitted = state?.status === 'pending' && !paused ? await admitPg(tx, workerId, now) : 'ok';
    const no = refusal(itemId, workerId, state, paused, () => admitted);
    if (no) return no;
    // Another claim may have taken it since the read: the guard then matches nothing.
    const [row] = await pgRows<WorkItemRow>(tx, CLAIM_BY_ID.pg, params(id, workerId, now));
    return row ? { ok: true, value: itemsFrom.pg([row])[0]! } : { ok: false, code: 'item-not-pending', detail: `work item ${itemId} is not pending` };
  });
  if (outcome.ok) tellItems(ctx.emit, [outcome.value]);
  return outcome;
}
