CREATE TABLE `pool_settings` (
	`pool` text PRIMARY KEY NOT NULL,
	`max_retries` integer,
	`backoff` text,
	`paused` integer DEFAULT 0 NOT NULL,
	`updated_at` integer
);
--> statement-breakpoint
ALTER TABLE `items` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `items` ADD `run_at` integer;--> statement-breakpoint
ALTER TABLE `items` ADD `key` text;--> statement-breakpoint
ALTER TABLE `items` ADD `backoff` text;--> statement-breakpoint
CREATE INDEX `items_pending_priority` ON `items` (`pool`,"priority" DESC,`id`) WHERE "items"."status" = 'pending';--> statement-breakpoint
CREATE INDEX `items_scheduled_run_at` ON `items` (`pool`,`run_at`) WHERE "items"."status" = 'scheduled';--> statement-breakpoint
CREATE UNIQUE INDEX `items_pool_key` ON `items` (`pool`,`key`) WHERE "items"."key" IS NOT NULL AND "items"."status" IN ('scheduled', 'pending', 'claimed', 'poisoned');--> statement-breakpoint
-- Custom part: 'scheduled' items count under 'open' in pool_counts with pending and claimed, so
-- neither a failure under a backoff (claimed -> scheduled) nor the promotion of a due item
-- (scheduled -> pending, a write of `status` alone, which fires no count trigger) moves a
-- counter. Readers count the scheduled items from the status index, as they count claimed ones.
-- No item is scheduled yet, so the stored counts stay right.
DROP TRIGGER `items_count_insert`;
--> statement-breakpoint
DROP TRIGGER `items_count_delete`;
--> statement-breakpoint
DROP TRIGGER `items_count_update`;
--> statement-breakpoint
CREATE TRIGGER `items_count_insert` AFTER INSERT ON `items` BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (NEW.`pool`, iif(NEW.`status` IN ('scheduled', 'pending', 'claimed'), 'open', NEW.`status`), 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_delete` AFTER DELETE ON `items` BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (OLD.`pool`, iif(OLD.`status` IN ('scheduled', 'pending', 'claimed'), 'open', OLD.`status`), -1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` - 1;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_update` AFTER UPDATE OF `history`, `pool` ON `items`
  WHEN NOT (OLD.`status` = 'claimed' AND NEW.`status` = 'completed' AND OLD.`pool` IS NEW.`pool`)
    AND (OLD.`pool` IS NOT NEW.`pool`
      OR iif(OLD.`status` IN ('scheduled', 'pending', 'claimed'), 'open', OLD.`status`)
         IS NOT iif(NEW.`status` IN ('scheduled', 'pending', 'claimed'), 'open', NEW.`status`)) BEGIN
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (OLD.`pool`, iif(OLD.`status` IN ('scheduled', 'pending', 'claimed'), 'open', OLD.`status`), -1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` - 1;
  INSERT INTO `pool_counts` (`pool`, `status`, `n`)
    VALUES (NEW.`pool`, iif(NEW.`status` IN ('scheduled', 'pending', 'claimed'), 'open', NEW.`status`), 1)
    ON CONFLICT (`pool`, `status`) DO UPDATE SET `n` = `n` + 1;
END;
