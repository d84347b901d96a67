/**
 * Which of a pool's items an operator's bulk action (retry, discard) takes: the pool, a status,
 * and optionally one error group. One condition, the same SQL on both engines (plain column
 * names; Drizzle renders the parameters each engine's way).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { PoolBulkBody } from '@/lib/contracts';
import type { ErrorFilter } from '../types';
import type { AuditFields } from '../tokens-audit';

/**
 * What error groups group on: the fingerprint, or the exact text of items failed before
 * fingerprints were kept. The same expression as the error-group reads.
 */
export const GROUP_KEY = 'coalesce(error_fingerprint, last_error)';

export function bulkWhere(pool: string, status: PoolBulkBody['status'], error: ErrorFilter | undefined): SQL {
  const where = [sql`pool = ${pool}`, sql`status = ${status}`];
  if (error === null) where.push(sql`last_error IS NULL`);
  else if (typeof error === 'string') where.push(sql`last_error = ${error}`);
  else if (error !== undefined) {
    where.push(error.fingerprint === null ? sql.raw(`${GROUP_KEY} IS NULL`) : sql`${sql.raw(GROUP_KEY)} = ${error.fingerprint}`);
  }
  return sql.join(where, sql` AND `);
}

/** The audit entry of a bulk action: its filter in the detail, how many it changed. */
export const bulkAudit =
  (action: 'pool.retry' | 'pool.discard', pool: string, status: string, error: ErrorFilter | undefined) =>
  (n: number): AuditFields => ({
    action,
    target: pool,
    detail: error === undefined ? { status } : error !== null && typeof error === 'object' ? { status, fingerprint: error.fingerprint } : { status, error },
    changed: n,
  });
