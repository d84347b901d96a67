-- Custom migration (drizzle-kit generate --custom): triggers keep pool_counts equal to
-- SELECT pool, status, count(*) FROM items GROUP BY pool, status, on every write path.
INSERT INTO `pool_counts` (`pool`, `status`, `n`)
  SELECT `pool`, `status`, count(*) FROM `items` GROUP BY `pool`, `status`;
--> statement-breakpoint
CREATE TRIGGER `items_count_insert` AFTER INSERT ON `items` BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`) VALUES (NEW.`pool`, NEW.`status`, 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_delete` AFTER DELETE ON `items` BEGIN
  UPDATE `pool_counts` SET `n` = `n` - 1 WHERE `pool` = OLD.`pool` AND `status` = OLD.`status`;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_update` AFTER UPDATE OF `status`, `pool` ON `items`
  WHEN OLD.`status` IS NOT NEW.`status` OR OLD.`pool` IS NOT NEW.`pool` BEGIN
  UPDATE `pool_counts` SET `n` = `n` - 1 WHERE `pool` = OLD.`pool` AND `status` = OLD.`status`;
  INSERT INTO `pool_counts` (`pool`, `status`, `n`) VALUES (NEW.`pool`, NEW.`status`, 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
