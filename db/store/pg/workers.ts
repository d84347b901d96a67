import { and, asc, eq, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { HeartbeatBody, ListWorkersQuery, RegisterWorkerBody, WorkerRecord, WorkerStatus } from '@/lib/contracts';
import { items, workers } from '@/db/schema/pg';
import { heartbeatKeepsMetadata, registrationRow, releasedReason, statusReason } from '../ids';
import type { Outcome } from '../types';
import { appendAttempt, jsonb, writeTx, inLocked, type PgCtx, type PgExec } from './context';
import { toWorkerRecord } from './rows';

const workerColumns = {
  ...getTableColumns(workers),
  derivedTaskId: sql<number | null>`(SELECT i.id FROM items i WHERE i.claimed_by = ${workers.workerId} AND i.status = 'claimed' ORDER BY i.claimed_at DESC, i.id DESC LIMIT 1)`.mapWith(
    (v: string | number | null) => (v === null ? null : Number(v)),
  ),
  claimedCount: sql<number>`(SELECT count(*) FROM items i WHERE i.claimed_by = ${workers.workerId} AND i.status = 'claimed')`.mapWith(Number),
};

async function selectWorkers(db: PgExec, where?: SQL): Promise<WorkerRecord[]> {
  const rows = await db.select(workerColumns).from(workers).where(where).orderBy(asc(workers.workerId));
  return rows.map(toWorkerRecord);
}

export async function getWorker(db: PgExec, workerId: string): Promise<WorkerRecord | null> {
  return (await selectWorkers(db, eq(workers.workerId, workerId)))[0] ?? null;
}

export function listWorkers(ctx: PgCtx, f: ListWorkersQuery): Promise<WorkerRecord[]> {
  const conditions: SQL[] = [];
  if (f.status) conditions.push(inArray(workers.status, f.status));
  if (f.capability !== undefined) conditions.push(sql`${workers.capabilities} @> jsonb_build_array(${f.capability}::text)`);
  if (f.pool_id !== undefined) conditions.push(eq(workers.poolId, f.pool_id));
  if (f.stale_threshold_seconds !== undefined) {
    conditions.push(lt(workers.lastHeartbeat, ctx.clock() - f.stale_threshold_seconds * 1000));
  }
  return selectWorkers(ctx.db, conditions.length ? and(...conditions) : undefined);
}

export async function registerWorker(ctx: PgCtx, input: RegisterWorkerBody): Promise<WorkerRecord> {
  const now = ctx.clock();
  const row = registrationRow(input, now, (v) => jsonb(v));

  const { workerId, ...rest } = row;
  await ctx.db.insert(workers).values(row).onConflictDoUpdate({ target: workers.workerId, set: rest });
  ctx.emit({ type: 'worker', worker_id: workerId, status: 'active' });
  return (await getWorker(ctx.db, workerId))!;
}

/** One UPDATE: the shallow merge happens in SQL, so two heartbeats never lose each other's keys. */
export async function heartbeat(ctx: PgCtx, workerId: string, input: HeartbeatBody): Promise<Outcome<WorkerRecord, 'worker-not-found'>> {
  const set: Partial<Record<keyof typeof workers.$inferInsert, unknown>> = { lastHeartbeat: ctx.clock() };
  if (!heartbeatKeepsMetadata(input.metadata)) {
    const next = jsonb(input.metadata);
    set.metadata = sql`CASE WHEN jsonb_typeof(${workers.metadata}) = 'object' AND jsonb_typeof(${next}) = 'object' THEN ${workers.metadata} || ${next} ELSE ${next} END`;
  }
  if (input.current_task_id !== undefined) set.reportedTaskId = input.current_task_id;
  const changed = await ctx.db
    .update(workers)
    .set(set as typeof workers.$inferInsert)
    .where(eq(workers.workerId, workerId))
    .returning({ id: workers.workerId });
  const record = changed.length ? await getWorker(ctx.db, workerId) : null;
  return record ? { ok: true, value: record } : { ok: false, code: 'worker-not-found', detail: `worker ${workerId} not found` };
}

/**
 * Releases every item `workerId` holds (in `pool`, or everywhere) back to `pending`, attempts
 * kept; returns the released items. Locks them in id order first (no deadlock with a batch).
 */
export function releaseClaims(db: PgExec, now: number, workerId: string, reason: string, pool?: string): Promise<{ id: number; pool: string }[]> {
  const where = [eq(items.status, 'claimed'), eq(items.claimedBy, workerId)];
  if (pool !== undefined) where.push(eq(items.pool, pool));
  const locked = db.select({ id: items.id }).from(items).where(and(...where)).orderBy(asc(items.id)).for('update');
  return db
    .update(items)
    .set({
      status: 'pending',
      claimedBy: null,
      claimedAt: null,
      leaseId: null,
      history: appendAttempt(now, 'released', reason),
    })
    .where(and(inLocked(items.id, locked), ...where))
    .returning({ id: items.id, pool: items.pool });
}

export function emitReleased(ctx: PgCtx, released: { id: number; pool: string }[]) {
  for (const r of released) ctx.emit({ type: 'item', id: String(r.id), pool: r.pool, status: 'pending' });
  for (const pool of new Set(released.map((r) => r.pool))) ctx.emit({ type: 'pool', name: pool });
}

export async function releaseWorker(ctx: PgCtx, workerId: string, pool?: string): Promise<number> {
  const released = await releaseClaims(ctx.db, ctx.clock(), workerId, releasedReason(workerId), pool);
  emitReleased(ctx, released);
  return released.length;
}

export async function setWorkerStatus(ctx: PgCtx, workerId: string, status: WorkerStatus): Promise<Outcome<WorkerRecord, 'worker-not-found'>> {
  const result = await writeTx(ctx, async (tx) => {
    const changed = await tx.update(workers).set({ status }).where(eq(workers.workerId, workerId)).returning({ id: workers.workerId });
    if (changed.length === 0) return null;
    const released =
      status === 'terminated' || status === 'lost' ? await releaseClaims(tx, ctx.clock(), workerId, statusReason(workerId, status)) : [];
    return { record: (await getWorker(tx, workerId))!, released };
  });
  if (!result) return { ok: false, code: 'worker-not-found', detail: `worker ${workerId} not found` };
  ctx.emit({ type: 'worker', worker_id: workerId, status });
  emitReleased(ctx, result.released);
  return { ok: true, value: result.record };
}
