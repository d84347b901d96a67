/**
 * What every write operation of this folder shares, per dialect: the columns an item comes back
 * with, the guard of a claim holder, how an ended attempt is written to `history`, and the
 * outcomes and events every operation reports the same way.
 *
 * ## History: one shape on both engines
 * `history` holds every attempt that ended without completing the item (failed, released), in
 * order. The completing attempt is implied: a completed item's `attempts`, `claimed_by`,
 * `claimed_at` and `completed_at` say it, and the item detail adds it (db/store/rows.ts), as it
 * adds a claimed item's running attempt. Appending it on every completion cost ~5 µs of JSON
 * rewriting on SQLite and a jsonb rewrite per row on PostgreSQL. The one write that takes an
 * item out of `completed` and keeps it, a retry, stores it first (STORE_COMPLETION).
 *
 * ## Counts: the one rule a write must keep
 * Triggers keep each pool's counts (SQLite: migrations 0010 and 0012; PostgreSQL: 0005, 0012). On
 * SQLite they fire on the columns an UPDATE sets, so every write that moves an item between count
 * buckets sets `history` (the attempt it ends), or `completed_at` (a completion). Every such write
 * in this folder goes through ENDED (or STORE_COMPLETION, or completes), and the store contract
 * ("keeps pool counts equal to the items after every kind of write") and the model-based property
 * test compare the counts with the items after every kind of write.
 */
import type { WorkItem } from '@/lib/contracts';
import type { HubEvent, FailureCode, Outcome } from '../types';
import { pgRows, prepared, type Dialects } from './sql';
import type { SqliteCtx } from '../sqlite/context';
import type { PgExec } from '../pg/context';
import type { WorkItemRow } from '../pg/rows';
import { toWorkItem as pgWorkItem } from '../pg/rows';
import { workItemOf } from '../sqlite/rows';

/**
 * The columns of an item as the operations return it, `history` and `backoff` left out (a
 * WorkItem shows neither, and history grows with every attempt). SQLite returns arrays in this
 * order (sqlite/rows.ts `workItemOf`); PostgreSQL objects named as the Drizzle schema names them.
 */
export const ITEM_COLUMNS: Dialects = {
  sqlite: `id, pool, data, status, claimed_by, lease_id, attempts, max_retries, created_at,
  claimed_at, completed_at, result, last_error, priority, run_at, key, last_error_type`,
  pg: `id, pool, data, status, claimed_by AS "claimedBy", lease_id AS "leaseId", attempts,
  max_retries AS "maxRetries", created_at AS "createdAt", claimed_at AS "claimedAt",
  completed_at AS "completedAt", result, last_error AS "lastError", priority, run_at AS "runAt", key,
  last_error_type AS "lastErrorType"`,
};

/** Items as ITEM_COLUMNS returns them, per engine. */
export const itemsFrom = {
  sqlite: (rows: unknown[][]): WorkItem[] => rows.map(workItemOf),
  pg: (rows: Parameters<typeof pgWorkItem>[0][]): WorkItem[] => rows.map(pgWorkItem),
};

/** Only the current claim holder, and with a lease only that very claim, may end a claim. */
export const HOLDER: Dialects = {
  sqlite: `id = @id AND status = 'claimed' AND claimed_by = @workerId AND (@leaseId IS NULL OR lease_id = @leaseId)`,
  pg: `id = @id AND status = 'claimed' AND claimed_by = @workerId AND (@leaseId::text IS NULL OR lease_id = @leaseId)`,
};

/** True when the item has used up its attempts: an ended claim then poisons it. The same in both dialects. */
export const EXHAUSTED = 'attempts >= max_retries';

/**
 * How a claim that did not complete lets go of its item: a poisoned item keeps who held it last
 * (an operator wants to know), one put back is free for anyone. The same in both dialects.
 */
export const LET_GO = `claimed_by = CASE WHEN ${EXHAUSTED} THEN claimed_by ELSE NULL END,
  claimed_at = CASE WHEN ${EXHAUSTED} THEN claimed_at ELSE NULL END, lease_id = NULL`;

/**
 * The SET of `history` for a write that ends a claim without completing it: the attempt ending
 * now (@now), with its outcome and error, SQL expressions of the statement. SET expressions see
 * the row as it was before the UPDATE, so they see the ending claim's worker and times.
 */
export const ENDED = {
  sqlite: (outcome: 'failed' | 'released', error: string, errorType = 'NULL') =>
    `history = json_insert(history, '$[#]', json_object('attempt', attempts, 'worker_id', claimed_by,
      'claimed_at', claimed_at, 'ended_at', @now, 'outcome', '${outcome}', 'error', ${error}, 'error_type', ${errorType}))`,
  pg: (outcome: 'failed' | 'released', error: string, errorType = 'NULL') =>
    `history = history || jsonb_build_array(jsonb_build_object('attempt', attempts, 'worker_id', claimed_by,
      'claimed_at', claimed_at, 'ended_at', @now::bigint, 'outcome', '${outcome}'::text, 'error', (${error})::text,
      'error_type', (${errorType})::text))`,
};

/** The SET of `history` for a write that takes an item out of `completed` and keeps it: the implied completing attempt stored first. */
export const STORE_COMPLETION: Dialects = {
  sqlite: `history = CASE WHEN status = 'completed' THEN json_insert(history, '$[#]', json_object('attempt', attempts,
    'worker_id', claimed_by, 'claimed_at', claimed_at, 'ended_at', completed_at, 'outcome', 'completed', 'error', NULL,
    'error_type', NULL)) ELSE history END`,
  pg: `history = CASE WHEN status = 'completed' THEN history || jsonb_build_array(jsonb_build_object('attempt', attempts,
    'worker_id', claimed_by, 'claimed_at', claimed_at, 'ended_at', completed_at, 'outcome', 'completed'::text,
    'error', NULL::text, 'error_type', NULL::text)) ELSE history END`,
};

// ---------------------------------------------------------------------------------------------
// Outcomes and events, the same on both engines.

export type Failure<C extends FailureCode> = { ok: false; code: C; detail: string };

export const notFound = (itemId: string): Failure<'item-not-found'> => ({ ok: false, code: 'item-not-found', detail: `work item ${itemId} not found` });

/** An item's state as a refusal is explained from. */
export interface ItemState {
  status: string;
  claimedBy: string | null;
  pool: string;
}

/** Reads the state of one item (undefined: it does not exist) on either engine, for `whyNot`. */
export const ITEM_STATE: Dialects = {
  sqlite: `SELECT status, claimed_by AS claimedBy, pool FROM items WHERE id = @id`,
  pg: `SELECT status, claimed_by AS "claimedBy", pool FROM items WHERE id = @id`,
};

/**
 * Why a guarded write of one item changed nothing, from the item as it is now: not found, or
 * `refusal` of its current status.
 */
export function whyNot<C extends FailureCode>(
  state: ItemState | undefined,
  itemId: string,
  refusal: (status: string) => Failure<C>,
): Failure<C | 'item-not-found'> {
  return state ? refusal(state.status) : notFound(itemId);
}

/**
 * A guarded write of one item (`text` RETURNING ITEM_COLUMNS): the item as changed, or, when the
 * guard matched nothing, `explain` of the item's state read right after (undefined: no such item).
 * On SQLite, call it inside the write's transaction, so the state is the one that refused it.
 */
export function guardedSqlite<C extends FailureCode>(
  ctx: SqliteCtx,
  text: string,
  params: { id: number } & Record<string, unknown>,
  explain: (state: ItemState | undefined) => Failure<C>,
): Outcome<WorkItem, C> {
  const row = prepared<object, unknown[]>(ctx, text, true).get(params);
  if (row) return { ok: true, value: itemsFrom.sqlite([row])[0]! };
  return explain(prepared<object, ItemState>(ctx, ITEM_STATE.sqlite).get({ id: params.id }));
}

export async function guardedPg<C extends FailureCode>(
  db: PgExec,
  text: string,
  params: { id: number } & Record<string, unknown>,
  explain: (state: ItemState | undefined) => Failure<C>,
): Promise<Outcome<WorkItem, C>> {
  const [row] = await pgRows<WorkItemRow>(db, text, params);
  if (row) return { ok: true, value: itemsFrom.pg([row])[0]! };
  return explain((await pgRows<ItemState>(db, ITEM_STATE.pg, { id: params.id }))[0]);
}

/** Tells a one-item outcome's change, and hands it back. */
export function told<T extends Outcome<WorkItem, FailureCode>>(emit: (event: HubEvent) => void, outcome: T): T {
  if (outcome.ok) tellItems(emit, [outcome.value]);
  return outcome;
}

export type EndCode = 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease';

/** Why a guarded end of a claim (complete, fail) matched no row, from the item as it is now. */
export function whyNotEnded(
  state: Pick<ItemState, 'status' | 'claimedBy'> | undefined,
  itemId: string,
  claim: { workerId: string; leaseId?: string | null | undefined },
): Failure<EndCode> {
  if (!state) return notFound(itemId);
  if (state.status !== 'claimed') {
    return { ok: false, code: 'item-not-claimed', detail: `work item ${itemId} is ${state.status}, not claimed` };
  }
  if (state.claimedBy !== claim.workerId) {
    return { ok: false, code: 'not-claim-holder', detail: `work item ${itemId} is not claimed by worker ${claim.workerId}` };
  }
  return { ok: false, code: 'stale-lease', detail: `lease ${claim.leaseId} is not the current claim of work item ${itemId}` };
}

/**
 * Tells the listeners of a change to items: one event per item, then one per pool touched. A
 * bulk action (`perItem` false) tells its pools only: thousands of items must not flood every
 * open event stream.
 */
export function tellItems(
  emit: (event: HubEvent) => void,
  changed: readonly { id: string | number; pool: string; status: WorkItem['status'] | 'deleted' }[],
  perItem = true,
) {
  if (changed.length === 1) {
    // The hot path's one item: no set of pools to build.
    const it = changed[0]!;
    if (perItem) emit({ type: 'item', id: String(it.id), pool: it.pool, status: it.status });
    emit({ type: 'pool', name: it.pool });
    return;
  }
  if (perItem) for (const it of changed) emit({ type: 'item', id: String(it.id), pool: it.pool, status: it.status });
  for (const pool of new Set(changed.map((it) => it.pool))) emit({ type: 'pool', name: pool });
}
