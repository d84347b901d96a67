/**
 * reap: workers that stopped heartbeating are marked lost, and their items go back.
 *
 * - Guard: the worker is `active` or `terminating` and its last heartbeat is older than
 *   `staleSeconds`; re-checked by each write, so a second reaper (another process or instance)
 *   finds nothing. PostgreSQL skips workers another reaper holds locked right now; each reaper
 *   ends only the claims of the workers it marked itself, in the same transaction.
 * - Writes: the workers `lost`; their claimed items end `released` in history with the reason,
 *   and go back to `pending`, or are `poisoned` when their attempts are used up (an item that kills
 *   every worker that takes it must not loop forever), with one error group (LOST_FINGERPRINT)
 *   for all items a loss poisoned, whichever worker it was.
 * - Outcome: the workers lost, how many items released and poisoned.
 * - Counts: the update triggers; poisonings in this minute's throughput (SQLite: here; PostgreSQL:
 *   the trigger).
 * - Events: worker (lost) per worker, item per item, pool. Audit: `reap` when it changed anything.
 */
import type { ReapResult } from '@/lib/contracts';
import type { AuditFields } from '../tokens-audit';
import { LOST_FINGERPRINT } from '../fingerprint';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import { writeTx as pgWriteTx, type PgCtx } from '../pg/context';
import { pgRows, prepared, type Dialects } from './sql';
import { ENDED, EXHAUSTED, LET_GO, tellItems } from './shape';
import { countEndsSqlite } from './fail';

const STALE = `status IN ('active', 'terminating') AND last_heartbeat < @cutoff`;

const LOSE: Dialects = {
  sqlite: `UPDATE workers SET status = 'lost' WHERE ${STALE} RETURNING worker_id AS id`,
  pg: `UPDATE workers SET status = 'lost'
    WHERE worker_id = ANY(ARRAY(SELECT worker_id FROM workers WHERE ${STALE} ORDER BY worker_id FOR UPDATE SKIP LOCKED)) AND ${STALE}
    RETURNING worker_id AS id`,
};

/** Why, per item: its holder's name in it. */
const REASON: Dialects = {
  sqlite: `'worker ' || claimed_by || ' was lost (no heartbeat for ' || @staleSeconds || ' s)'`,
  pg: `'worker ' || claimed_by || ' was lost (no heartbeat for ' || @staleSeconds::text || ' s)'`,
};

const endLost = (d: keyof Dialects) => `status = CASE WHEN ${EXHAUSTED} THEN 'poisoned' ELSE 'pending' END,
    last_error = CASE WHEN ${EXHAUSTED} THEN ${REASON[d]} ELSE last_error END,
    last_error_type = CASE WHEN ${EXHAUSTED} THEN NULL ELSE last_error_type END,
    error_fingerprint = CASE WHEN ${EXHAUSTED} THEN @lostFingerprint ELSE error_fingerprint END,
    ${LET_GO}, ${d === 'sqlite' ? ENDED.sqlite('released', REASON.sqlite) : ENDED.pg('released', REASON.pg)}`;

const THEIRS: Dialects = {
  sqlite: `status = 'claimed' AND claimed_by IN (SELECT value FROM json_each(@lost))`,
  pg: `status = 'claimed' AND claimed_by = ANY(@lost::text[])`,
};

const END_LOST: Dialects = {
  sqlite: `UPDATE items SET ${endLost('sqlite')} WHERE ${THEIRS.sqlite} RETURNING id, pool, status`,
  pg: `UPDATE items SET ${endLost('pg')}
    WHERE id = ANY(ARRAY(SELECT id FROM items WHERE ${THEIRS.pg} ORDER BY id FOR UPDATE)) AND ${THEIRS.pg}
    RETURNING id, pool, status`,
};

type Ended = { id: number; pool: string; status: 'pending' | 'poisoned' };

/** Items released or poisoned are the count; the workers lost are in the detail. */
export const reapAudit = (r: ReapResult): AuditFields | null =>
  r.lost.length > 0 || r.released + r.poisoned > 0
    ? { action: 'reap', target: null, detail: { lost: r.lost, released: r.released, poisoned: r.poisoned }, changed: r.released + r.poisoned }
    : null;

function reaped(emit: SqliteCtx['emit'], lost: string[], ended: Ended[]): ReapResult {
  for (const id of lost) emit({ type: 'worker', worker_id: id, status: 'lost' });
  tellItems(emit, ended);
  const poisoned = ended.filter((e) => e.status === 'poisoned').length;
  return { lost, released: ended.length - poisoned, poisoned };
}

const params = (now: number, staleSeconds: number) => ({
  cutoff: now - staleSeconds * 1000,
  now,
  staleSeconds: String(staleSeconds),
  lostFingerprint: LOST_FINGERPRINT,
});

export function reapSqlite(ctx: SqliteCtx, staleSeconds: number): ReapResult {
  const now = ctx.clock();
  const p = params(now, staleSeconds);
  const { lost, ended } = writeTx(ctx, () => {
    const lost = prepared<object, { id: string }>(ctx, LOSE.sqlite).all(p).map((w) => w.id).sort();
    if (lost.length === 0) return { lost, ended: [] as Ended[] };
    const ended = prepared<object, Ended>(ctx, END_LOST.sqlite).all({ ...p, lost: JSON.stringify(lost) });
    const poisonedIn = new Map<string, number>();
    for (const e of ended) if (e.status === 'poisoned') poisonedIn.set(e.pool, (poisonedIn.get(e.pool) ?? 0) + 1);
    for (const [pool, n] of poisonedIn) countEndsSqlite(ctx, now, pool, 0, n);
    return { lost, ended };
  });
  return reaped(ctx.emit, lost, ended);
}

export async function reapPg(ctx: PgCtx, staleSeconds: number): Promise<ReapResult> {
  const p = params(ctx.clock(), staleSeconds);
  const { lost, ended } = await pgWriteTx(ctx, async (tx) => {
    const lost = (await pgRows<{ id: string }>(tx, LOSE.pg, p)).map((w) => w.id).sort();
    if (lost.length === 0) return { lost, ended: [] as Ended[] };
    return { lost, ended: await pgRows<Ended>(tx, END_LOST.pg, { ...p, lost }) };
  });
  return reaped(ctx.emit, lost, ended);
}
