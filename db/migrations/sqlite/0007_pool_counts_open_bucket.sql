-- Custom migration (drizzle-kit generate --custom): pool_counts no longer tells pending from
-- claimed. Both are counted under 'open', so a claim (pending -> claimed) and a plain failure or
-- release (claimed -> pending) write no counter; the readers count the few claimed items from
-- the status index and take them from 'open'. Rows of 'completed' and 'poisoned' are as before.
DROP TRIGGER `items_count_insert`;
--> statement-breakpoint
DROP TRIGGER `items_count_delete`;
--> statement-breakpoint
DROP TRIGGER `items_count_update`;
--> statement-breakpoint
DELETE FROM `pool_counts`;
--> statement-breakpoint
INSERT INTO `pool_counts` (`pool`, `status`, `n`)
  SELECT `pool`, iif(`status` IN ('pending', 'claimed'), 'open', `status`), count(*) FROM `items` GROUP BY 1, 2;
--> statement-breakpoint
CREATE TRIGGER `items_count_insert` AFTER INSERT ON `items` BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (NEW.`pool`, iif(NEW.`status` IN ('pending', 'claimed'), 'open', NEW.`status`), 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_delete` AFTER DELETE ON `items` BEGIN
  UPDATE `pool_counts` SET `n` = `n` - 1
    WHERE `pool` = OLD.`pool` AND `status` = iif(OLD.`status` IN ('pending', 'claimed'), 'open', OLD.`status`);
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_update` AFTER UPDATE OF `status`, `pool` ON `items`
  WHEN OLD.`pool` IS NOT NEW.`pool`
    OR iif(OLD.`status` IN ('pending', 'claimed'), 'open', OLD.`status`)
       IS NOT iif(NEW.`status` IN ('pending', 'claimed'), 'open', NEW.`status`) BEGIN
  UPDATE `pool_counts` SET `n` = `n` - 1
    WHERE `pool` = OLD.`pool` AND `status` = iif(OLD.`status` IN ('pending', 'claimed'), 'open', OLD.`status`);
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (NEW.`pool`, iif(NEW.`status` IN ('pending', 'claimed'), 'open', NEW.`status`), 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
