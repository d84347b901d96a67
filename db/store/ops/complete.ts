/**
 * complete, completeMany: a worker ends its claim with success.
 *
 * - Guard: the item is claimed by the worker, and with a lease by that very claim (HOLDER).
 * - Writes: status `completed`, the result, `completed_at`; the lease is cleared. The completing
 *   attempt is implied by the columns, not appended to history (shape.ts).
 * - Outcomes: the item; or item-not-found, item-not-claimed, not-claim-holder, stale-lease, from
 *   the item as it is at the refusal. A batch completes what it can and names each refusal;
 *   an id named twice is completed once, its repeat refused as no longer claimed.
 * - Counts: the completion triggers (completed_at on SQLite; status on PostgreSQL) move the item
 *   to `completed` and count it in this minute's throughput.
 * - Events: item (completed), pool. Audit: none, a worker's own act.
 */
import type { CompleteManyBody, WorkItem } from '@/lib/contracts';
import type { CompletedManyOutcome, EndClaim, Outcome } from '../types';
import { parseItemId } from '../values';
import type { SqliteCtx } from '../sqlite/context';
import { writeTx } from '../sqlite/context';
import type { PgCtx } from '../pg/context';
import { pgRows, prepared, type Dialects } from './sql';
import { guardedPg, guardedSqlite, HOLDER, ITEM_COLUMNS, ITEM_STATE, itemsFrom, tellItems, told, whyNotEnded, type EndCode, type ItemState } from './shape';

const COMPLETE: Dialects = {
  sqlite: `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = @now, result = @result
    WHERE ${HOLDER.sqlite} RETURNING ${ITEM_COLUMNS.sqlite}`,
  pg: `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = @now, result = @result::jsonb
    WHERE ${HOLDER.pg} RETURNING ${ITEM_COLUMNS.pg}`,
};

/**
 * SQLite completes a batch with COMPLETE's SET and guard per item, inside one transaction (one
 * commit): its statements cost microseconds, and there is no round trip to save. The answer
 * names the ids only, so each returns only what its events need, not the item (building 100
 * items to drop them was a third of a batch's time).
 */
const COMPLETE_ONE_OF_MANY_SQLITE = `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = @now, result = @result
  WHERE ${HOLDER.sqlite} RETURNING pool`;

/**
 * PostgreSQL completes a batch in one statement: one round trip, one commit and one firing of the
 * triggers however many items it names. The SET and guard are COMPLETE's, per row of the batch;
 * the rows are locked in id order first (the InitPlan runs before the join), as every multi-row
 * write here locks them, so a batch and another write over the same items queue instead of
 * deadlocking. Each row is locked by a primary-key probe of its own, whatever the planner knows:
 * `SELECT … WHERE id = ANY(…) ORDER BY id FOR UPDATE`, planned afresh (a connection's first five
 * runs) before the table had statistics, was a sequential scan of every item (1.7 ms of a 3.7 ms
 * batch of 100 among 20,000 items, growing with the table).
 */
export const COMPLETE_MANY_PG = `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = @now, result = b.b_result
  FROM (SELECT (e ->> 'id')::bigint AS b_id, e ->> 'lease_id' AS b_lease, e -> 'result' AS b_result
          FROM jsonb_array_elements(@batch::jsonb) AS e) b
  WHERE id = ANY(ARRAY(SELECT (SELECT id FROM items WHERE id = u.id FOR UPDATE) FROM unnest(@ids::bigint[]) AS u(id) ORDER BY u.id))
    AND id = b.b_id AND status = 'claimed' AND claimed_by = @workerId AND (b.b_lease IS NULL OR lease_id = b.b_lease)
  RETURNING id, pool`;

const END_STATES_PG = `SELECT id, status, claimed_by AS "claimedBy" FROM items WHERE id = ANY(@ids::bigint[])`;

/** `result` as stored: JSON text, or SQL NULL when none was given. */
const resultJson = (result: unknown) => (result === undefined ? null : JSON.stringify(result));

type Completion = EndClaim & { result?: unknown };

// --- SQLite ---------------------------------------------------------------------------------

const paramsOf = (id: number, c: Completion, now: number) => ({ id, workerId: c.workerId, leaseId: c.leaseId ?? null, now, result: resultJson(c.result) });

/** Completes one claim, or says why not from the item's state (inside the caller's write lock, when it runs in one). */
function endOneSqlite(ctx: SqliteCtx, itemId: string, c: Completion, now: number): Outcome<WorkItem, EndCode> {
  const id = parseItemId(itemId);
  if (id === null) return whyNotEnded(undefined, itemId, c);
  return guardedSqlite(ctx, COMPLETE.sqlite, paramsOf(id, c, now), (state) => whyNotEnded(state, itemId, c));
}

/**
 * The guarded UPDATE runs alone in autocommit (a trigger counts it within the same statement);
 * only when it matches nothing does a transaction run it again and read the item, so that the
 * reason given is the item's state at the moment of refusal.
 */
export function completeSqlite(ctx: SqliteCtx, itemId: string, c: Completion): Outcome<WorkItem, EndCode> {
  const now = ctx.clock();
  const id = parseItemId(itemId);
  const row = id === null ? undefined : prepared<object, unknown[]>(ctx, COMPLETE.sqlite, true).get(paramsOf(id, c, now));
  const outcome: Outcome<WorkItem, EndCode> = row
    ? { ok: true, value: itemsFrom.sqlite([row])[0]! }
    : writeTx(ctx, () => endOneSqlite(ctx, itemId, c, now));
  return told(ctx.emit, outcome);
}

export function completeManySqlite(ctx: SqliteCtx, input: CompleteManyBody): CompletedManyOutcome {
  const now = ctx.clock();
  const done: { id: string; pool: string; status: 'completed' }[] = [];
  const rejected: CompletedManyOutcome['rejected'] = [];
  const completeOne = prepared<object, { pool: string }>(ctx, COMPLETE_ONE_OF_MANY_SQLITE);
  writeTx(ctx, () => {
    for (const it of input.items) {
      const c = { workerId: input.worker_id, leaseId: it.lease_id, result: it.result };
      const id = parseItemId(it.id);
      const row = id === null ? undefined : completeOne.get(paramsOf(id, c, now));
      if (row) done.push({ id: it.id, pool: row.pool, status: 'completed' });
      else {
        const state = id === null ? undefined : prepared<object, ItemState>(ctx, ITEM_STATE.sqlite).get({ id });
        rejected.push({ id: it.id, code: whyNotEnded(state, it.id, c).code });
      }
    }
  });
  tellItems(ctx.emit, done);
  return { completed: done.map((d) => d.id), rejected };
}

// --- PostgreSQL -----------------------------------------------------------------------------

/** One guarded UPDATE, no transaction: the diagnosis of a refusal only reads. */
export async function completePg(ctx: PgCtx, itemId: string, c: Completion): Promise<Outcome<WorkItem, EndCode>> {
  const id = parseItemId(itemId);
  if (id === null) return whyNotEnded(undefined, itemId, c);
  return told(ctx.emit, await guardedPg(ctx.db, COMPLETE.pg, paramsOf(id, c, ctx.clock()), (state) => whyNotEnded(state, itemId, c)));
}

/**
 * The batch is one statement; the items it could not complete are then diagnosed with one read,
 * as `completePg` diagnoses one.
 */
export async function completeManyPg(ctx: PgCtx, input: CompleteManyBody): Promise<CompletedManyOutcome> {
  const firsts = new Map<number, { id: number; lease_id: string | null; result: unknown }>();
  for (const it of input.items) {
    const id = parseItemId(it.id);
    if (id !== null && !firsts.has(id)) firsts.set(id, { id, lease_id: it.lease_id ?? null, result: it.result });
  }
  const batch = [...firsts.values()];
  // JSON.stringify leaves out an undefined `result`: `e -> 'result'` is then SQL NULL, as a single completion stores.
  const rows = batch.length
    ? await pgRows<{ id: number; pool: string }>(ctx.db, COMPLETE_MANY_PG, {
        now: ctx.clock(),
        batch: JSON.stringify(batch),
        ids: batch.map((b) => b.id).sort((x, y) => x - y),
        workerId: input.worker_id,
      })
    : [];
  const poolOf = new Map(rows.map((row) => [row.id, row.pool]));
  const refused = input.items.map((it) => parseItemId(it.id)).filter((id): id is number => id !== null && !poolOf.has(id));
  const states = new Map(
    (refused.length ? await pgRows<{ id: number } & ItemState>(ctx.db, END_STATES_PG, { ids: refused }) : []).map((s) => [s.id, s]),
  );
  const done: { id: string; pool: string; status: 'completed' }[] = [];
  const rejected: CompletedManyOutcome['rejected'] = [];
  const counted = new Set<number>();
  for (const it of input.items) {
    const id = parseItemId(it.id);
    const pool = id === null || counted.has(id) ? undefined : poolOf.get(id);
    if (pool !== undefined) {
      counted.add(id!);
      done.push({ id: it.id, pool, status: 'completed' });
      continue;
    }
    // A repeat of an id completed above: by now that item is completed, not claimed.
    const state = id === null ? undefined : counted.has(id) ? { status: 'completed', claimedBy: input.worker_id } : states.get(id);
    rejected.push({ id: it.id, code: whyNotEnded(state, it.id, { workerId: input.worker_id, leaseId: it.lease_id }).code });
  }
  tellItems(ctx.emit, done);
  return { completed: done.map((d) => d.id), rejected };
}
