DROP INDEX `items_pool_status_id`;--> statement-breakpoint
DROP INDEX `items_claimed_by`;--> statement-breakpoint
CREATE INDEX `items_status_pool_id` ON `items` (`status`,`pool`,`id`);