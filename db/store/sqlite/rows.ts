import { rowMappers } from '../rows';

/**
 * The columns the prepared hot path returns (statements.ts), in the order `workItemOf` reads
 * them. Those statements return arrays (better-sqlite3's raw mode): an object per row costs
 * ~1.2 µs more, spent naming its 17 properties one at a time.
 */
export const ITEM_COLUMNS = `id, pool, data, status, claimed_by, lease_id, attempts, max_retries, created_at,
  claimed_at, completed_at, result, last_error, priority, run_at, key, last_error_type`;
export type ItemValues = unknown[];

/**
 * SQLite keeps JSON as text, and a completed item's completing attempt only in its columns
 * (migration 0008; see `complete` in statements.ts).
 */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((text) => JSON.parse(text as string), { completionImplied: true });

/** A WorkItem from the values of ITEM_COLUMNS. */
export const workItemOf = (v: ItemValues) =>
  toWorkItem({
    id: v[0] as number,
    pool: v[1] as string,
    data: v[2] as string,
    status: v[3] as string,
    claimedBy: v[4] as string | null,
    leaseId: v[5] as string | null,
    attempts: v[6] as number,
    maxRetries: v[7] as number,
    createdAt: v[8] as number,
    claimedAt: v[9] as number | null,
    completedAt: v[10] as number | null,
    result: v[11] as string | null,
    lastError: v[12] as string | null,
    priority: v[13] as number,
    runAt: v[14] as number | null,
    key: v[15] as string | null,
    lastErrorType: v[16] as string | null,
  });
