-- Custom migration (drizzle-kit generate --custom): keeps pool_counts (see db/schema/pg.ts).
-- Each statement that inserts, updates or deletes items appends its net change per pool and
-- status to pool_count_deltas, from the statement's transition tables: a claim adds two rows
-- (pending -1, claimed +1), a push of a thousand items one. Insert-only, so concurrent writers
-- never wait for each other here. db/store/pg/counts.ts folds the deltas into pool_counts.
-- Writers wait while the counts are first taken, so none is counted twice or missed.
LOCK TABLE items IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE FUNCTION hub_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pool_count_deltas (pool, status, n)
    SELECT pool, status, count(*) FROM new_rows GROUP BY pool, status;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION hub_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pool_count_deltas (pool, status, n)
    SELECT pool, status, -count(*) FROM old_rows GROUP BY pool, status;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION hub_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO pool_count_deltas (pool, status, n)
    SELECT pool, status, sum(d) FROM (
      SELECT pool, status, 1 AS d FROM new_rows
      UNION ALL
      SELECT pool, status, -1 AS d FROM old_rows
    ) changed
    GROUP BY pool, status HAVING sum(d) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER items_count_insert AFTER INSERT ON items
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_count_inserted();
--> statement-breakpoint
CREATE TRIGGER items_count_delete AFTER DELETE ON items
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_count_deleted();
--> statement-breakpoint
CREATE TRIGGER items_count_update AFTER UPDATE ON items
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION hub_count_updated();
--> statement-breakpoint
INSERT INTO pool_counts (pool, status, n) SELECT pool, status, count(*) FROM items GROUP BY pool, status;
