import { rowMappers } from '../rows';


/** SQLite keeps JSON as text. */
export const { toWorkItem, toItemDetail, toWorkerRecord } = rowMappers((text) => JSON.parse(text as string));

/**
 * A WorkItem from an item's values in the order of db/store/ops/shape.ts ITEM_COLUMNS (the write
 * operations' statements return arrays, better-sqlite3's raw mode: an object per row costs ~1.2 µs
 * more, spent naming its 17 properties one at a time).
 */
export const workItemOf = (v: unknown[]) =>
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
