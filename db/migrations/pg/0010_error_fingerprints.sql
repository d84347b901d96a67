ALTER TABLE "items" ADD COLUMN "last_error_type" text;--> statement-breakpoint
ALTER TABLE "items" ADD COLUMN "error_fingerprint" text;