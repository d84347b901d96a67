/** Worker reads on PostgreSQL. (A worker's writes are db/store/ops/workers.ts.) */
import { and, asc, eq, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { ListWorkersQuery, WorkerRecord } from '@/lib/contracts';
import { workers } from '@/db/schema/pg';
import type { PgCtx, PgExec } from './context';
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
