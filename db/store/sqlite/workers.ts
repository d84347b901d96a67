/** Worker reads on SQLite. (A worker's writes are db/store/ops/workers.ts.) */
import { and, asc, eq, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { ListWorkersQuery, WorkerRecord } from '@/lib/contracts';
import { workers } from '@/db/schema/sqlite';
import type { SqliteCtx, SqliteDb } from './context';
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
