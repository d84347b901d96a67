/**
 * Narrowing a pool's items by error group, worker, age and id: the conditions both engines add to
 * listings, counts and bulk actions. Both Drizzle schemas name these columns alike, and the
 * conditions use nothing dialect-specific, so one builder serves both.
 */
import { and, eq, inArray, isNull, lte, sql, type Column, type SQL } from 'drizzle-orm';
import type { ItemCountQuery } from '@/lib/contracts';
import { parseItemId } from './values';
import type { ItemFilter } from './types';

/** The item columns a filter looks at, of either engine's table. */
export interface FilterColumns {
  id: Column;
  pool: Column;
  status: Column;
  claimedBy: Column;
  createdAt: Column;
  lastError: Column;
  errorFingerprint: Column;
}

/** What error groups group on: the fingerprint, or the exact text of items failed before fingerprints. */
export const groupKeyOf = (c: FilterColumns): SQL<string | null> => sql`coalesce(${c.errorFingerprint}, ${c.lastError})`;

/**
 * The conditions of an ItemFilter; `now` is the store's clock, which `olderThanSeconds` counts
 * back from. Ids that are not ours match nothing (a list of only such ids matches no item).
 */
export function filterConditions(c: FilterColumns, f: ItemFilter, now: number): SQL[] {
  const where: SQL[] = [];
  if (f.error === null) where.push(isNull(c.lastError));
  else if (f.error !== undefined) where.push(eq(c.lastError, f.error));
  if (f.fingerprint === null) where.push(isNull(groupKeyOf(c)));
  else if (f.fingerprint !== undefined) where.push(eq(groupKeyOf(c), f.fingerprint));
  if (f.workerId !== undefined) where.push(eq(c.claimedBy, f.workerId));
  if (f.olderThanSeconds !== undefined) where.push(lte(c.createdAt, now - Math.round(f.olderThanSeconds * 1000)));
  if (f.ids !== undefined) {
    const ids = f.ids.map(parseItemId).filter((id): id is number => id !== null);
    where.push(ids.length ? inArray(c.id, ids) : sql`1 = 0`);
  }
  return where;
}

/** A listing's or count's query as an ItemFilter (the query form has no null fingerprint and no ids). */
export const filterOfQuery = (q: ItemCountQuery): ItemFilter => ({
  ...(q.fingerprint !== undefined && { fingerprint: q.fingerprint }),
  ...(q.worker_id !== undefined && { workerId: q.worker_id }),
  ...(q.older_than_seconds !== undefined && { olderThanSeconds: q.older_than_seconds }),
});

/** The guard of a bulk action: the pool, the status and the filter (an ErrorFilter as HubStore takes it). */
export function bulkConditions(c: FilterColumns, pool: string, status: string, filter: ItemFilter | string | null | undefined, now: number): SQL {
  const f: ItemFilter = filter === undefined ? {} : filter === null || typeof filter === 'string' ? { error: filter } : filter;
  return and(eq(c.pool, pool), eq(c.status, status), ...filterConditions(c, f, now))!;
}

/** Audit detail of a bulk action: the status and each filter given, in the API's names. */
export function bulkDetail(status: string, filter: ItemFilter | string | null | undefined): Record<string, unknown> {
  const f: ItemFilter = filter === undefined ? {} : filter === null || typeof filter === 'string' ? { error: filter } : filter;
  return {
    status,
    ...(f.error !== undefined && { error: f.error }),
    ...(f.fingerprint !== undefined && { fingerprint: f.fingerprint }),
    ...(f.workerId !== undefined && { worker_id: f.workerId }),
    ...(f.olderThanSeconds !== undefined && { older_than_seconds: f.olderThanSeconds }),
    ...(f.ids !== undefined && { ids: f.ids }),
  };
}
