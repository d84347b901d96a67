-- Custom migration (drizzle-kit generate --custom): one shape of history on both engines. A
-- completion no longer appends its attempt to `history`: the completed item's columns (attempts,
-- claimed_by, claimed_at, completed_at) say it, as on SQLite (its migration 0008), and the item
-- detail adds it (db/store/rows.ts). Appending cost a jsonb rewrite of the row's history on
-- every completion. A retry of a completed item stores the attempt first (db/store/ops/shape.ts).
--
-- Completed items drop the completing attempt they stored.
UPDATE items SET history = history - (-1)
  WHERE status = 'completed' AND jsonb_array_length(history) > 0 AND history -> -1 ->> 'outcome' = 'completed';
--> statement-breakpoint
-- The update trigger (0008, 0011) counted a completion by the attempt it appended: it now counts
-- a row that went from claimed to completed, in the minute of its `completed_at`. Failures and
-- poisonings are counted as before, by the attempt a failure or a release appends (history grew).
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
              SELECT id, pool, status,
                  (CASE WHEN status = 'completed' THEN completed_at ELSE (history -> -1 ->> 'ended_at')::bigint END / 60000) * 60000 AS minute,
                  CASE WHEN status = 'completed' THEN 'completed' ELSE history -> -1 ->> 'outcome' END AS outcome,
                  jsonb_array_length(history) AS len
                FROM new_rows
                WHERE status = 'completed' OR (status <> 'claimed' AND (history -> -1 ->> 'outcome' = 'failed' OR status = 'poisoned'))
              UNION ALL
              SELECT id, NULL, NULL, NULL, NULL, -jsonb_array_length(history) FROM old_rows WHERE status = 'claimed'
            ) versions
            GROUP BY id
            -- Was claimed, and completed now, or ended with an attempt appended (history grew).
            HAVING count(*) = 2 AND (max(status) = 'completed' OR sum(len) > 0)
        ) ended
        GROUP BY pool, minute;
  END IF;
  RETURN NULL;
END $$;
