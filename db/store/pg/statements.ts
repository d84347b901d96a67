import pg from 'pg';
import { PROMOTE_BATCH } from '../queue';
import type { WorkItemRow } from './rows';

/**
 * The hot path (an active worker's claim, a completion) as fixed SQL run as named prepared
 * statements. Drizzle builds every query anew: a claim cost ~1.2 ms of CPU in the hub against
 * ~0.3 ms for the same statement sent as text (measured, 2,000 claims), most of it building SQL.
 * The text follows what items.ts builds with Drizzle for the same writes (claimSet, holderGuard,
 * appendAttempt in context.ts); the store contract suite runs both paths.
 */

/** As the row mappers read them (rows.ts), `history` left out: a WorkItem does not show it. */
export const ITEM_COLUMNS = `id, pool, data, status, claimed_by AS "claimedBy", lease_id AS "leaseId", attempts,
  max_retries AS "maxRetries", created_at AS "createdAt", claimed_at AS "claimedAt",
  completed_at AS "completedAt", result, last_error AS "lastError", priority, run_at AS "runAt", key,
  last_error_type AS "lastErrorType"`;

/** bigint columns (ids, times) as numbers, as the Drizzle schema reads them (mode 'number'). */
export const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * The items worker $1 holds in pool $3 from the claim id $5 (leases.ts); items_claimed_by finds
 * the worker's claimed items, which are few.
 */
const heldUnder = (claimId: string) => `status = 'claimed' AND claimed_by = $1 AND pool = $3 AND starts_with(lease_id, ${claimId}::text || '/')`;

// With a claim id ($5), leases start with `$5/`, and the claim takes nothing while items are
// held under that id: a retry then takes the slow path, which returns them (items.ts).
// `due` makes the pool's due scheduled items pending. The claim beside it reads the snapshot the
// statement began with, where they are still scheduled, so it could take younger items before
// them: while any is due (`held`), it claims nothing, and the caller runs the statement again,
// which then sees them pending (items.ts). With no delays in use, each is one probe of the empty
// items_scheduled_run_at index.
const CLAIM_ACTIVE = `WITH held AS MATERIALIZED (
    SELECT EXISTS (SELECT 1 FROM items WHERE pool = $3 AND status = 'scheduled' AND run_at <= $2) AS due),
  due AS (
    UPDATE items SET status = 'pending' WHERE id = ANY(ARRAY(
      SELECT id FROM items WHERE pool = $3 AND status = 'scheduled' AND run_at <= $2
      ORDER BY run_at LIMIT ${PROMOTE_BATCH} FOR UPDATE SKIP LOCKED))
    RETURNING id),
  claimed AS (
    UPDATE items SET status = 'claimed', claimed_by = $1,
      lease_id = coalesce($5::text || '/', '') || replace(gen_random_uuid()::text, '-', ''),
      attempts = attempts + 1, claimed_at = $2
    WHERE id = ANY(ARRAY(
      SELECT id FROM items WHERE pool = $3 AND status = 'pending' AND NOT (SELECT due FROM held)
        AND EXISTS (SELECT 1 FROM workers WHERE worker_id = $1 AND status = 'active' FOR SHARE)
        AND NOT EXISTS (SELECT 1 FROM pool_settings WHERE pool = $3 AND paused)
        AND ($5::text IS NULL OR NOT EXISTS (SELECT 1 FROM items WHERE ${heldUnder('$5')}))
      ORDER BY priority DESC NULLS LAST, id LIMIT $4 FOR UPDATE SKIP LOCKED))
    RETURNING ${ITEM_COLUMNS})
  SELECT claimed.*, (SELECT count(*)::int FROM due) AS promoted, held.due AS held
  FROM held LEFT JOIN claimed ON true`;

const COMPLETE = `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = $4, result = $5::jsonb,
    history = history || jsonb_build_array(jsonb_build_object('attempt', attempts, 'worker_id', claimed_by,
      'claimed_at', claimed_at, 'ended_at', $4::bigint, 'outcome', 'completed'::text, 'error', NULL::text))
  WHERE id = $1 AND status = 'claimed' AND claimed_by = $2 AND ($3::text IS NULL OR lease_id = $3)
  RETURNING ${ITEM_COLUMNS}`;

/**
 * Claims up to `limit` of a pool's pending items, in claim order (priority, then push order), for
 * a worker that is active and a pool not paused, its row
 * share-locked for the statement (as `admit` in items.ts locks it); nothing for anyone else.
 *
 * The guard is the locking subquery's: FOR UPDATE re-checks `status = 'pending'` against the
 * newest version of each row it locks and skips one that no longer matches, and the rows stay
 * locked until the UPDATE commits. The UPDATE itself matches by id alone, so it finds them by
 * primary key: with `status = 'pending'` there too, the planner may pick the pending partial
 * index instead and, before statistics exist (a table just filled), walk every pending item of
 * the pool for each claim (measured: 7,900 buffers for a claim of 100 from 20,000).
 */
export async function claimActive(
  pool: pg.Pool,
  p: { workerId: string; now: number; pool: string; limit: number; claimId: string | null },
): Promise<{ rows: WorkItemRow[]; promoted: number; held: boolean }> {
  const r = await pool.query<WorkItemRow & { promoted: number; held: boolean }>({
    name: 'hub_claim_active',
    text: CLAIM_ACTIVE,
    values: [p.workerId, p.now, p.pool, p.limit, p.claimId],
    types,
  });
  // One row at least, for the flags; with nothing claimed, its item columns are null.
  return { rows: r.rows.filter((row) => row.id !== null), promoted: r.rows[0]?.promoted ?? 0, held: r.rows[0]?.held ?? false };
}

/** The worker's status, or undefined for an unknown id: what tells an empty poll from a refusal. */
export async function workerStatusOf(pool: pg.Pool, workerId: string): Promise<string | undefined> {
  const r = await pool.query<{ status: string }>({ name: 'hub_worker_status', text: 'SELECT status FROM workers WHERE worker_id = $1', values: [workerId] });
  return r.rows[0]?.status;
}

/** The items `workerId` holds in `pool` from the claim `claimId`, oldest first. */
export async function heldUnderKey(db: pg.Pool, p: { workerId: string; pool: string; claimId: string }): Promise<WorkItemRow[]> {
  const r = await db.query<WorkItemRow>({
    text: `SELECT ${ITEM_COLUMNS} FROM items WHERE ${heldUnder('$2')} ORDER BY id`,
    values: [p.workerId, p.claimId, p.pool],
    types,
  });
  return r.rows;
}

/** Completes the claim if `workerId` (and, given, `leaseId`) holds it; undefined when it does not. */
export async function completeHeld(
  pool: pg.Pool,
  p: { id: number; workerId: string; leaseId: string | null; now: number; result: string | null },
): Promise<WorkItemRow | undefined> {
  const r = await pool.query<WorkItemRow>({
    name: 'hub_complete',
    text: COMPLETE,
    values: [p.id, p.workerId, p.leaseId, p.now, p.result],
    types,
  });
  return r.rows[0];
}
