import type pg from 'pg';
import { types } from './statements';

/**
 * A batch completion as one prepared statement: one round trip, one transaction and one commit
 * for the whole batch, and one firing of the items triggers (migration 0005's counts, 0006's
 * throughput) instead of one statement per item. The SET and guard are COMPLETE's
 * (statements.ts), per row of the batch; the rows are locked in id order first (the InitPlan
 * runs before the join), as every multi-row write here locks them, so a batch and another write
 * over the same items (another batch, a release, the reaper) queue instead of deadlocking.
 */
const COMPLETE_MANY = `UPDATE items SET status = 'completed', lease_id = NULL, completed_at = $3, result = b.b_result,
    history = history || jsonb_build_array(jsonb_build_object('attempt', attempts, 'worker_id', claimed_by,
      'claimed_at', claimed_at, 'ended_at', $3::bigint, 'outcome', 'completed'::text, 'error', NULL::text))
  FROM (SELECT (e ->> 'id')::bigint AS b_id, e ->> 'lease_id' AS b_lease, e -> 'result' AS b_result
          FROM jsonb_array_elements($1::jsonb) AS e) b
  WHERE id = ANY(ARRAY(SELECT id FROM items WHERE id = ANY($4::bigint[]) ORDER BY id FOR UPDATE))
    AND id = b.b_id AND status = 'claimed' AND claimed_by = $2 AND (b.b_lease IS NULL OR lease_id = b.b_lease)
  RETURNING id, pool`;

/** One item of a batch: `result` undefined stores SQL NULL (no result), as a single completion does. */
export interface BatchEnd {
  id: number;
  leaseId: string | null;
  result: unknown;
}

/**
 * Completes every item of `batch` that `workerId` holds (with the given lease, when one is
 * given), in one statement; answers the id and pool of each item it completed (all that the
 * answer and the events need: a batch's items are not sent back). `batch` must not name an id twice
 * (one row is updated once per statement; the caller rejects repeats).
 */
export async function completeHeldMany(pool: pg.Pool, workerId: string, now: number, batch: BatchEnd[]): Promise<{ id: number; pool: string }[]> {
  // JSON.stringify leaves out an undefined `result`: `e -> 'result'` is then SQL NULL.
  const doc = JSON.stringify(batch.map((b) => ({ id: b.id, lease_id: b.leaseId, result: b.result })));
  const r = await pool.query<{ id: number; pool: string }>({
    name: 'hub_complete_many',
    text: COMPLETE_MANY,
    values: [doc, workerId, now, batch.map((b) => b.id)],
    types,
  });
  return r.rows;
}

/** Status and holder of each of `ids` that exists, to say why an end of claim changed nothing. */
export async function endStates(pool: pg.Pool, ids: number[]): Promise<Map<number, { status: string; claimedBy: string | null }>> {
  const r = await pool.query<{ id: number; status: string; claimedBy: string | null }>({
    text: 'SELECT id, status, claimed_by AS "claimedBy" FROM items WHERE id = ANY($1::bigint[])',
    values: [ids],
    types,
  });
  return new Map(r.rows.map((row) => [row.id, row]));
}
