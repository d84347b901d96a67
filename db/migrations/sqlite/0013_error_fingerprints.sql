ALTER TABLE `items` ADD `last_error_type` text;--> statement-breakpoint
ALTER TABLE `items` ADD `error_fingerprint` text;