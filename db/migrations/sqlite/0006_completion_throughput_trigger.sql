-- Custom migration (drizzle-kit generate --custom): completions are counted in `throughput` by a
-- trigger, so a completion is one UPDATE in autocommit instead of a transaction of two
-- statements. Only a completion sets status 'completed'; failures stay counted by the store (a
-- release or a reap also moves claimed items back, and those are not failures).
-- The minute is the start of the completion's minute (completed_at is never negative).
CREATE TRIGGER `items_count_completed` AFTER UPDATE OF `status` ON `items`
  WHEN NEW.`status` = 'completed' AND OLD.`status` IS NOT 'completed' BEGIN
  INSERT INTO `throughput` (`pool`, `minute`, `completed`, `failed`)
    VALUES (NEW.`pool`, CAST(NEW.`completed_at` AS INTEGER) / 60000 * 60000, 1, 0)
    ON CONFLICT (`minute`, `pool`) DO UPDATE SET `completed` = `completed` + 1;
END;
