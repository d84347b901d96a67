import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { MAX_RETRIES_DEFAULT, type CompletedMany, type CompleteManyBody, type NewItem, type WorkItem } from '@/lib/contracts';
import { items, workers } from '@/db/schema/sqlite';
import { parseItemId } from '../ids';
import type { EndClaim, Outcome } from '../types';
import { appendAttempt, exhausted, writeTx, type SqliteCtx, type SqliteDb } from './context';
import { toWorkItem } from './rows';

type EndCode = 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease';

const notFound = (id: string) => ({ ok: false as const, code: 'item-not-found' as const, detail: `work item ${id} not found` });

/** What a claim writes: a fresh random lease per row (randomblob() is evaluated once per row). */
const claimedBy = (workerId: string, now: number) => ({
  status: 'claimed',
  claimedBy: workerId,
  leaseId: sql`lower(hex(randomblob(16)))`,
  attempts: sql`${items.attempts} + 1`,
  claimedAt: now,
});

export function push(ctx: SqliteCtx, pool: string, batch: NewItem[]): string[] {
  const now = ctx.clock();
  const ids = writeTx(ctx, (tx) =>
    batch.map(
      (item) =>
        tx
          .insert(items)
          .values({
            pool,
            data: JSON.stringify(item.data),
            status: 'pending',
            maxRetries: item.max_retries ?? MAX_RETRIES_DEFAULT,
            createdAt: now,
          })
          .returning({ id: items.id })
          .get().id,
    ),
  );
  ctx.emit({ type: 'pool', name: pool });
  return ids.map(String);
}

type Admission = 'ok' | 'draining' | 'refused';

/**
 * May this worker claim? An unknown id is registered on the spot (so the reaper covers what it
 * takes); a draining worker gets nothing; a lost or terminated one must register again.
 */
function admit(tx: SqliteDb, workerId: string, now: number): Admission {
  const w = tx.select({ status: workers.status }).from(workers).where(eq(workers.workerId, workerId)).get();
  if (!w) {
    tx.insert(workers).values({ workerId, status: 'active', lastHeartbeat: now, startedAt: now }).run();
    return 'ok';
  }
  return w.status === 'active' ? 'ok' : w.status === 'terminating' ? 'draining' : 'refused';
}

const refused = (workerId: string) => ({
  ok: false as const,
  code: 'worker-not-active' as const,
  detail: `worker ${workerId} is lost or terminated; register it again before claiming`,
});

function emitItems(ctx: SqliteCtx, claimed: WorkItem[]) {
  for (const it of claimed) ctx.emit({ type: 'item', id: it.id, pool: it.pool, status: it.status });
  for (const pool of new Set(claimed.map((it) => it.pool))) ctx.emit({ type: 'pool', name: pool });
}

export function claim(ctx: SqliteCtx, pool: string, workerId: string, limit: number): Outcome<WorkItem[], 'worker-not-active'> {
  const now = ctx.clock();
  const result = writeTx(ctx, (tx) => {
    const admission = admit(tx, workerId, now);
    if (admission !== 'ok') return admission;
    const oldest = tx
      .select({ id: items.id })
      .from(items)
      .where(and(eq(items.pool, pool), eq(items.status, 'pending')))
      .orderBy(asc(items.id))
      .limit(limit);
    return tx
      .update(items)
      .set(claimedBy(workerId, now))
      .where(inArray(items.id, oldest))
      .returning()
      .all();
  });
  if (result === 'refused') return refused(workerId);
  if (result === 'draining') return { ok: true, value: [] };
  // RETURNING order is unspecified: hand items out oldest first.
  const claimed = result.sort((a, b) => a.id - b.id).map(toWorkItem);
  emitItems(ctx, claimed);
  return { ok: true, value: claimed };
}

export function claimItem(
  ctx: SqliteCtx,
  itemId: string,
  workerId: string,
): Outcome<WorkItem, 'item-not-found' | 'item-not-pending' | 'worker-not-active'> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  const outcome = writeTx(ctx, (tx): Outcome<WorkItem, 'item-not-found' | 'item-not-pending' | 'worker-not-active'> => {
    const found = tx.select({ status: items.status }).from(items).where(eq(items.id, id)).get();
    if (!found) return notFound(itemId);
    if (found.status !== 'pending') {
      return { ok: false, code: 'item-not-pending', detail: `work item ${itemId} is ${found.status}, not pending` };
    }
    const admission = admit(tx, workerId, now);
    if (admission === 'refused') return refused(workerId);
    if (admission === 'draining') {
      return { ok: false, code: 'worker-not-active', detail: `worker ${workerId} is terminating and takes no new work` };
    }
    const row = tx
      .update(items)
      .set(claimedBy(workerId, now))
      .where(and(eq(items.id, id), eq(items.status, 'pending')))
      .returning()
      .get()!; // inside the write lock, the pending row read above is still pending
    return { ok: true, value: toWorkItem(row) };
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

/** Why a guarded end-of-claim changed nothing. */
function diagnose(tx: SqliteDb, id: number, itemId: string, claimRef: EndClaim): { ok: false; code: EndCode; detail: string } {
  const row = tx.select({ status: items.status, claimedBy: items.claimedBy }).from(items).where(eq(items.id, id)).get();
  if (!row) return notFound(itemId);
  if (row.status !== 'claimed') {
    return { ok: false, code: 'item-not-claimed', detail: `work item ${itemId} is ${row.status}, not claimed` };
  }
  if (row.claimedBy !== claimRef.workerId) {
    return { ok: false, code: 'not-claim-holder', detail: `work item ${itemId} is not claimed by worker ${claimRef.workerId}` };
  }
  return { ok: false, code: 'stale-lease', detail: `lease ${claimRef.leaseId} is not the current claim of work item ${itemId}` };
}

function holderGuard(id: number, claimRef: EndClaim) {
  const guard = [eq(items.id, id), eq(items.status, 'claimed'), eq(items.claimedBy, claimRef.workerId)];
  if (claimRef.leaseId !== undefined) guard.push(eq(items.leaseId, claimRef.leaseId));
  return and(...guard);
}

function completeIn(tx: SqliteDb, now: number, itemId: string, c: EndClaim & { result?: unknown }): Outcome<WorkItem, EndCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const row = tx
    .update(items)
    .set({
      status: 'completed',
      leaseId: null,
      completedAt: now,
      result: c.result === undefined ? null : JSON.stringify(c.result),
      history: appendAttempt(now, 'completed', null),
    })
    .where(holderGuard(id, c))
    .returning()
    .get();
  return row ? { ok: true, value: toWorkItem(row) } : diagnose(tx, id, itemId, c);
}

export function complete(ctx: SqliteCtx, itemId: string, c: EndClaim & { result?: unknown }): Outcome<WorkItem, EndCode> {
  const outcome = writeTx(ctx, (tx) => completeIn(tx, ctx.clock(), itemId, c));
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

export function completeMany(ctx: SqliteCtx, input: CompleteManyBody): CompletedMany {
  const now = ctx.clock();
  const done: WorkItem[] = [];
  const rejected: CompletedMany['rejected'] = [];
  writeTx(ctx, (tx) => {
    for (const it of input.items) {
      const o = completeIn(tx, now, it.id, { workerId: input.worker_id, leaseId: it.lease_id, result: it.result });
      if (o.ok) done.push(o.value);
      else rejected.push({ id: it.id, status: o.code === 'item-not-found' ? 404 : 409, code: o.code });
    }
  });
  emitItems(ctx, done);
  return { completed: done.map((d) => d.id), rejected };
}

export function fail(ctx: SqliteCtx, itemId: string, c: EndClaim & { error?: string | null | undefined }): Outcome<WorkItem, EndCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  const error = c.error ?? null;
  const outcome = writeTx(ctx, (tx): Outcome<WorkItem, EndCode> => {
    const row = tx
      .update(items)
      .set({
        status: sql`CASE WHEN ${exhausted} THEN 'poisoned' ELSE 'pending' END`,
        // A poisoned item keeps who held it last; a pending one is free for anyone.
        claimedBy: sql`CASE WHEN ${exhausted} THEN ${items.claimedBy} ELSE NULL END`,
        claimedAt: sql`CASE WHEN ${exhausted} THEN ${items.claimedAt} ELSE NULL END`,
        leaseId: null,
        lastError: error,
        history: appendAttempt(now, 'failed', error),
      })
      .where(holderGuard(id, c))
      .returning()
      .get();
    return row ? { ok: true, value: toWorkItem(row) } : diagnose(tx, id, itemId, c);
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

const backToPending = {
  status: 'pending',
  attempts: 0,
  claimedBy: null,
  claimedAt: null,
  leaseId: null,
  completedAt: null,
  result: null,
} as const;

export function retryItem(ctx: SqliteCtx, itemId: string): Outcome<WorkItem, 'item-not-found' | 'item-not-retryable'> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const outcome = writeTx(ctx, (tx): Outcome<WorkItem, 'item-not-found' | 'item-not-retryable'> => {
    const row = tx
      .update(items)
      .set(backToPending)
      .where(and(eq(items.id, id), inArray(items.status, ['poisoned', 'completed'])))
      .returning()
      .get();
    if (row) return { ok: true, value: toWorkItem(row) };
    const found = tx.select({ status: items.status }).from(items).where(eq(items.id, id)).get();
    return found
      ? { ok: false, code: 'item-not-retryable', detail: `work item ${itemId} is ${found.status}; only poisoned or completed items can be retried` }
      : notFound(itemId);
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

export function retryPool(ctx: SqliteCtx, pool: string, status: 'poisoned' | 'completed'): number {
  const rows = writeTx(ctx, (tx) =>
    tx
      .update(items)
      .set(backToPending)
      .where(and(eq(items.pool, pool), eq(items.status, status)))
      .returning({ id: items.id })
      .all(),
  );
  if (rows.length) ctx.emit({ type: 'pool', name: pool });
  return rows.length;
}

export function deleteItem(ctx: SqliteCtx, itemId: string): Outcome<null, 'item-not-found'> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const row = ctx.db.delete(items).where(eq(items.id, id)).returning({ pool: items.pool }).get();
  if (!row) return notFound(itemId);
  ctx.emit({ type: 'item', id: itemId, pool: row.pool, status: 'deleted' });
  ctx.emit({ type: 'pool', name: row.pool });
  return { ok: true, value: null };
}
