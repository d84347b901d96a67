/**
 * releaseWorker, and the release a worker's status change makes: a worker's claimed items go
 * back to the queue.
 *
 * - Guard: the items are claimed by the worker (in one pool, or everywhere). When it released
 *   nothing, releaseWorker tells an unknown worker (worker-not-found) in the same transaction.
 * - Writes: `pending`, the claim cleared, attempts kept; the attempt ends `released` in history
 *   with the reason. A manual release never poisons (the seed's semantics): an operator decides.
 * - Outcomes: how many were released; or worker-not-found.
 * - Counts: the update triggers (`history` is set).
 * - Events: item (pending) per item, pool. Audit: worker.release, or pool.release with a pool.
 */
import type { Outcome } from '../types';
import type { AuditFields } from '../tokens-audit';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import { writeTx as pgWriteTx, type PgCtx, type PgExec } from '../pg/context';
import { pgRows, prepared, type Dialects } from './sql';
import { ENDED, tellItems } from './shape';

const releasedReason = (workerId: string) => `released from worker ${workerId} by an operator`;
export const statusReason = (workerId: string, status: string) => `worker ${workerId} was marked ${status}`;

const THEIRS: Dialects = {
  sqlite: `status = 'claimed' AND claimed_by = @workerId AND (@pool IS NULL OR pool = @pool)`,
  pg: `status = 'claimed' AND claimed_by = @workerId AND (@pool::text IS NULL OR pool = @pool)`,
};

const RELEASE: Dialects = {
  sqlite: `UPDATE items SET status = 'pending', claimed_by = NULL, claimed_at = NULL, lease_id = NULL,
      ${ENDED.sqlite('released', '@reason')}
    WHERE ${THEIRS.sqlite} RETURNING id, pool`,
  // Locked in id order first, as every multi-row write locks them: no deadlock with a batch.
  pg: `UPDATE items SET status = 'pending', claimed_by = NULL, claimed_at = NULL, lease_id = NULL,
      ${ENDED.pg('released', '@reason')}
    WHERE id = ANY(ARRAY(SELECT id FROM items WHERE ${THEIRS.pg} ORDER BY id FOR UPDATE)) AND ${THEIRS.pg} RETURNING id, pool`,
};

/** The same in both dialects. */
const WORKER_EXISTS = `SELECT 1 AS found FROM workers WHERE worker_id = @workerId`;

export const releaseAudit = (workerId: string, pool: string | undefined) => (o: Outcome<number, 'worker-not-found'>): AuditFields | null => {
  if (!o.ok) return null;
  return pool === undefined
    ? { action: 'worker.release', target: workerId, detail: null, changed: o.value }
    : { action: 'pool.release', target: pool, detail: { worker_id: workerId }, changed: o.value };
};

type Released = { id: number; pool: string }[];

export const tellReleased = (emit: SqliteCtx['emit'], released: Released) =>
  tellItems(emit, released.map((r) => ({ ...r, status: 'pending' as const })));

const unknownWorker = (workerId: string) => ({ ok: false as const, code: 'worker-not-found' as const, detail: `worker ${workerId} not found` });

/** Releases the worker's claims inside the caller's transaction; returns what it released (not yet told). */
export function releaseClaimsSqlite(ctx: SqliteCtx, workerId: string, reason: string, pool?: string): Released {
  return prepared<object, Released[number]>(ctx, RELEASE.sqlite).all({ workerId, pool: pool ?? null, reason, now: ctx.clock() });
}

export function releaseClaimsPg(ctx: PgCtx, db: PgExec, workerId: string, reason: string, pool?: string): Promise<Released> {
  return pgRows<Released[number]>(db, RELEASE.pg, { workerId, pool: pool ?? null, reason, now: ctx.clock() });
}

export function releaseWorkerSqlite(ctx: SqliteCtx, workerId: string, pool?: string): Outcome<number, 'worker-not-found'> {
  const released = writeTx(ctx, () => {
    const r = releaseClaimsSqlite(ctx, workerId, releasedReason(workerId), pool);
    return r.length || prepared(ctx, WORKER_EXISTS).get({ workerId }) ? r : null;
  });
  if (!released) return unknownWorker(workerId);
  tellReleased(ctx.emit, released);
  return { ok: true, value: released.length };
}

export async function releaseWorkerPg(ctx: PgCtx, workerId: string, pool?: string): Promise<Outcome<number, 'worker-not-found'>> {
  const released = await pgWriteTx(ctx, async (tx) => {
    const r = await releaseClaimsPg(ctx, tx, workerId, releasedReason(workerId), pool);
    return r.length || (await pgRows(tx, WORKER_EXISTS, { workerId })).length ? r : null;
  });
  if (!released) return unknownWorker(workerId);
  tellReleased(ctx.emit, released);
  return { ok: true, value: released.length };
}
