CREATE TABLE `pool_counts` (
	`pool` text NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`pool`, `status`)
);
