import { and, eq, inArray, sql } from 'drizzle-orm';
import { MAX_RETRIES_DEFAULT, type CompleteManyBody, type NewItem, type Pushed, type WorkItem } from '@/lib/contracts';
import { items } from '@/db/schema/sqlite';
import { inClaimOrder, pushedStatus, runAtOf } from '../queue';
import { backToPending, parseItemId, whyNotEnded } from '../ids';
import { claimKeyParams } from '../leases';
import { fingerprint } from '../fingerprint';
import type { CompletedManyOutcome, EndClaim, ErrorFilter, FailReport, FailureCode, Outcome } from '../types';
import { storeCompletion, writeTx, type SqliteCtx } from './context';
import { bulkWhere, countFailure } from './operator';
import { toWorkItem, workItemOf, type ItemValues } from './rows';

type EndCode = 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease';
type ClaimItemCode = 'item-not-found' | 'item-not-pending' | 'worker-not-active' | 'pool-paused';
type Failure<C> = { ok: false; code: C; detail: string };

/** A retried completed item no longer holds its key: completion released it, and a newer item may hold it now. */
const keyAfterRetry = sql`CASE WHEN ${items.status} = 'completed' THEN NULL ELSE ${items.key} END`;

const notFound = (id: string): Failure<'item-not-found'> => ({ ok: false, code: 'item-not-found', detail: `work item ${id} not found` });
const refused = (workerId: string): Failure<'worker-not-active'> => ({
  ok: false,
  code: 'worker-not-active',
  detail: `worker ${workerId} is lost or terminated; register it again before claiming`,
});

function emitItems(ctx: SqliteCtx, changed: WorkItem[]) {
  if (changed.length === 1) {
    // The hot path's one item: no set of pools to build.
    const it = changed[0]!;
    ctx.emit({ type: 'item', id: it.id, pool: it.pool, status: it.status });
    ctx.emit({ type: 'pool', name: it.pool });
    return;
  }
  for (const it of changed) ctx.emit({ type: 'item', id: it.id, pool: it.pool, status: it.status });
  for (const pool of new Set(changed.map((it) => it.pool))) ctx.emit({ type: 'pool', name: pool });
}

/**
 * Appends items in order, in one transaction. An item with a `key` that a live item of the pool
 * already holds is not added: its answer is that item (`created` false), and nothing changes.
 */
export function push(ctx: SqliteCtx, pool: string, batch: NewItem[]): Pushed {
  const now = ctx.clock();
  const pushed: Pushed = { ids: [], created: [] };
  writeTx(ctx, () => {
    const maxRetries = ctx.stmts.poolSettings.get(pool)?.maxRetries ?? MAX_RETRIES_DEFAULT;
    for (const item of batch) {
      const runAt = runAtOf(item, now);
      const backoff = item.backoff ?? null; // an item's `none` overrides its pool's policy
      const key = item.key ?? null;
      const r = ctx.stmts.insertItem.run({
        pool,
        data: JSON.stringify(item.data),
        status: pushedStatus(runAt, now),
        maxRetries: item.max_retries ?? maxRetries,
        now,
        priority: item.priority ?? 0,
        runAt,
        key,
        backoff: backoff && JSON.stringify(backoff),
      });
      const created = r.changes > 0;
      pushed.ids.push(String(created ? r.lastInsertRowid : ctx.stmts.liveKey.get({ pool, key: key! })));
      pushed.created.push(created);
    }
  });
  if (pushed.created.includes(true)) ctx.emit({ type: 'pool', name: pool });
  return pushed;
}

/**
 * Makes the pool's due scheduled items pending, in their own autocommit write, when a read finds
 * any: a pool without delays pays one index probe per claim, never a write lock.
 */
function promoteDue(ctx: SqliteCtx, pool: string, now: number) {
  if (ctx.stmts.anyDue.get({ pool, now }) === undefined) return;
  const promoted = ctx.stmts.promoteDue.all({ pool, now });
  for (const { id } of promoted) ctx.emit({ type: 'item', id: String(id), pool, status: 'pending' });
  if (promoted.length) ctx.emit({ type: 'pool', name: pool });
}

/** Milliseconds until the pool's next scheduled item is due (0: due now), or null when none is scheduled. */
export function nextDue(ctx: SqliteCtx, pool: string): number | null {
  const at = ctx.stmts.nextDue.get(pool);
  return at === null || at === undefined ? null : Math.max(0, at - ctx.clock());
}

/** A scheduled item made pending now, claimable by the next claim in its priority and push order. */
export function runItem(ctx: SqliteCtx, itemId: string): Outcome<WorkItem, 'item-not-found' | 'item-not-scheduled'> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const outcome = writeTx(ctx, (): Outcome<WorkItem, 'item-not-found' | 'item-not-scheduled'> => {
    const row = ctx.stmts.runNow.get({ id, now: ctx.clock() });
    return changedOrWhyNot(ctx, row && workItemOf(row), id, itemId, (status) => ({
      ok: false,
      code: 'item-not-scheduled',
      detail: `work item ${itemId} is ${status}; only a scheduled item can be run now`,
    }));
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

/**
 * May this worker claim? An unknown id is registered on the spot (so the reaper covers what it
 * takes); a draining worker gets nothing; a lost or terminated one must register again.
 * Runs inside the claim's transaction.
 */
function admit(ctx: SqliteCtx, workerId: string, now: number): 'ok' | 'draining' | 'refused' {
  const status = ctx.stmts.workerStatus.get(workerId);
  if (status === undefined) {
    ctx.stmts.autoRegister.run({ workerId, now });
    return 'ok';
  }
  return status === 'active' ? 'ok' : status === 'terminating' ? 'draining' : 'refused';
}

/**
 * Claims up to `limit` of the oldest pending items of `pool`; may return fewer, or none.
 * An active worker's claim is one statement in autocommit (no transaction to open and commit),
 * and its empty poll one read more; every other case takes the transaction with `admit`.
 */
export function claim(
  ctx: SqliteCtx,
  pool: string,
  workerId: string,
  limit: number,
  claimId?: string | null,
): Outcome<WorkItem[], 'worker-not-active'> {
  const now = ctx.clock();
  const one = limit === 1;
  const params = { pool, workerId, limit, now, ...claimKeyParams(claimId) };
  promoteDue(ctx, pool, now);
  let rows = (one ? ctx.stmts.claimOneActive : ctx.stmts.claimOldestActive).all(params);
  // Nothing claimed: this is a retry of a claim id that already took items, the pool has nothing
  // pending (an active worker's empty poll: the common case, told by reads alone, no write lock
  // taken), or the worker is not active. Only the last takes the slow path, which registers,
  // drains or refuses.
  if (rows.length === 0 && params.claimKey !== null) rows = ctx.stmts.heldUnderKey.all(params);
  if (rows.length === 0) {
    if (ctx.stmts.workerStatus.get(workerId) === 'active') return { ok: true, value: [] };
    const result = writeTx(ctx, () => {
      const admission = admit(ctx, workerId, now);
      if (admission !== 'ok') return admission;
      return (one ? ctx.stmts.claimOne : ctx.stmts.claimOldest).all(params);
    });
    if (result === 'refused') return refused(workerId);
    if (result === 'draining') return { ok: true, value: [] };
    rows = result;
  }
  const claimed = rows.map(workItemOf);
  // RETURNING order is unspecified: hand items out in claim order.
  if (claimed.length > 1) claimed.sort(inClaimOrder);
  emitItems(ctx, claimed);
  return { ok: true, value: claimed };
}

export function claimItem(
  ctx: SqliteCtx,
  itemId: string,
  workerId: string,
): Outcome<WorkItem, ClaimItemCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  const outcome = writeTx(ctx, (): Outcome<WorkItem, ClaimItemCode> => {
    const found = ctx.stmts.itemState.get(id);
    if (!found) return notFound(itemId);
    if (found.status !== 'pending') {
      return { ok: false, code: 'item-not-pending', detail: `work item ${itemId} is ${found.status}, not pending` };
    }
    if (ctx.stmts.poolSettings.get(found.pool)?.paused) {
      return { ok: false, code: 'pool-paused', detail: `pool ${found.pool} is paused; resume it to hand out its items` };
    }
    const admission = admit(ctx, workerId, now);
    if (admission === 'refused') return refused(workerId);
    if (admission === 'draining') {
      return { ok: false, code: 'worker-not-active', detail: `worker ${workerId} is terminating and takes no new work` };
    }
    // Inside the write lock the row read above is still pending, so this matches it.
    return { ok: true, value: workItemOf(ctx.stmts.claimById.get({ id, workerId, now, ...claimKeyParams(null) })!) };
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

/**
 * The outcome of a guarded write of one item, inside its transaction: the item as changed, or,
 * when the guard matched nothing, why: `refusal` of its status as it is now, or not found.
 */
function changedOrWhyNot<C extends FailureCode>(
  ctx: SqliteCtx,
  changed: WorkItem | undefined,
  id: number,
  itemId: string,
  refusal: (status: string) => Failure<C>,
): Outcome<WorkItem, C | 'item-not-found'> {
  if (changed) return { ok: true, value: changed };
  const found = ctx.stmts.itemState.get(id);
  return found ? refusal(found.status) : notFound(itemId);
}

/** Why a guarded end-of-claim changed nothing. */
function diagnose(ctx: SqliteCtx, id: number, itemId: string, claimRef: EndClaim): Failure<EndCode> {
  const row = ctx.stmts.itemState.get(id);
  return whyNotEnded(row, itemId, claimRef);
}

type EndParams = { id: number; workerId: string; leaseId: string | null; now: number };

/** Ends one claim with `run` (complete or fail) inside the caller's transaction. */
function endClaim(
  ctx: SqliteCtx,
  itemId: string,
  c: EndClaim,
  run: (params: EndParams) => ItemValues | undefined,
  now: number,
): Outcome<WorkItem, EndCode> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const row = run({ id, workerId: c.workerId, leaseId: c.leaseId ?? null, now });
  return row ? { ok: true, value: workItemOf(row) } : diagnose(ctx, id, itemId, c);
}

const resultJson = (result: unknown) => (result === undefined ? null : JSON.stringify(result));

const completeRow = (ctx: SqliteCtx, p: EndParams, result: string | null) =>
  ctx.stmts.complete.get({ id: p.id, workerId: p.workerId, leaseId: p.leaseId, now: p.now, result });

/**
 * Completes the claim `c` of an item. The guarded UPDATE runs alone in autocommit (a trigger
 * counts it in `throughput` within the same statement); only when it matches nothing does a
 * transaction run it again and read the item, so that the reason given is the item's state at
 * the moment of refusal.
 */
export function complete(ctx: SqliteCtx, itemId: string, c: EndClaim & { result?: unknown }): Outcome<WorkItem, EndCode> {
  const result = resultJson(c.result);
  const now = ctx.clock();
  const id = parseItemId(itemId);
  const params = id === null ? null : { id, workerId: c.workerId, leaseId: c.leaseId ?? null, now };
  const row = params && completeRow(ctx, params, result);
  const outcome = row
    ? { ok: true as const, value: workItemOf(row) }
    : writeTx(ctx, () => endClaim(ctx, itemId, c, (p) => completeRow(ctx, p, result), now));
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

export function completeMany(ctx: SqliteCtx, input: CompleteManyBody): CompletedManyOutcome {
  const now = ctx.clock();
  const done: WorkItem[] = [];
  const rejected: CompletedManyOutcome['rejected'] = [];
  writeTx(ctx, () => {
    for (const it of input.items) {
      const result = resultJson(it.result);
      const c = { workerId: input.worker_id, leaseId: it.lease_id };
      const o = endClaim(ctx, it.id, c, (p) => completeRow(ctx, p, result), now);
      if (o.ok) done.push(o.value);
      else rejected.push({ id: it.id, code: o.code });
    }
  });
  emitItems(ctx, done);
  return { completed: done.map((d) => d.id), rejected };
}

export function fail(ctx: SqliteCtx, itemId: string, c: EndClaim & FailReport): Outcome<WorkItem, EndCode> {
  const error = c.error ?? null;
  const errorType = c.errorType ?? null;
  const fp = fingerprint(error, errorType);
  const now = ctx.clock();
  const outcome = writeTx(ctx, () => {
    const o = endClaim(
      ctx,
      itemId,
      c,
      (p) => ctx.stmts.fail.get({ id: p.id, workerId: p.workerId, leaseId: p.leaseId, now: p.now, error, errorType, fingerprint: fp }),
      now,
    );
    if (o.ok) countFailure(ctx, now, o.value.pool, o.value.status === 'poisoned');
    return o;
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

export function retryItem(ctx: SqliteCtx, itemId: string): Outcome<WorkItem, 'item-not-found' | 'item-not-retryable'> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const outcome = writeTx(ctx, (tx): Outcome<WorkItem, 'item-not-found' | 'item-not-retryable'> => {
    const row = tx
      .update(items)
      .set({ ...backToPending, key: keyAfterRetry, history: storeCompletion })
      .where(and(eq(items.id, id), inArray(items.status, ['poisoned', 'completed'])))
      .returning()
      .get();
    return changedOrWhyNot(ctx, row && toWorkItem(row), id, itemId, (status) => ({
      ok: false,
      code: 'item-not-retryable',
      detail: `work item ${itemId} is ${status}; only poisoned or completed items can be retried`,
    }));
  });
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

export function retryPool(ctx: SqliteCtx, pool: string, status: 'poisoned' | 'completed', error?: ErrorFilter): number {
  const rows = writeTx(ctx, (tx) =>
    tx
      .update(items)
      .set({ ...backToPending, key: keyAfterRetry, history: storeCompletion })
      .where(bulkWhere(pool, status, error, ctx.clock()))
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
