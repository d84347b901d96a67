import { and, asc, eq, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { HeartbeatBody, ListWorkersQuery, RegisterWorkerBody, WorkerRecord, WorkerStatus } from '@/lib/contracts';
import { items, workers } from '@/db/schema/sqlite';
import { heartbeatKeepsMetadata, mergeMetadata, registrationRow, releasedReason, statusReason } from '../ids';
import type { Outcome } from '../types';
import { appendAttempt, writeTx, type SqliteCtx, type SqliteDb } from './context';
import { toWorkerRecord } from './rows';

const workerColumns = {
  ...getTableColumns(workers),
  derivedTaskId: sql<number | null>`(SELECT i.id FROM items i WHERE i.claimed_by = ${workers.workerId} AND i.status = 'claimed' ORDER BY i.claimed_at DESC, i.id DESC LIMIT 1)`,
  claimedCount: sql<number>`(SELECT count(*) FROM items i WHERE i.claimed_by = ${workers.workerId} AND i.status = 'claimed')`,
};

function selectWorkers(db: SqliteDb, where?: SQL): WorkerRecord[] {
  return db.select(workerColumns).from(workers).where(where).orderBy(asc(workers.workerId)).all().map(toWorkerRecord);
}

export function getWorker(db: SqliteDb, workerId: string): WorkerRecord | null {
  return selectWorkers(db, eq(workers.workerId, workerId))[0] ?? null;
}

export function listWorkers(ctx: SqliteCtx, f: ListWorkersQuery): WorkerRecord[] {
  const conditions: SQL[] = [];
  if (f.status) conditions.push(inArray(workers.status, f.status));
  if (f.capability !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM json_each(${workers.capabilities}) WHERE value = ${f.capability})`);
  }
  if (f.pool_id !== undefined) conditions.push(eq(workers.poolId, f.pool_id));
  if (f.stale_threshold_seconds !== undefined) {
    conditions.push(lt(workers.lastHeartbeat, ctx.clock() - f.stale_threshold_seconds * 1000));
  }
  return selectWorkers(ctx.db, conditions.length ? and(...conditions) : undefined);
}

export function registerWorker(ctx: SqliteCtx, input: RegisterWorkerBody): WorkerRecord {
  const now = ctx.clock();
  const row = registrationRow(input, now, (v) => JSON.stringify(v));

  const { workerId, ...rest } = row;
  ctx.db.insert(workers).values(row).onConflictDoUpdate({ target: workers.workerId, set: rest }).run();
  ctx.emit({ type: 'worker', worker_id: workerId, status: 'active' });
  return getWorker(ctx.db, workerId)!;
}

export function heartbeat(
  ctx: SqliteCtx,
  workerId: string,
  input: HeartbeatBody,
): Outcome<WorkerRecord, 'worker-not-found'> {
  const record = writeTx(ctx, (tx) => {
    const current = tx.select({ metadata: workers.metadata }).from(workers).where(eq(workers.workerId, workerId)).get();
    if (!current) return null;
    const set: Partial<typeof workers.$inferInsert> = { lastHeartbeat: ctx.clock() };
    if (!heartbeatKeepsMetadata(input.metadata)) {
      const old = current.metadata === null ? null : (JSON.parse(current.metadata) as unknown);
      set.metadata = JSON.stringify(mergeMetadata(old, input.metadata));
    }
    if (input.current_task_id !== undefined) set.reportedTaskId = input.current_task_id;
    tx.update(workers).set(set).where(eq(workers.workerId, workerId)).run();
    return getWorker(tx, workerId);
  });
  return record ? { ok: true, value: record } : { ok: false, code: 'worker-not-found', detail: `worker ${workerId} not found` };
}

/**
 * Releases every item `workerId` holds (in `pool`, or everywhere) back to `pending`, attempts
 * kept; returns the released items. Runs inside the caller's transaction.
 */
export function releaseClaims(
  tx: SqliteDb,
  now: number,
  workerId: string,
  reason: string,
  pool?: string,
): { id: number; pool: string }[] {
  const where = [eq(items.status, 'claimed'), eq(items.claimedBy, workerId)];
  if (pool !== undefined) where.push(eq(items.pool, pool));
  return tx
    .update(items)
    .set({
      status: 'pending',
      claimedBy: null,
      claimedAt: null,
      leaseId: null,
      history: appendAttempt(now, 'released', reason),
    })
    .where(and(...where))
    .returning({ id: items.id, pool: items.pool })
    .all();
}

export function emitReleased(ctx: SqliteCtx, released: { id: number; pool: string }[]) {
  for (const r of released) ctx.emit({ type: 'item', id: String(r.id), pool: r.pool, status: 'pending' });
  for (const pool of new Set(released.map((r) => r.pool))) ctx.emit({ type: 'pool', name: pool });
}

export function releaseWorker(ctx: SqliteCtx, workerId: string, pool?: string): number {
  const released = writeTx(ctx, (tx) => releaseClaims(tx, ctx.clock(), workerId, releasedReason(workerId), pool));
  emitReleased(ctx, released);
  return released.length;
}

export function setWorkerStatus(
  ctx: SqliteCtx,
  workerId: string,
  status: WorkerStatus,
): Outcome<WorkerRecord, 'worker-not-found'> {
  const result = writeTx(ctx, (tx) => {
    const changed = tx.update(workers).set({ status }).where(eq(workers.workerId, workerId)).returning({ id: workers.workerId }).all();
    if (changed.length === 0) return null;
    const released =
      status === 'terminated' || status === 'lost'
        ? releaseClaims(tx, ctx.clock(), workerId, statusReason(workerId, status))
        : [];
    return { record: getWorker(tx, workerId)!, released };
  });
  if (!result) return { ok: false, code: 'worker-not-found', detail: `worker ${workerId} not found` };
  ctx.emit({ type: 'worker', worker_id: workerId, status });
  emitReleased(ctx, result.released);
  return { ok: true, value: result.record };
}
