-- Custom migration (drizzle-kit generate --custom): counts completions and failures into
-- `throughput` once per statement instead of once per row, and appends them instead of updating
-- a counter row (0007 made the table insert-only; see db/schema/pg.ts). The row trigger of 0002
-- upserted the pool's row of the minute for every item ended, so a batch completion ran the
-- trigger a hundred times, and every transaction that ended a claim held that row locked until
-- its commit: writers of one pool, on every instance, committed one after another.
--
-- The update trigger of 0005 now also appends, per pool and minute, the claims the statement
-- ended: rows that were claimed and are not any more, with an attempt appended to `history`
-- (it grew) whose outcome is `completed` or `failed` (a release appends `released`, which is not
-- counted).
-- The minute is that attempt's `ended_at`, the store's clock, as before.
DROP TRIGGER items_count_outcome ON items;
--> statement-breakpoint
DROP FUNCTION hub_count_outcome();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION hub_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pool_count_deltas (pool, status, n)
    SELECT pool, status, sum(d) FROM (
      SELECT pool, status, 1 AS d FROM new_rows
      UNION ALL
      SELECT pool, status, -1 AS d FROM old_rows
    ) changed
    GROUP BY pool, status HAVING sum(d) <> 0;
  -- A claim, a push or an operator's retry ends no claim: skip the rest.
  IF EXISTS (SELECT 1 FROM old_rows WHERE status = 'claimed') THEN
    -- Each row's old and new version meet by id in one hash (a join of transition tables, which
    -- have no statistics, is planned as a nested loop: quadratic in the rows changed).
    INSERT INTO throughput (pool, minute, completed, failed)
      SELECT pool, minute, count(*) FILTER (WHERE outcome = 'completed'), count(*) FILTER (WHERE outcome = 'failed')
        FROM (
          SELECT max(pool) AS pool, max(minute) AS minute, max(outcome) AS outcome
            FROM (
              SELECT id, pool, ((history -> -1 ->> 'ended_at')::bigint / 60000) * 60000 AS minute,
                  history -> -1 ->> 'outcome' AS outcome, jsonb_array_length(history) AS len
                FROM new_rows WHERE status <> 'claimed' AND history -> -1 ->> 'outcome' IN ('completed', 'failed')
              UNION ALL
              SELECT id, NULL, NULL, NULL, -jsonb_array_length(history) FROM old_rows WHERE status = 'claimed'
            ) versions
            GROUP BY id
            HAVING count(*) = 2 AND sum(len) > 0
        ) ended
        GROUP BY pool, minute;
  END IF;
  RETURN NULL;
END $$;
