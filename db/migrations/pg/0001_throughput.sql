CREATE TABLE "throughput" (
	"pool" text NOT NULL,
	"minute" bigint NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "throughput_minute_pool_pk" PRIMARY KEY("minute","pool")
);
