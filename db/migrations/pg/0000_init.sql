CREATE TABLE "items" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "items_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"pool" text NOT NULL,
	"data" jsonb NOT NULL,
	"status" text NOT NULL,
	"claimed_by" text,
	"lease_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_retries" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"claimed_at" bigint,
	"completed_at" bigint,
	"result" jsonb,
	"last_error" text,
	"history" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workers" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"last_heartbeat" bigint NOT NULL,
	"host" text,
	"pid" integer,
	"capabilities" jsonb,
	"pool_id" text,
	"started_at" bigint,
	"reported_task_id" text,
	"metadata" jsonb
);
--> statement-breakpoint
CREATE INDEX "items_pool_status_id" ON "items" USING btree ("pool","status","id");--> statement-breakpoint
CREATE INDEX "items_pending_pool_id" ON "items" USING btree ("pool","id") WHERE "items"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "items_claimed_by" ON "items" USING btree ("claimed_by","status") WHERE "items"."claimed_by" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "items_completed_at" ON "items" USING btree ("completed_at") WHERE "items"."status" = 'completed';--> statement-breakpoint
CREATE INDEX "workers_live_heartbeat" ON "workers" USING btree ("last_heartbeat") WHERE "workers"."status" IN ('active', 'terminating');