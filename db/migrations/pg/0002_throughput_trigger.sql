-- Custom migration (drizzle-kit generate --custom): counts completions and failures per pool per
-- minute into `throughput` (see db/schema/pg.ts), inside the statement that ends the claim.
-- Complete and fail append an attempt with outcome `completed` / `failed` to `history`; a
-- release appends `released`, which is not counted. The minute is the attempt's `ended_at`, the
-- store's clock.
CREATE FUNCTION hub_count_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_last jsonb := NEW.history -> -1;
  v_outcome text := v_last ->> 'outcome';
  v_minute bigint;
BEGIN
  IF v_outcome IN ('completed', 'failed') THEN
    v_minute := ((v_last ->> 'ended_at')::bigint / 60000) * 60000;
    INSERT INTO throughput (pool, minute, completed, failed)
      VALUES (NEW.pool, v_minute, (v_outcome = 'completed')::int, (v_outcome = 'failed')::int)
      ON CONFLICT (minute, pool) DO UPDATE
        SET completed = throughput.completed + excluded.completed, failed = throughput.failed + excluded.failed;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER items_count_outcome AFTER UPDATE OF history ON items
  FOR EACH ROW
  WHEN (OLD.status = 'claimed' AND NEW.status <> 'claimed' AND jsonb_array_length(NEW.history) > jsonb_array_length(OLD.history))
  EXECUTE FUNCTION hub_count_outcome();
