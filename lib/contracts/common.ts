import { z } from 'zod';

/** Any JSON value (object, array, string, number, boolean or null) — but it must be present. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// JSON.parse already guarantees the shape; walking a 1 MiB payload again on every push would
// only cost time on the hot path, so presence is all this checks.
export const JsonValue = z.custom<Json>((v) => v !== undefined, { message: 'is required (any JSON value, null included)' });

/** Pool names and worker ids: 1–128 characters of [A-Za-z0-9._:-]. */
export const Name = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'must be 1–128 characters of A-Z a-z 0-9 . _ : -' });

/** An ISO 8601 timestamp with an offset, as accepted in requests. */
export const IsoTimestamp = z.iso.datetime({ offset: true });

/** Lease ids are opaque strings made by the hub. */
export const LeaseId = z.string().min(1).max(128);

/** Item ids are opaque strings made by the hub (decimal today; do not rely on it). */
export const ItemId = z.string().min(1).max(64);

/** RFC 9457 problem details, as every error of the API is sent. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  /** Stable, machine-readable reason, e.g. `item-not-found`, `not-claim-holder`. */
  code: z.string(),
});
export type Problem = z.infer<typeof Problem>;

/**
 * The body of a route that takes no fields: nothing, or `{}`. Request bodies are strict objects
 * throughout, so a misspelt field (`max_retry`) is a 400 naming it, never silently ignored.
 */
export const EmptyBody = z.strictObject({});
