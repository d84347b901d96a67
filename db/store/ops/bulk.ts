/**
 * Which of a pool's items an operator's bulk action (retry, discard) takes: the pool, a status,
 * and the filter (an error text or group, a worker, an age, a list of ids: db/store/item-filters.ts,
 * shared with the listings), at the store's clock. And the audit entry such an action records.
 */
import type { SQL } from 'drizzle-orm';
import type { PoolBulkBody } from '@/lib/contracts';
import { items as sqliteItems } from '@/db/schema/sqlite';
import { items as pgItems } from '@/db/schema/pg';
import type { ErrorFilter } from '../types';
import type { AuditFields } from '../tokens-audit';
import { bulkConditions, bulkDetail } from '../item-filters';

export const bulkWhere = {
  sqlite: (pool: string, status: PoolBulkBody['status'], filter: ErrorFilter | undefined, now: number): SQL =>
    bulkConditions(sqliteItems, pool, status, filter, now),
  pg: (pool: string, status: PoolBulkBody['status'], filter: ErrorFilter | undefined, now: number): SQL =>
    bulkConditions(pgItems, pool, status, filter, now),
};

/** The audit entry of a bulk action: its filter in the detail, how many it changed. */
export const bulkAudit =
  (action: 'pool.retry' | 'pool.discard', pool: string, status: string, filter: ErrorFilter | undefined) =>
  (n: number): AuditFields => ({ action, target: pool, detail: bulkDetail(status, filter), changed: n });
