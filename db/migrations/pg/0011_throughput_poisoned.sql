ALTER TABLE "throughput" ADD COLUMN "poisoned" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Custom part: the update trigger of 0008 also counts the items a statement poisoned, per pool
-- and minute: rows that were claimed and are now poisoned, with an attempt appended to `history`,
-- whether a failure (`failed`) or the reaper (`released`) ended it. Releases back to pending
-- still count nothing.
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
    INSERT INTO throughput (pool, minute, completed, failed, poisoned)
      SELECT pool, minute, count(*) FILTER (WHERE outcome = 'completed'), count(*) FILTER (WHERE outcome = 'failed'),
          count(*) FILTER (WHERE status = 'poisoned')
        FROM (
          SELECT max(pool) AS pool, max(minute) AS minute, max(outcome) AS outcome, max(status) AS status
            FROM (
              SELECT id, pool, ((history -> -1 ->> 'ended_at')::bigint / 60000) * 60000 AS minute,
                  history -> -1 ->> 'outcome' AS outcome, status, jsonb_array_length(history) AS len
                FROM new_rows
                WHERE status <> 'claimed' AND (history -> -1 ->> 'outcome' IN ('completed', 'failed') OR status = 'poisoned')
              UNION ALL
              SELECT id, NULL, NULL, NULL, NULL, -jsonb_array_length(history) FROM old_rows WHERE status = 'claimed'
            ) versions
            GROUP BY id
            HAVING count(*) = 2 AND sum(len) > 0
        ) ended
        GROUP BY pool, minute;
  END IF;
  RETURN NULL;
END $$;
