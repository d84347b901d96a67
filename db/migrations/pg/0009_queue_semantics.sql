CREATE TABLE "pool_settings" (
	"pool" text PRIMARY KEY NOT NULL,
	"max_retries" integer,
	"backoff" jsonb,
	"paused" boolean DEFAULT false NOT NULL,
	"updated_at" bigint
);
--> statement-breakpoint
DROP INDEX "items_pending_pool_id";--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "priority" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "run_at" bigint;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "key" text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "backoff" jsonb;--> statement-breakpoint
CREATE INDEX "items_pending_priority" ON "items" USING btree ("pool","priority" DESC NULLS LAST,"id") WHERE "items"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "items_scheduled_run_at" ON "items" USING btree ("pool","run_at") WHERE "items"."status" = 'scheduled';--> statement-breakpoint
CREATE UNIQUE INDEX "items_pool_key" ON "items" USING btree ("pool","key") WHERE "items"."key" IS NOT NULL AND "items"."status" IN ('scheduled', 'pending', 'claimed', 'poisoned');