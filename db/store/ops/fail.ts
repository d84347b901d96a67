/**
 * fail: a worker ends its claim with an error.
 *
 * - Guard: the item is claimed by the worker, and with a lease by that very claim (HOLDER).
 * - Writes: the attempt ends `failed` in history with the full error text and type; the error, its
 *   type and fingerprint (fingerprint.ts) are kept on the item. An item whose attempts are used up
 *   is `poisoned` and keeps its last holder (LET_GO); otherwise it goes back: `scheduled` at now +
 *   the retry backoff (queue.ts, the item's policy else its pool's), or `pending` without one.
 * - Outcomes: the item; or item-not-found, item-not-claimed, not-claim-holder, stale-lease.
 * - Counts: the failure (and a poisoning) in this minute's throughput: on SQLite by
 *   THROUGHPUT_SQLITE in the same transaction, on PostgreSQL by the update trigger.
 * - Events: item (its new status), pool. Audit: none, a worker's own act.
 */
import type { WorkItem } from '@/lib/contracts';
import type { EndClaim, FailReport, Outcome } from '../types';
import { fingerprint } from '../fingerprint';
import { backoffSql } from '../queue';
import { minuteOf } from '../throughput';
import { parseItemId } from '../values';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import type { PgCtx } from '../pg/context';
import { prepared, type Dialects } from './sql';
import { ENDED, EXHAUSTED, guardedPg, guardedSqlite, HOLDER, ITEM_COLUMNS, LET_GO, told, whyNotEnded, type EndCode } from './shape';

const FAIL: Dialects = {
  sqlite: `UPDATE items SET
      status = CASE WHEN ${EXHAUSTED} THEN 'poisoned' WHEN ${backoffSql.sqlite.applies} THEN 'scheduled' ELSE 'pending' END,
      run_at = CASE WHEN ${EXHAUSTED} OR NOT ${backoffSql.sqlite.applies} THEN run_at ELSE @now + ${backoffSql.sqlite.delayMs} END,
      ${LET_GO}, last_error = @error, last_error_type = @errorType, error_fingerprint = @fingerprint,
      ${ENDED.sqlite('failed', '@error', '@errorType')}
    WHERE ${HOLDER.sqlite} RETURNING ${ITEM_COLUMNS.sqlite}`,
  pg: `UPDATE items SET
      status = CASE WHEN ${EXHAUSTED} THEN 'poisoned' WHEN ${backoffSql.pg.applies} THEN 'scheduled' ELSE 'pending' END,
      run_at = CASE WHEN ${EXHAUSTED} OR NOT ${backoffSql.pg.applies} THEN run_at ELSE @now::bigint + ${backoffSql.pg.delayMs} END,
      ${LET_GO}, last_error = @error, last_error_type = @errorType, error_fingerprint = @fingerprint,
      ${ENDED.pg('failed', '@error', '@errorType')}
    WHERE ${HOLDER.pg} RETURNING ${ITEM_COLUMNS.pg}`,
};

/**
 * Per-minute failures and poisonings on SQLite (table `throughput`): one small UPSERT in the
 * transaction of the write it counts, no extra commit. Completions are counted by a trigger.
 */
const THROUGHPUT_SQLITE = `INSERT INTO throughput (pool, minute, completed, failed, poisoned) VALUES (@pool, @minute, 0, @failed, @poisoned)
  ON CONFLICT (minute, pool) DO UPDATE SET failed = failed + excluded.failed, poisoned = poisoned + excluded.poisoned`;

/** Adds failures and poisonings to this minute's counters of a pool, on SQLite, inside the caller's transaction. */
export function countEndsSqlite(ctx: SqliteCtx, now: number, pool: string, failed: number, poisoned: number) {
  prepared(ctx, THROUGHPUT_SQLITE).run({ pool, minute: minuteOf(now), failed, poisoned });
}

const paramsOf = (id: number, c: EndClaim & FailReport, now: number) => {
  const error = c.error ?? null;
  const errorType = c.errorType ?? null;
  return { id, workerId: c.workerId, leaseId: c.leaseId ?? null, now, error, errorType, fingerprint: fingerprint(error, errorType) };
};

export function failSqlite(ctx: SqliteCtx, itemId: string, c: EndClaim & FailReport): Outcome<WorkItem, EndCode> {
  const now = ctx.clock();
  const id = parseItemId(itemId);
  if (id === null) return whyNotEnded(undefined, itemId, c);
  const outcome = writeTx(ctx, () => {
    const o = guardedSqlite(ctx, FAIL.sqlite, paramsOf(id, c, now), (state) => whyNotEnded(state, itemId, c));
    if (o.ok) countEndsSqlite(ctx, now, o.value.pool, 1, o.value.status === 'poisoned' ? 1 : 0);
    return o;
  });
  return told(ctx.emit, outcome);
}

/** One guarded UPDATE; the diagnosis of a refusal only reads. */
export async function failPg(ctx: PgCtx, itemId: string, c: EndClaim & FailReport): Promise<Outcome<WorkItem, EndCode>> {
  const id = parseItemId(itemId);
  if (id === null) return whyNotEnded(undefined, itemId, c);
  return told(ctx.emit, await guardedPg(ctx.db, FAIL.pg, paramsOf(id, c, ctx.clock()), (state) => whyNotEnded(state, itemId, c)));
}
