ALTER TABLE "throughput" DROP CONSTRAINT "throughput_minute_pool_pk";--> statement-breakpoint
CREATE INDEX "throughput_minute_pool" ON "throughput" USING btree ("minute","pool");