CREATE TABLE `throughput` (
	`pool` text NOT NULL,
	`minute` integer NOT NULL,
	`completed` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`minute`, `pool`)
);
