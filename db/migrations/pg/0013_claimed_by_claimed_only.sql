DROP INDEX "items_claimed_by";--> statement-breakpoint
CREATE INDEX "items_claimed_by" ON "items" USING btree ("claimed_by") WHERE "items"."status" = 'claimed';