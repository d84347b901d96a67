CREATE TABLE `items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pool` text NOT NULL,
	`data` text NOT NULL,
	`status` text NOT NULL,
	`claimed_by` text,
	`lease_id` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_retries` integer NOT NULL,
	`created_at` integer NOT NULL,
	`claimed_at` integer,
	`completed_at` integer,
	`result` text,
	`last_error` text,
	`history` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `items_pool_status_id` ON `items` (`pool`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `items_claimed_by` ON `items` (`claimed_by`,`status`) WHERE "items"."claimed_by" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `items_completed_at` ON `items` (`completed_at`) WHERE "items"."status" = 'completed';--> statement-breakpoint
CREATE TABLE `workers` (
	`worker_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`last_heartbeat` integer NOT NULL,
	`host` text,
	`pid` integer,
	`capabilities` text,
	`pool_id` text,
	`started_at` integer,
	`reported_task_id` text,
	`metadata` text
);
--> statement-breakpoint
CREATE INDEX `workers_status_heartbeat` ON `workers` (`status`,`last_heartbeat`);