import { z } from 'zod';
import { ITEM_STATUSES, WorkItem } from './items';
import { WorkerStatus } from './workers';

/**
 * Shapes of the operator views: poisoned items grouped by error, who holds a pool's claims, and
 * per-minute throughput. The dashboard reads these; any operator tool may.
 */

/**
 * Poisoned items of one pool whose errors share a fingerprint: the error type and first line of
 * the message with ids, numbers, hex, times, paths and URLs' paths masked (`<n>`, `<path>`, …).
 */
export const ErrorGroup = z.object({
  /** The group: pass it as `fingerprint` to retry or discard the group. Null: items with no error. */
  fingerprint: z.string().nullable(),
  /** The latest full error text of the group (as `last_error`), or null. */
  error: z.string().nullable(),
  /** The latest `error_type` reported in the group, or null. */
  error_type: z.string().nullable(),
  /** Up to three distinct full error texts of the group, latest first. */
  examples: z.array(z.string()),
  count: z.number().int(),
  /** When the earliest / latest item of the group was poisoned (its last attempt ended). */
  first_seen: z.string(),
  last_seen: z.string(),
  /** The oldest item of the group, to open as an example. */
  sample_item_id: z.string(),
});
export type ErrorGroup = z.infer<typeof ErrorGroup>;
export const ERROR_GROUPS_MAX = 100;
export const ErrorGroupList = z.object({ groups: z.array(ErrorGroup) });
export const ErrorGroupsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(ERROR_GROUPS_MAX).default(ERROR_GROUPS_MAX),
});

/** A worker holding claimed items of one pool, and how many. */
export const PoolHolder = z.object({
  worker_id: z.string(),
  claimed: z.number().int(),
  /** The worker's status and heartbeat; null when no such worker is registered. */
  worker_status: z.string().nullable(),
  last_heartbeat: z.string().nullable(),
});
export type PoolHolder = z.infer<typeof PoolHolder>;
export const PoolHolderList = z.object({ holders: z.array(PoolHolder) });

export const THROUGHPUT_MINUTES_MAX = 1440;
export const ThroughputQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(THROUGHPUT_MINUTES_MAX).default(60),
});
/** One pool's counts per minute, oldest first; the last bucket is the current (partial) minute. */
export const PoolThroughput = z.object({
  pool: z.string(),
  completed: z.array(z.number().int()),
  failed: z.array(z.number().int()),
  /** Items poisoned per minute: by a failure that used up their attempts, or by the reaper. */
  poisoned: z.array(z.number().int()),
});
export type PoolThroughput = z.infer<typeof PoolThroughput>;
export const Throughput = z.object({
  /** Start of the first bucket (a whole UTC minute). */
  since: z.string(),
  minutes: z.number().int(),
  /** Pools with at least one completion or failure in the window, by name. */
  pools: z.array(PoolThroughput),
});
export type Throughput = z.infer<typeof Throughput>;

export const Discarded = z.object({ discarded: z.number().int() });

/**
 * A change, as `GET /events` sends it: the SSE event name is `type`, the data is this object.
 * The store reports the same objects after each commit (HubEvent).
 */
export const LiveEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('item'), id: z.string(), pool: z.string(), status: z.enum([...ITEM_STATUSES, 'deleted']) }),
  z.object({ type: z.literal('worker'), worker_id: z.string(), status: WorkerStatus }),
  z.object({ type: z.literal('pool'), name: z.string() }),
]);
export type LiveEvent = z.infer<typeof LiveEvent>;

/**
 * What one worker has done, from the items the hub still keeps (completed items until the
 * retention prunes them): `completed` counts the items in status `completed` whose last claim was
 * its; `failed` the failed attempts its id is on in items' histories.
 */
export const WorkerStats = z.object({
  worker_id: z.string(),
  completed: z.number().int(),
  failed: z.number().int(),
});
export type WorkerStats = z.infer<typeof WorkerStats>;
export const WorkerStatsList = z.object({ workers: z.array(WorkerStats) });

/** The items a worker holds now, oldest claim first. */
export const HeldItems = z.object({ items: z.array(WorkItem) });

export const LATENCY_MINUTES_MAX = 1440;
/** Items of each status (claimed, completed, poisoned) a latency read looks at per pool, newest first. */
export const LATENCY_SAMPLE = 5000;
export const LatencyQuery = z.object({
  minutes: z.coerce.number().int().min(1).max(LATENCY_MINUTES_MAX).default(60),
});
/**
 * Queue latency of one pool: how long items waited from push (or from `run_at`, for a delayed
 * push) to their first claim, over the first claims in the window.
 */
export const PoolLatency = z.object({
  pool: z.string(),
  /** First claims measured. */
  claims: z.number().int(),
  /** Median and 95th percentile wait in seconds (nearest rank); null with no claims. */
  p50_seconds: z.number().nullable(),
  p95_seconds: z.number().nullable(),
});
export type PoolLatency = z.infer<typeof PoolLatency>;
export const QueueLatency = z.object({
  /** Start of the window. */
  since: z.string(),
  minutes: z.number().int(),
  /** Pools with at least one first claim in the window, by name. */
  pools: z.array(PoolLatency),
});
export type QueueLatency = z.infer<typeof QueueLatency>;
