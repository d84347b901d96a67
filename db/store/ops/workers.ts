/**
 * registerWorker, heartbeat, setWorkerStatus: a worker's own lifecycle.
 *
 * - register: creates the worker, or brings it back (any status) as `active` with a fresh
 *   heartbeat and what it says of itself; claims untouched. Events: worker (active).
 * - heartbeat: the heartbeat time, the task it reports, and metadata merged shallowly (an empty
 *   `{}` changes nothing); one write, so two heartbeats never lose each other's keys. Outcome:
 *   the worker, or worker-not-found. Events: none (a heartbeat is not news).
 * - setWorkerStatus: any status; `terminated` or `lost` also releases every item the worker
 *   holds (release.ts, reason "worker … was marked …"), in the same transaction. Outcome: the
 *   worker, or worker-not-found. Events: worker (status), then the released items. Audit:
 *   worker.status, unless the worker changes its own (lib/http: X-Hub-Worker-Self).
 *
 * Drizzle builds these writes (they are off the hot path); each engine has one rendering.
 */
import { eq, sql } from 'drizzle-orm';
import type { HeartbeatBody, RegisterWorkerBody, WorkerRecord, WorkerStatus } from '@/lib/contracts';
import { workers as sqliteWorkers } from '@/db/schema/sqlite';
import { workers as pgWorkers } from '@/db/schema/pg';
import type { Outcome } from '../types';
import type { AuditFields } from '../tokens-audit';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import { writeTx as pgWriteTx, type PgCtx } from '../pg/context';
import { getWorker as getWorkerSqlite } from '../sqlite/workers';
import { getWorker as getWorkerPg } from '../pg/workers';
import { jsonb } from '../pg/context';
import { releaseClaimsPg, releaseClaimsSqlite, statusReason, tellReleased } from './release';

type NotFound = { ok: false; code: 'worker-not-found'; detail: string };
const notFound = (workerId: string): NotFound => ({ ok: false, code: 'worker-not-found', detail: `worker ${workerId} not found` });

/** Shallow merge when both sides are plain objects; otherwise the new value replaces the old. */
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function mergeMetadata(old: unknown, next: unknown): unknown {
  return isPlainObject(old) && isPlainObject(next) ? { ...old, ...next } : next;
}

/**
 * A heartbeat's metadata that changes nothing: absent, or `{}` (an empty merge, as in the seed,
 * leaves a worker without metadata without it rather than setting `{}`).
 */
const heartbeatKeepsMetadata = (next: unknown) => next === undefined || (isPlainObject(next) && Object.keys(next).length === 0);

/** The worker row a registration writes, on either engine; `encode` stores JSON the engine's way. */
function registrationRow<Encoded>(input: RegisterWorkerBody, now: number, encode: (value: unknown) => Encoded) {
  return {
    workerId: input.worker_id ?? `worker-${crypto.randomUUID()}`,
    status: 'active',
    lastHeartbeat: now,
    host: input.host ?? null,
    pid: input.pid ?? null,
    capabilities: input.capabilities ? encode(input.capabilities) : null,
    poolId: input.pool_id ?? null,
    startedAt: input.started_at ? Date.parse(input.started_at) : now,
    reportedTaskId: null,
    metadata: input.metadata === undefined ? null : encode(input.metadata),
  };
}

export const statusAudit = (workerId: string, status: string) => (o: { ok: boolean }): AuditFields | null =>
  o.ok ? { action: 'worker.status', target: workerId, detail: { status }, changed: 1 } : null;

const releases = (status: WorkerStatus) => status === 'terminated' || status === 'lost';

// --- SQLite ---------------------------------------------------------------------------------

export function registerWorkerSqlite(ctx: SqliteCtx, input: RegisterWorkerBody): WorkerRecord {
  const { workerId, ...rest } = registrationRow(input, ctx.clock(), (v) => JSON.stringify(v));
  ctx.db.insert(sqliteWorkers).values({ workerId, ...rest }).onConflictDoUpdate({ target: sqliteWorkers.workerId, set: rest }).run();
  ctx.emit({ type: 'worker', worker_id: workerId, status: 'active' });
  return getWorkerSqlite(ctx.db, workerId)!;
}

/** Reads the metadata and writes the merge inside one write lock. */
export function heartbeatSqlite(ctx: SqliteCtx, workerId: string, input: HeartbeatBody): Outcome<WorkerRecord, 'worker-not-found'> {
  const record = writeTx(ctx, (tx) => {
    const current = tx.select({ metadata: sqliteWorkers.metadata }).from(sqliteWorkers).where(eq(sqliteWorkers.workerId, workerId)).get();
    if (!current) return null;
    const set: Partial<typeof sqliteWorkers.$inferInsert> = { lastHeartbeat: ctx.clock() };
    if (!heartbeatKeepsMetadata(input.metadata)) {
      const old = current.metadata === null ? null : (JSON.parse(current.metadata) as unknown);
      set.metadata = JSON.stringify(mergeMetadata(old, input.metadata));
    }
    if (input.current_task_id !== undefined) set.reportedTaskId = input.current_task_id;
    tx.update(sqliteWorkers).set(set).where(eq(sqliteWorkers.workerId, workerId)).run();
    return getWorkerSqlite(tx, workerId);
  });
  return record ? { ok: true, value: record } : notFound(workerId);
}

export function setWorkerStatusSqlite(ctx: SqliteCtx, workerId: string, status: WorkerStatus): Outcome<WorkerRecord, 'worker-not-found'> {
  const result = writeTx(ctx, (tx) => {
    const changed = tx.update(sqliteWorkers).set({ status }).where(eq(sqliteWorkers.workerId, workerId)).run().changes;
    if (changed === 0) return null;
    const released = releases(status) ? releaseClaimsSqlite(ctx, workerId, statusReason(workerId, status)) : [];
    return { record: getWorkerSqlite(tx, workerId)!, released };
  });
  if (!result) return notFound(workerId);
  ctx.emit({ type: 'worker', worker_id: workerId, status });
  tellReleased(ctx.emit, result.released);
  return { ok: true, value: result.record };
}

// --- PostgreSQL -----------------------------------------------------------------------------

export async function registerWorkerPg(ctx: PgCtx, input: RegisterWorkerBody): Promise<WorkerRecord> {
  const { workerId, ...rest } = registrationRow(input, ctx.clock(), (v) => jsonb(v));
  await ctx.db.insert(pgWorkers).values({ workerId, ...rest }).onConflictDoUpdate({ target: pgWorkers.workerId, set: rest });
  ctx.emit({ type: 'worker', worker_id: workerId, status: 'active' });
  return (await getWorkerPg(ctx.db, workerId))!;
}

/** One UPDATE: the shallow merge happens in SQL. */
export async function heartbeatPg(ctx: PgCtx, workerId: string, input: HeartbeatBody): Promise<Outcome<WorkerRecord, 'worker-not-found'>> {
  const set: Partial<Record<keyof typeof pgWorkers.$inferInsert, unknown>> = { lastHeartbeat: ctx.clock() };
  if (!heartbeatKeepsMetadata(input.metadata)) {
    const next = jsonb(input.metadata);
    set.metadata = sql`CASE WHEN jsonb_typeof(${pgWorkers.metadata}) = 'object' AND jsonb_typeof(${next}) = 'object' THEN ${pgWorkers.metadata} || ${next} ELSE ${next} END`;
  }
  if (input.current_task_id !== undefined) set.reportedTaskId = input.current_task_id;
  const changed = await ctx.db
    .update(pgWorkers)
    .set(set as typeof pgWorkers.$inferInsert)
    .where(eq(pgWorkers.workerId, workerId))
    .returning({ id: pgWorkers.workerId });
  const record = changed.length ? await getWorkerPg(ctx.db, workerId) : null;
  return record ? { ok: true, value: record } : notFound(workerId);
}

export async function setWorkerStatusPg(ctx: PgCtx, workerId: string, status: WorkerStatus): Promise<Outcome<WorkerRecord, 'worker-not-found'>> {
  const result = await pgWriteTx(ctx, async (tx) => {
    const changed = await tx.update(pgWorkers).set({ status }).where(eq(pgWorkers.workerId, workerId)).returning({ id: pgWorkers.workerId });
    if (changed.length === 0) return null;
    const released = releases(status) ? await releaseClaimsPg(ctx, tx, workerId, statusReason(workerId, status)) : [];
    return { record: (await getWorkerPg(tx, workerId))!, released };
  });
  if (!result) return notFound(workerId);
  ctx.emit({ type: 'worker', worker_id: workerId, status });
  tellReleased(ctx.emit, result.released);
  return { ok: true, value: result.record };
}
