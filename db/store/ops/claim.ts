/**
 * claim: a worker takes up to `limit` pending items of a pool.
 *
 * - Order: highest `priority` first, push order within one (ids ascend with it): the partial
 *   index of pending items (SQLite items_pending_priority, PostgreSQL items_pending_priority).
 * - Due items first: the pool's `scheduled` items whose `run_at` has come are made `pending`
 *   (up to PROMOTE_BATCH a claim) before the claim looks, so they take their place in that order.
 * - Guard: the worker is active, the pool is not paused, and, with a claim id, nothing is held
 *   under that id yet (a retry of that claim gets back what it holds: leases.ts). Atomic: no item
 *   goes to two claimers; a claimer skips rows another claim holds locked, and neither waits.
 * - Admission: an unknown worker id is registered on the spot (so the reaper covers what it
 *   takes); a draining (`terminating`) worker gets nothing; a lost or terminated one is refused
 *   with worker-not-active and must register again.
 * - Writes: status `claimed`, the holder, a fresh lease (under the claim id when one is given),
 *   attempts + 1, `claimed_at`. A claim moves no count bucket (pending and claimed are both open).
 * - Events: item (claimed) per item, pool. Audit: none.
 *
 * The common cases are one statement (on SQLite, a pool busy here: see claimSqlite). An empty
 * poll by an active worker (the most frequent call of an idle fleet) takes no write: on SQLite two
 * reads (PROBE_SQLITE finds nothing pending or due, then the worker's status), on PostgreSQL the
 * claim statement's own answer (`workerStatus`, `pendingSeen`), one round trip.
 */
import type { WorkItem } from '@/lib/contracts';
import type { Outcome } from '../types';
import { claimKeyParams } from '../leases';
import { inClaimOrder, PROMOTE_BATCH } from '../queue';
import { writeTx, type SqliteCtx } from '../sqlite/context';
import { writeTx as pgWriteTx, type PgCtx, type PgExec } from '../pg/context';
import type { WorkItemRow } from '../pg/rows';
import { pgRows, prepared, type Dialects } from './sql';
import { ITEM_COLUMNS, itemsFrom, tellItems, type Failure } from './shape';

/** What a claim writes. With a claim id (`@claimKey`), leases start with `claimKey/` (leases.ts). */
export const CLAIM_SET: Dialects = {
  sqlite: `status = 'claimed', claimed_by = @workerId,
    lease_id = coalesce(@claimKey || '/', '') || lower(hex(randomblob(16))), attempts = attempts + 1, claimed_at = @now`,
  pg: `status = 'claimed', claimed_by = @workerId,
    lease_id = coalesce(@claimKey::text || '/', '') || replace(gen_random_uuid()::text, '-', ''), attempts = attempts + 1, claimed_at = @now`,
};

/**
 * The items `@workerId` holds in `@pool` under the claim id `@claimKey`. SQLite finds them by
 * lease range [@leaseFrom, @leaseTo) among the pool's claimed items (items_status_pool_id);
 * PostgreSQL among the worker's claimed items (items_claimed_by).
 */
const HELD_UNDER_KEY: Dialects = {
  sqlite: `status = 'claimed' AND pool = @pool AND claimed_by = @workerId AND lease_id >= @leaseFrom AND lease_id < @leaseTo`,
  pg: `status = 'claimed' AND claimed_by = @workerId AND pool = @pool AND starts_with(lease_id, @claimKey::text || '/')`,
};

/**
 * The guard of the fast path: an active worker, and with a claim id, nothing held under it yet.
 * Neither depends on the row: evaluated once per statement. PostgreSQL share-locks the worker's
 * row for the statement (as `admit` does), so a reaper marking it lost waits for the claim and
 * then releases what it took, never missing it.
 */
const ACTIVE: Dialects = {
  sqlite: `AND EXISTS (SELECT 1 FROM workers WHERE worker_id = @workerId AND status = 'active')
    AND (@claimKey IS NULL OR NOT EXISTS (SELECT 1 FROM items WHERE ${HELD_UNDER_KEY.sqlite}))`,
  pg: `AND EXISTS (SELECT 1 FROM workers WHERE worker_id = @workerId AND status = 'active' FOR SHARE)
    AND (@claimKey::text IS NULL OR NOT EXISTS (SELECT 1 FROM items WHERE ${HELD_UNDER_KEY.pg}))`,
};

/** A paused pool hands out nothing; evaluated once per statement. */
const NOT_PAUSED: Dialects = {
  sqlite: `AND NOT EXISTS (SELECT 1 FROM pool_settings WHERE pool = @pool AND paused = 1)`,
  pg: `AND NOT EXISTS (SELECT 1 FROM pool_settings WHERE pool = @pool AND paused)`,
};

/** The pool's due scheduled items, oldest `run_at` first. */
const DUE = `SELECT id FROM items WHERE status = 'scheduled' AND pool = @pool AND run_at <= @now ORDER BY run_at LIMIT ${PROMOTE_BATCH}`;

/**
 * SQLite's claim, with (`active`) or without the fast path's guard. `one`: exactly the first
 * pending item (the usual claim); `id = (…)` keeps the subquery's answer in a register where
 * `id IN (…)` builds a temporary b-tree for it, ~40,000 more instructions a claim (callgrind).
 * CAST: SQLite recompiles a statement after a rebinding of any parameter whose value may steer
 * the plan (sqlite3_prepare_v2 docs), and a bare LIMIT parameter is one: every claim recompiled
 * the UPDATE and its triggers, ~50 µs. Behind the CAST the planner does not look at the value.
 */
const claimSqliteText = (count: 'one' | 'many', active: boolean, noneDue = false) => `UPDATE items SET ${CLAIM_SET.sqlite}
  WHERE id ${count === 'one' ? '=' : 'IN'} (SELECT id FROM items WHERE pool = @pool AND status = 'pending'
    ${NOT_PAUSED.sqlite} ${active ? ACTIVE.sqlite : ''} ${noneDue ? NONE_DUE_SQLITE : ''}
    ORDER BY priority DESC, id LIMIT ${count === 'one' ? '1' : 'CAST(@limit AS INTEGER)'})
  RETURNING ${ITEM_COLUMNS.sqlite}`;

/** The busy path's guard: no due scheduled item waits to be made pending first (evaluated once). */
const NONE_DUE_SQLITE = `AND NOT EXISTS (SELECT 1 FROM items WHERE status = 'scheduled' AND pool = @pool AND run_at <= @now)`;

/**
 * What a SQLite claim looks at first, in one read that takes no write lock: whether the pool has
 * pending items, or due ones. With neither, the claim takes no write lock at all: an idle poll.
 */
const PROBE_SQLITE = `SELECT EXISTS (SELECT 1 FROM items WHERE pool = @pool AND status = 'pending') AS pending,
  EXISTS (SELECT 1 FROM items WHERE status = 'scheduled' AND pool = @pool AND run_at <= @now) AS due`;

const PROMOTE_SQLITE = `UPDATE items SET status = 'pending' WHERE id IN (${DUE}) RETURNING id`;

/**
 * PostgreSQL's claim, one statement. `due` makes the pool's due scheduled items pending. The claim
 * beside it reads the snapshot the statement began with, where they are still scheduled, so it
 * could take younger items before them: while any is due (`held`), it claims nothing, and the
 * caller runs the statement again, which then sees them pending. With no delays in use, each is
 * one probe of the empty items_scheduled_run_at index.
 *
 * The guard is the locking subquery's: FOR UPDATE re-checks `status = 'pending'` against the
 * newest version of each row it locks and skips one that no longer matches, and the rows stay
 * locked until the UPDATE commits. The UPDATE matches by id alone, so it finds them by primary
 * key: with `status = 'pending'` there too, the planner may pick the pending index instead and,
 * before statistics exist (a table just filled), walk every pending item of the pool for each
 * claim (measured: 7,900 buffers for a claim of 100 from 20,000). `= ANY(ARRAY(subquery))` runs
 * the subquery once, as an InitPlan: `IN (subquery)` may run it again per outer row, and a
 * locking subquery with LIMIT would then pick more rows than the limit.
 *
 * One row at least comes back, for the flags (with nothing claimed, its item columns are null).
 * An empty poll is told apart with no second query: the worker active and nothing pending in the
 * statement's snapshot (`workerStatus`, `pendingSeen`). Both are the snapshot's: when pending items
 * were there and none was claimed (other claimers took them, or the worker stopped being active
 * while the claim waited for its row), the status is read again. (Reading it FOR SHARE instead
 * would lock the worker's row on every poll: a write, and a commit that waits for the WAL flush.)
 */
const claimPgText = (active: boolean) => `WITH held AS MATERIALIZED (
    SELECT EXISTS (SELECT 1 FROM items WHERE pool = @pool AND status = 'scheduled' AND run_at <= @now) AS due),
  due AS (
    UPDATE items SET status = 'pending' WHERE id = ANY(ARRAY(${DUE} FOR UPDATE SKIP LOCKED))
    RETURNING id),
  claimed AS (
    UPDATE items SET ${CLAIM_SET.pg}
    WHERE id = ANY(ARRAY(
      SELECT id FROM items WHERE pool = @pool AND status = 'pending' AND NOT (SELECT due FROM held)
        ${NOT_PAUSED.pg} ${active ? ACTIVE.pg : ''}
      ORDER BY priority DESC NULLS LAST, id LIMIT @limit FOR UPDATE SKIP LOCKED))
    RETURNING ${ITEM_COLUMNS.pg})
  SELECT claimed.*, (SELECT count(*)::int FROM due) AS promoted, held.due AS held,
    (SELECT status FROM workers WHERE worker_id = @workerId) AS "workerStatus",
    EXISTS (SELECT 1 FROM items WHERE pool = @pool AND status = 'pending') ${NOT_PAUSED.pg} AS "pendingSeen"
  FROM held LEFT JOIN claimed ON true`;

/** The claim statements, built once: the fast path's (`active`) and the admitted worker's. */
export const CLAIM = {
  sqlite: {
    active: { one: claimSqliteText('one', true), many: claimSqliteText('many', true) },
    busy: { one: claimSqliteText('one', true, true), many: claimSqliteText('many', true, true) },
    admitted: { one: claimSqliteText('one', false), many: claimSqliteText('many', false) },
  },
  pg: { active: claimPgText(true), admitted: claimPgText(false) },
};

const HELD_UNDER_KEY_ROWS: Dialects = {
  sqlite: `SELECT ${ITEM_COLUMNS.sqlite} FROM items WHERE ${HELD_UNDER_KEY.sqlite} ORDER BY id`,
  pg: `SELECT ${ITEM_COLUMNS.pg} FROM items WHERE ${HELD_UNDER_KEY.pg} ORDER BY id`,
};

/** A worker's status; PostgreSQL share-locks the row until the transaction ends. */
const WORKER_STATUS: Dialects = {
  sqlite: `SELECT status FROM workers WHERE worker_id = @workerId`,
  pg: `SELECT status FROM workers WHERE worker_id = @workerId FOR SHARE`,
};

/** The worker's status as committed now (a statement of its own: a snapshot of its own). The same in both dialects. */
const WORKER_STATUS_NOW = `SELECT status FROM workers WHERE worker_id = @workerId`;

/** The registration a claim by an unknown worker id makes. The same in both dialects. */
const REGISTER_ON_CLAIM = `INSERT INTO workers (worker_id, status, last_heartbeat, started_at)
  VALUES (@workerId, 'active', @now, @now) ON CONFLICT DO NOTHING`;

export type Admission = 'ok' | 'draining' | 'refused';

const admission = (status: string): Admission => (status === 'active' ? 'ok' : status === 'terminating' ? 'draining' : 'refused');

/** May this worker claim? Registers an unknown id. Inside the caller's (write) transaction. */
export function admitSqlite(ctx: SqliteCtx, workerId: string, now: number): Admission {
  const status = prepared<object, { status: string }>(ctx, WORKER_STATUS.sqlite).get({ workerId });
  if (status) return admission(status.status);
  prepared(ctx, REGISTER_ON_CLAIM).run({ workerId, now });
  return 'ok';
}

/** As admitSqlite; the worker's row stays share-locked until the caller's transaction ends. */
export async function admitPg(tx: PgExec, workerId: string, now: number): Promise<Admission> {
  let [w] = await pgRows<{ status: string }>(tx, WORKER_STATUS.pg, { workerId });
  if (!w) {
    await pgRows(tx, REGISTER_ON_CLAIM, { workerId, now });
    [w] = await pgRows<{ status: string }>(tx, WORKER_STATUS.pg, { workerId });
  }
  return admission(w!.status);
}

export const refused = (workerId: string): Failure<'worker-not-active'> => ({
  ok: false,
  code: 'worker-not-active',
  detail: `worker ${workerId} is lost or terminated; register it again before claiming`,
});

/** Hands out what was claimed in claim order (RETURNING order is unspecified), and tells it. */
function claimed(ctx: { emit: SqliteCtx['emit'] }, items: WorkItem[]): Outcome<WorkItem[], 'worker-not-active'> {
  if (items.length > 1) items.sort(inClaimOrder);
  tellItems(ctx.emit, items);
  return { ok: true, value: items };
}

// --- SQLite ---------------------------------------------------------------------------------

export function claimSqlite(
  ctx: SqliteCtx,
  pool: string,
  workerId: string,
  limit: number,
  claimId?: string | null,
): Outcome<WorkItem[], 'worker-not-active'> {
  const now = ctx.clock();
  const count = limit === 1 ? 'one' : 'many';
  const params = { pool, workerId, limit, now, ...claimKeyParams(claimId) };
  // A pool whose last claim here took items most likely has more: the claim runs at once, in one
  // statement, guarded to claim nothing while a due item waits. When it takes nothing, the pool
  // is no longer busy and the claim goes the whole way below, which then says why (or takes
  // them). The probe's read transaction was a tenth of a busy claim's time; an idle pool keeps it,
  // and with it an empty poll that takes no write lock.
  if (ctx.busyPools.has(pool)) {
    const rows = prepared<object, unknown[]>(ctx, CLAIM.sqlite.busy[count], true).all(params);
    if (rows.length > 0) return claimed(ctx, itemsFrom.sqlite(rows));
    ctx.busyPools.delete(pool);
  }
  const outcome = claimAfterProbe(ctx, pool, workerId, now, count, params);
  if (outcome.ok && outcome.value.length > 0 && ctx.busyPools.size < BUSY_POOLS_MAX) ctx.busyPools.add(pool);
  return outcome;
}

/** Most pools remembered as busy; past it, the others are probed first as idle ones are. */
const BUSY_POOLS_MAX = 1_000;

/** The claim that first reads whether the pool has pending or due items (PROBE_SQLITE). */
function claimAfterProbe(
  ctx: SqliteCtx,
  pool: string,
  workerId: string,
  now: number,
  count: 'one' | 'many',
  params: { pool: string; workerId: string; limit: number; now: number; claimKey: string | null },
): Outcome<WorkItem[], 'worker-not-active'> {
  const probe = prepared<object, { pending: number; due: number }>(ctx, PROBE_SQLITE).get(params)!;
  if (probe.due) {
    // Its own autocommit write: a pool without delays never pays for it.
    const promoted = prepared<object, { id: number }>(ctx, PROMOTE_SQLITE).all(params);
    tellItems(ctx.emit, promoted.map(({ id }) => ({ id, pool, status: 'pending' as const })));
  }
  // The fast path: an active worker's claim, one statement (its guard checks the worker).
  let rows = probe.pending || probe.due ? prepared<object, unknown[]>(ctx, CLAIM.sqlite.active[count], true).all(params) : [];
  // A retry of a claim id that already took items gets them back, whatever the worker's status now.
  if (rows.length === 0 && params.claimKey !== null) rows = prepared<object, unknown[]>(ctx, HELD_UNDER_KEY_ROWS.sqlite, true).all(params);
  if (rows.length > 0) return claimed(ctx, itemsFrom.sqlite(rows));
  // Nothing claimed: an active worker's empty poll (told by reads alone, no write lock taken when
  // nothing was pending), or a worker that is not active.
  if (prepared<object, { status: string }>(ctx, WORKER_STATUS.sqlite).get({ workerId })?.status === 'active') return claimed(ctx, []);
  // Unknown, draining, lost or terminated: the transaction that admits, registers or refuses.
  const result = writeTx(ctx, () => {
    const a = admitSqlite(ctx, workerId, now);
    return a === 'ok' ? prepared<object, unknown[]>(ctx, CLAIM.sqlite.admitted[count], true).all(params) : a;
  });
  if (result === 'refused') return refused(workerId);
  if (result === 'draining') return { ok: true, value: [] };
  return claimed(ctx, itemsFrom.sqlite(result));
}

// --- PostgreSQL -----------------------------------------------------------------------------

type ClaimRow = WorkItemRow & { promoted: number; held: boolean; workerStatus: string | null; pendingSeen: boolean };

/**
 * Runs the claim; while due items held it back (made pending by this statement or by a
 * concurrent one), runs it again, which then sees them pending: twice more at most, then as if
 * nothing were due.
 */
async function claimRowsPg(db: PgExec, text: string, params: Record<string, unknown>) {
  let rows: ClaimRow[] = [];
  let promoted = 0;
  for (let tries = 0, held = true; held && tries < 3; tries++) {
    rows = await pgRows<ClaimRow>(db, text, params);
    held = rows[0]?.held ?? false;
    promoted += rows[0]?.promoted ?? 0;
  }
  const flags = rows[0];
  return { items: rows.filter((r) => r.id !== null), idle: flags?.workerStatus === 'active' && !flags.pendingSeen, promoted };
}

export async function claimPg(
  ctx: PgCtx,
  pool: string,
  workerId: string,
  limit: number,
  claimId: string | null = null,
): Promise<Outcome<WorkItem[], 'worker-not-active'>> {
  const now = ctx.clock();
  const params = { workerId, now, pool, limit, claimKey: claimId || null };
  const fast = await claimRowsPg(ctx.db, CLAIM.pg.active, params);
  if (fast.promoted) ctx.emit({ type: 'pool', name: pool });
  let rows: WorkItemRow[] = fast.items;
  if (rows.length === 0 && params.claimKey) rows = await pgRows<WorkItemRow>(ctx.db, HELD_UNDER_KEY_ROWS.pg, params);
  if (rows.length > 0 || fast.idle) return claimed(ctx, itemsFrom.pg(rows));
  const [current] = await pgRows<{ status: string }>(ctx.db, WORKER_STATUS_NOW, { workerId });
  if (current?.status === 'active') return claimed(ctx, []);
  // Unknown, draining, lost or terminated: the transaction that admits, registers or refuses.
  const result = await pgWriteTx(ctx, async (tx) => {
    const a = await admitPg(tx, workerId, now);
    return a === 'ok' ? claimRowsPg(tx, CLAIM.pg.admitted, params) : a;
  });
  if (result === 'refused') return refused(workerId);
  if (result === 'draining') return { ok: true, value: [] };
  if (result.promoted) ctx.emit({ type: 'pool', name: pool });
  return claimed(ctx, itemsFrom.pg(result.items));
}
