import type pg from 'pg';
import { sql } from 'drizzle-orm';
import type { PgDb } from './context';

/** Any fixed number, the same in every instance: one compaction at a time across instances. */
const COMPACTION_LOCK = 7_245_005_002;

/**
 * Folds the pending deltas into pool_counts, and each minute's throughput rows (insert-only,
 * migrations 0007-0008) into one, in one statement: the deltas a reader sees either all still sit in
 * pool_count_deltas or are all in pool_counts, and a minute's completions are summed the same
 * before and after. Instances take turns on a transaction advisory lock, taken before any row is
 * touched; one that finds it taken moves nothing this round. One statement through the pool, so
 * a connection lost meanwhile (the database restarting) only fails this round.
 */
export async function compactCounts(pool: pg.Pool): Promise<void> {
  await pool.query(
    `WITH turn AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($1) AS mine),
     moved AS (DELETE FROM pool_count_deltas WHERE (SELECT mine FROM turn) RETURNING pool, status, n),
     counted AS (
       INSERT INTO pool_counts (pool, status, n)
         SELECT pool, status, sum(n) FROM moved GROUP BY pool, status ORDER BY pool, status
       ON CONFLICT (pool, status) DO UPDATE SET n = pool_counts.n + excluded.n),
     folded AS (
       DELETE FROM throughput WHERE (SELECT mine FROM turn)
         AND (minute, pool) IN (SELECT minute, pool FROM throughput GROUP BY minute, pool HAVING count(*) > 1)
       RETURNING pool, minute, completed, failed, poisoned)
     INSERT INTO throughput (pool, minute, completed, failed, poisoned)
       SELECT pool, minute, sum(completed), sum(failed), sum(poisoned) FROM folded GROUP BY pool, minute`,
    [COMPACTION_LOCK],
  );
}

/** Items per pool and status (all pools, or one), as of one snapshot: the counts plus the deltas not yet folded in. */
export async function readCounts(db: PgDb, pool?: string): Promise<{ pool: string; status: string; n: number }[]> {
  const only = pool === undefined ? sql`` : sql`WHERE pool = ${pool}`;
  const result = await db.execute<{ pool: string; status: string; n: string }>(sql`
    SELECT pool, status, sum(n) AS n FROM (
      SELECT pool, status, n FROM pool_counts ${only}
      UNION ALL
      SELECT pool, status, n FROM pool_count_deltas ${only}
    ) c
    GROUP BY pool, status HAVING sum(n) <> 0`);
  return result.rows.map((r) => ({ pool: r.pool, status: r.status, n: Number(r.n) }));
}
