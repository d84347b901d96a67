import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { MAX_RETRIES_DEFAULT, type CompleteManyBody, type NewItem, type Pushed, type WorkItem } from '@/lib/contracts';
import { items, poolSettings, workers } from '@/db/schema/pg';
import { backoffSql, inClaimOrder, KEY_HOLDING, pushedStatus, runAtOf } from '../queue';
import { backToPending, parseItemId, whyNotEnded } from '../ids';
import { fingerprint } from '../fingerprint';
import type { CompletedManyOutcome, EndClaim, ErrorFilter, FailReport, FailureCode, Outcome } from '../types';
import { appendAttempt, exhausted, freshLease, jsonb, writeTx, inLocked, type PgCtx, type PgExec, type PgTx } from './context';
import { toWorkItem, type WorkItemRow } from './rows';
import { completeHeldMany, endStates, type BatchEnd } from './complete-many';
import { claimActive, completeHeld, heldUnderKey, workerStatusOf } from './statements';
import { bulkWhere } from './operator';

type EndCode = 'item-not-found' | 'item-not-claimed' | 'not-claim-holder' | 'stale-lease';

/** A retried completed item no longer holds its key: completion released it, and a newer item may hold it now. */
const keyAfterRetry = sql`CASE WHEN ${items.status} = 'completed' THEN NULL ELSE ${items.key} END`;

const notFound = (id: string) => ({ ok: false as const, code: 'item-not-found' as const, detail: `work item ${id} not found` });

/**
 * One multi-row INSERT: the identity hands out ids in row order, so push order is claim order.
 * An item whose key a live item of the pool holds is skipped (ON CONFLICT on items_pool_key) and
 * answered with that item; so is a key's repeat within the batch, with the batch's first.
 */
export async function push(ctx: PgCtx, pool: string, batch: NewItem[]): Promise<Pushed> {
  const now = ctx.clock();
  const rows = await ctx.db
    .insert(items)
    .values(
      batch.map((item) => {
        const runAt = runAtOf(item, now);
        const backoff = item.backoff ?? null; // an item's `none` overrides its pool's policy
        return {
          pool,
          data: jsonb(item.data),
          status: pushedStatus(runAt, now),
          maxRetries:
            item.max_retries ??
            sql`coalesce((SELECT ${poolSettings.maxRetries} FROM ${poolSettings} WHERE ${poolSettings.pool} = ${pool}), ${MAX_RETRIES_DEFAULT})`,
          createdAt: now,
          priority: item.priority ?? 0,
          runAt,
          key: item.key ?? null,
          backoff: backoff && jsonb(backoff),
        };
      }),
    )
    .onConflictDoNothing()
    .returning({ id: items.id, key: items.key });
  // RETURNING order of a multi-row INSERT is not promised: ids ascend in input order. The rows
  // made are the items without a key and the first of each key not held already.
  const made = rows.map((r) => r.id).sort((x, y) => x - y);
  const madeKeys = new Set(rows.map((r) => r.key));
  const ids: (string | null)[] = [];
  const created: boolean[] = [];
  let next = 0;
  for (const item of batch) {
    const isNew = item.key === undefined || madeKeys.delete(item.key);
    ids.push(isNew ? String(made[next++]) : null);
    created.push(isNew);
  }
  const skipped = batch.flatMap((item, i) => (ids[i] === null ? [item.key!] : []));
  if (skipped.length) {
    const held = await ctx.db
      .select({ id: items.id, key: items.key })
      .from(items)
      .where(and(eq(items.pool, pool), inArray(items.key, skipped), sql`${items.status} IN ${sql.raw(KEY_HOLDING)}`));
    const holder = new Map(held.map((h) => [h.key!, String(h.id)]));
    // A key whose item completed between the INSERT and this read is free again: push those anew.
    const free = batch.filter((item, i) => ids[i] === null && !holder.has(item.key!));
    const again = free.length ? await push(ctx, pool, free) : { ids: [], created: [] };
    let j = 0;
    batch.forEach((item, i) => {
      if (ids[i] !== null) return;
      const id = holder.get(item.key!);
      if (id !== undefined) ids[i] = id;
      else [ids[i], created[i]] = [again.ids[j]!, again.created[j++]!];
    });
  }
  if (rows.length) ctx.emit({ type: 'pool', name: pool });
  return { ids: ids as string[], created };
}

type Admission = 'ok' | 'draining' | 'refused';

/**
 * May this worker claim? An unknown id is registered on the spot (so the reaper covers what it
 * takes); a draining worker gets nothing; a lost or terminated one must register again. The row
 * is share-locked until the claim commits, so a reaper (or a status change) that marks the worker
 * lost waits for the claim and then releases what it took, never missing it.
 */
async function admit(tx: PgTx, workerId: string, now: number): Promise<Admission> {
  const lockWorker = () =>
    tx.select({ status: workers.status }).from(workers).where(eq(workers.workerId, workerId)).for('share');
  let [w] = await lockWorker();
  if (!w) {
    await tx.insert(workers).values({ workerId, status: 'active', lastHeartbeat: now, startedAt: now }).onConflictDoNothing();
    [w] = await lockWorker();
  }
  return w!.status === 'active' ? 'ok' : w!.status === 'terminating' ? 'draining' : 'refused';
}

async function isPaused(db: PgExec, pool: string): Promise<boolean> {
  const [row] = await db.select({ paused: poolSettings.paused }).from(poolSettings).where(eq(poolSettings.pool, pool));
  return row?.paused ?? false;
}

const refused = (workerId: string) => ({
  ok: false as const,
  code: 'worker-not-active' as const,
  detail: `worker ${workerId} is lost or terminated; register it again before claiming`,
});

function emitItems(ctx: PgCtx, changed: WorkItem[]) {
  for (const it of changed) ctx.emit({ type: 'item', id: it.id, pool: it.pool, status: it.status });
  for (const pool of new Set(changed.map((it) => it.pool))) ctx.emit({ type: 'pool', name: pool });
}

const claimSet = (workerId: string, now: number, claimId: string | null = null) => ({
  status: 'claimed',
  claimedBy: workerId,
  // Under a claim id, as CLAIM_ACTIVE makes them (statements.ts, leases.ts).
  leaseId: claimId === null ? freshLease : sql`${`${claimId}/`}::text || ${freshLease}`,
  attempts: sql`${items.attempts} + 1`,
  claimedAt: now,
});

/** A pool's first pending items in claim order, locked, skipping rows another claimer holds locked right now. */
const oldestPending = (db: PgExec, pool: string, limit: number) =>
  db
    .select({ id: items.id })
    .from(items)
    .where(and(eq(items.pool, pool), eq(items.status, 'pending')))
    .orderBy(sql`${items.priority} DESC NULLS LAST`, asc(items.id))
    .limit(limit)
    .for('update', { skipLocked: true });

/**
 * One statement claims: the oldest pending rows of the pool are locked, skipping rows another
 * claimer holds locked right now, and updated. Two claimers never get one item, and neither
 * waits for the other; either may get fewer than `limit` while the other's claim is in flight.
 *
 * An active worker's claim is that one statement alone (one round trip, one commit, prepared:
 * statements.ts), with the worker's row share-locked inside it as `admit` does. Anything else
 * (unknown, draining, lost, terminated, or nothing pending) takes the transaction with `admit`.
 */
export async function claim(
  ctx: PgCtx,
  pool: string,
  workerId: string,
  limit: number,
  claimId: string | null = null,
): Promise<Outcome<WorkItem[], 'worker-not-active'>> {
  const now = ctx.clock();
  const params = { workerId, now, pool, limit, claimId: claimId || null };
  let rows: WorkItemRow[] = [];
  // Due items held the claim back while they were made pending (by this statement, or by a
  // concurrent one): claim again, now that they are. Twice more at most; then as if nothing were due.
  for (let tries = 0, held = true; held && tries < 3; tries++) {
    const r = await claimActive(ctx.pool, params);
    rows = r.rows;
    held = r.held;
    if (r.promoted > 0) ctx.emit({ type: 'pool', name: pool });
  }
  // Nothing claimed: a retry of a claim id that took items gets them back; an active worker's empty
  // poll (the common case) is told by one read, no transaction; anything else takes the slow path.
  if (rows.length === 0 && claimId) rows = await heldUnderKey(ctx.pool, { workerId, pool, claimId });
  if (rows.length === 0 && (await workerStatusOf(ctx.pool, workerId)) === 'active') return { ok: true, value: [] };
  if (rows.length === 0) {
    const result = await writeTx(ctx, async (tx) => {
      const admission = await admit(tx, workerId, now);
      if (admission !== 'ok') return admission;
      if (await isPaused(tx, pool)) return [];
      return tx
        .update(items)
        .set(claimSet(workerId, now, claimId || null))
        .where(and(inLocked(items.id, oldestPending(tx, pool, limit)), eq(items.status, 'pending')))
        .returning();
    });
    if (result === 'refused') return refused(workerId);
    if (result === 'draining') return { ok: true, value: [] };
    rows = result;
  }
  // RETURNING order is unspecified: hand items out in claim order.
  const claimed = rows.map(toWorkItem).sort(inClaimOrder);
  emitItems(ctx, claimed);
  return { ok: true, value: claimed };
}

export async function claimItem(
  ctx: PgCtx,
  itemId: string,
  workerId: string,
): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-pending' | 'worker-not-active' | 'pool-paused'>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  let pool = '';
  const result = await writeTx(ctx, async (tx) => {
    const [found] = await tx.select({ status: items.status, pool: items.pool }).from(items).where(eq(items.id, id));
    if (!found) return 'not-found' as const;
    if (found.status !== 'pending') return 'not-pending' as const;
    pool = found.pool;
    if (await isPaused(tx, pool)) return 'paused' as const;
    const admission = await admit(tx, workerId, now);
    if (admission !== 'ok') return admission;
    const [row] = await tx
      .update(items)
      .set(claimSet(workerId, now))
      .where(and(eq(items.id, id), eq(items.status, 'pending')))
      .returning();
    return row;
  });
  if (result === 'not-found') return notFound(itemId);
  if (result === 'refused') return refused(workerId);
  if (result === 'paused') return { ok: false, code: 'pool-paused', detail: `pool ${pool} is paused; resume it to hand out its items` };
  if (result === 'not-pending' || result === 'draining' || result === undefined) {
    return result === 'draining'
      ? { ok: false, code: 'worker-not-active', detail: `worker ${workerId} is terminating and takes no new work` }
      : { ok: false, code: 'item-not-pending', detail: `work item ${itemId} is not pending` };
  }
  const item = toWorkItem(result);
  emitItems(ctx, [item]);
  return { ok: true, value: item };
}

/** Why a guarded end-of-claim changed nothing. */
async function diagnose(db: PgExec, id: number, itemId: string, claimRef: EndClaim): Promise<{ ok: false; code: EndCode; detail: string }> {
  const [row] = await db.select({ status: items.status, claimedBy: items.claimedBy }).from(items).where(eq(items.id, id));
  return whyNotEnded(row, itemId, claimRef);
}

function holderGuard(id: number, claimRef: EndClaim) {
  const guard = [eq(items.id, id), eq(items.status, 'claimed'), eq(items.claimedBy, claimRef.workerId)];
  if (claimRef.leaseId != null) guard.push(eq(items.leaseId, claimRef.leaseId));
  return and(...guard);
}

/**
 * One guarded UPDATE (the prepared one of statements.ts); no transaction needed, the diagnosis
 * of a refusal only reads.
 */
export async function complete(ctx: PgCtx, itemId: string, c: EndClaim & { result?: unknown }): Promise<Outcome<WorkItem, EndCode>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const result = c.result === undefined ? null : JSON.stringify(c.result);
  const row = await completeHeld(ctx.pool, { id, workerId: c.workerId, leaseId: c.leaseId ?? null, now: ctx.clock(), result });
  if (!row) return diagnose(ctx.db, id, itemId, c);
  const item = toWorkItem(row);
  emitItems(ctx, [item]);
  return { ok: true, value: item };
}

/**
 * The batch is one statement (complete-many.ts): one round trip and one commit however many
 * items it names. Items it could not complete are then diagnosed with one read, as `complete`
 * diagnoses one; an id named twice is completed once, its repeat rejected as a completion of an
 * item no longer claimed, as if the items had been completed one after another.
 */
export async function completeMany(ctx: PgCtx, input: CompleteManyBody): Promise<CompletedManyOutcome> {
  const firsts = new Map<number, BatchEnd>();
  for (const it of input.items) {
    const id = parseItemId(it.id);
    if (id !== null && !firsts.has(id)) firsts.set(id, { id, leaseId: it.lease_id ?? null, result: it.result });
  }
  const rows = firsts.size ? await completeHeldMany(ctx.pool, input.worker_id, ctx.clock(), [...firsts.values()]) : [];
  const poolOf = new Map(rows.map((row) => [row.id, row.pool]));
  const refused = input.items.map((it) => parseItemId(it.id)).filter((id): id is number => id !== null && !poolOf.has(id));
  const states = refused.length ? await endStates(ctx.pool, refused) : new Map<number, { status: string; claimedBy: string | null }>();
  const done: { id: string; pool: string }[] = [];
  const rejected: CompletedManyOutcome['rejected'] = [];
  const counted = new Set<number>();
  for (const it of input.items) {
    const id = parseItemId(it.id);
    const pool = id === null || counted.has(id) ? undefined : poolOf.get(id);
    if (pool !== undefined) {
      counted.add(id!);
      done.push({ id: it.id, pool });
      continue;
    }
    // A repeat of an id completed above: by now that item is completed, not claimed.
    const state = id === null ? undefined : counted.has(id) ? { status: 'completed', claimedBy: input.worker_id } : states.get(id);
    const o = whyNotEnded(state, it.id, { workerId: input.worker_id, leaseId: it.lease_id });
    rejected.push({ id: it.id, code: o.code });
  }
  for (const d of done) ctx.emit({ type: 'item', id: d.id, pool: d.pool, status: 'completed' });
  for (const pool of new Set(done.map((d) => d.pool))) ctx.emit({ type: 'pool', name: pool });
  return { completed: done.map((d) => d.id), rejected };
}

export async function fail(ctx: PgCtx, itemId: string, c: EndClaim & FailReport): Promise<Outcome<WorkItem, EndCode>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const now = ctx.clock();
  const error = c.error ?? null;
  const errorType = c.errorType ?? null;
  const [row] = await ctx.db
    .update(items)
    .set({
      status: sql`CASE WHEN ${exhausted} THEN 'poisoned' WHEN ${sql.raw(backoffSql.pg.applies)} THEN 'scheduled' ELSE 'pending' END`,
      runAt: sql`CASE WHEN ${exhausted} OR NOT ${sql.raw(backoffSql.pg.applies)} THEN ${items.runAt} ELSE ${now}::bigint + ${sql.raw(backoffSql.pg.delayMs)} END`,
      // A poisoned item keeps who held it last; a pending (or scheduled: backoff) one is free for anyone.
      claimedBy: sql`CASE WHEN ${exhausted} THEN ${items.claimedBy} ELSE NULL END`,
      claimedAt: sql`CASE WHEN ${exhausted} THEN ${items.claimedAt} ELSE NULL END`,
      leaseId: null,
      lastError: error,
      lastErrorType: errorType,
      errorFingerprint: fingerprint(error, errorType),
      history: appendAttempt(now, 'failed', error, errorType),
    })
    .where(holderGuard(id, c))
    .returning();
  const outcome: Outcome<WorkItem, EndCode> = row ? { ok: true, value: toWorkItem(row) } : await diagnose(ctx.db, id, itemId, c);
  if (outcome.ok) emitItems(ctx, [outcome.value]);
  return outcome;
}

export async function retryItem(ctx: PgCtx, itemId: string): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-retryable'>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const [row] = await ctx.db
    .update(items)
    .set({ ...backToPending, key: keyAfterRetry })
    .where(and(eq(items.id, id), inArray(items.status, ['poisoned', 'completed'])))
    .returning();
  return changedOrWhyNot(ctx, row, id, itemId, (status) => ({
    ok: false,
    code: 'item-not-retryable',
    detail: `work item ${itemId} is ${status}; only poisoned or completed items can be retried`,
  }));
}

/**
 * The outcome of a guarded UPDATE of one item: the item as changed (and told), or, when the guard
 * matched nothing, why: `refusal` of its status as it is now, or not found.
 */
async function changedOrWhyNot<C extends FailureCode>(
  ctx: PgCtx,
  row: Parameters<typeof toWorkItem>[0] | undefined,
  id: number,
  itemId: string,
  refusal: (status: string) => { ok: false; code: C; detail: string },
): Promise<Outcome<WorkItem, C | 'item-not-found'>> {
  if (row) {
    const item = toWorkItem(row);
    emitItems(ctx, [item]);
    return { ok: true, value: item };
  }
  const [found] = await ctx.db.select({ status: items.status }).from(items).where(eq(items.id, id));
  return found ? refusal(found.status) : notFound(itemId);
}

export async function retryPool(ctx: PgCtx, pool: string, status: 'poisoned' | 'completed', error?: ErrorFilter): Promise<number> {
  const locked = ctx.db.select({ id: items.id }).from(items).where(bulkWhere(pool, status, error, ctx.clock())).orderBy(asc(items.id)).for('update');
  const rows = await ctx.db
    .update(items)
    .set({ ...backToPending, key: keyAfterRetry })
    .where(and(inLocked(items.id, locked), bulkWhere(pool, status, error, ctx.clock())))
    .returning({ id: items.id });
  if (rows.length) ctx.emit({ type: 'pool', name: pool });
  return rows.length;
}

export async function deleteItem(ctx: PgCtx, itemId: string): Promise<Outcome<null, 'item-not-found'>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const [row] = await ctx.db.delete(items).where(eq(items.id, id)).returning({ pool: items.pool });
  if (!row) return notFound(itemId);
  ctx.emit({ type: 'item', id: itemId, pool: row.pool, status: 'deleted' });
  ctx.emit({ type: 'pool', name: row.pool });
  return { ok: true, value: null };
}

/** A scheduled item made pending now, claimable by the next claim in its priority and push order. */
export async function runItem(ctx: PgCtx, itemId: string): Promise<Outcome<WorkItem, 'item-not-found' | 'item-not-scheduled'>> {
  const id = parseItemId(itemId);
  if (id === null) return notFound(itemId);
  const [row] = await ctx.db
    .update(items)
    .set({ status: 'pending', runAt: ctx.clock() })
    .where(and(eq(items.id, id), eq(items.status, 'scheduled')))
    .returning();
  return changedOrWhyNot(ctx, row, id, itemId, (status) => ({
    ok: false,
    code: 'item-not-scheduled',
    detail: `work item ${itemId} is ${status}; only a scheduled item can be run now`,
  }));
}

/** Milliseconds until the pool's next scheduled item is due (0: due now), or null when none is scheduled. */
export async function nextDue(ctx: PgCtx, pool: string): Promise<number | null> {
  const [row] = await ctx.db
    .select({ at: sql<string | null>`min(${items.runAt})` })
    .from(items)
    .where(and(eq(items.pool, pool), eq(items.status, 'scheduled')));
  return row?.at == null ? null : Math.max(0, Number(row.at) - ctx.clock());
}
