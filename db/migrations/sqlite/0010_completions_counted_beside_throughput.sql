-- Custom migration (drizzle-kit generate --custom): a completion writes one counter page instead
-- of two. Until now it moved the item from 'open' to 'completed' in `pool_counts` (trigger
-- items_count_update) and added it to its minute in `throughput` (items_count_completed): two
-- b-trees, two pages in every completion's commit. Now the completion trigger also adds it to a
-- running total kept in `throughput` itself, in the row of the pool at the sentinel minute
-- 9007199254740991 (Number.MAX_SAFE_INTEGER: no real minute, and after every one, so it sits in
-- the same leaf as the current minute's rows). items_count_update no longer counts that
-- transition. Readers take a pool's total out of 'open' and add it to 'completed'
-- (COMPLETED_TOTAL_MINUTE in db/store/throughput.ts). The totals start at 0: the counts stay
-- exact across the migration.
-- Neither count trigger is part of a claim any more. A row trigger costs its statement a zeroed
-- frame and a sub-program call on every row, even when its WHEN clause turns out false (~3,000
-- instructions each, callgrind), and both fired on `UPDATE OF status`, which every claim sets.
-- They now name columns a claim never sets:
-- - items_count_completed fires on `completed_at`, which only a completion (and a retry, which
--   clears it) sets;
-- - items_count_update fires on `history`: every other write that moves an item between count
--   buckets (fail, reap, release, retry) records the ended attempt there (statements.ts,
--   liveness.ts, workers.ts, items.ts). A claim (pending -> claimed) never moves one.
-- A pool's 'completed' row may now be missing when one of its completed items is deleted or
-- retried, so both triggers that take from a bucket create it (at -1) if need be.
DROP TRIGGER `items_count_update`;
--> statement-breakpoint
DROP TRIGGER `items_count_delete`;
--> statement-breakpoint
DROP TRIGGER `items_count_completed`;
--> statement-breakpoint
CREATE TRIGGER `items_count_delete` AFTER DELETE ON `items` BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (OLD.`pool`, iif(OLD.`status` IN ('pending', 'claimed'), 'open', OLD.`status`), -1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` - 1;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_update` AFTER UPDATE OF `history`, `pool` ON `items`
  WHEN NOT (OLD.`status` = 'claimed' AND NEW.`status` = 'completed' AND OLD.`pool` IS NEW.`pool`)
    AND (OLD.`pool` IS NOT NEW.`pool`
      OR iif(OLD.`status` IN ('pending', 'claimed'), 'open', OLD.`status`)
         IS NOT iif(NEW.`status` IN ('pending', 'claimed'), 'open', NEW.`status`)) BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (OLD.`pool`, iif(OLD.`status` IN ('pending', 'claimed'), 'open', OLD.`status`), -1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` - 1;
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (NEW.`pool`, iif(NEW.`status` IN ('pending', 'claimed'), 'open', NEW.`status`), 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
-- Exactly the transition items_count_update leaves out: the completion's minute (the start of
-- it; completed_at is never negative) and the pool's running total, in one statement.
CREATE TRIGGER `items_count_completed` AFTER UPDATE OF `completed_at`, `pool` ON `items`
  WHEN OLD.`status` = 'claimed' AND NEW.`status` = 'completed' AND OLD.`pool` IS NEW.`pool` BEGIN
  INSERT INTO `throughput` (`pool`, `minute`, `completed`, `failed`)
    VALUES (NEW.`pool`, CAST(NEW.`completed_at` AS INTEGER) / 60000 * 60000, 1, 0), (NEW.`pool`, 9007199254740991, 1, 0)
    ON CONFLICT (`minute`, `pool`) DO UPDATE SET `completed` = `completed` + 1;
END;
