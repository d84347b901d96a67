import type { ItemStatus } from '@/lib/contracts';

/** What the pool page's item list shows: a status tab, a search, filters, an order and a page. */
export interface ItemView {
  status?: ItemStatus | undefined;
  q?: string | undefined;
  fingerprint?: string | undefined;
  worker_id?: string | undefined;
  older_than_seconds?: number | undefined;
  order?: 'asc' | 'desc' | undefined;
  cursor?: string | undefined;
}

/** The view's filters as query parameters (no limit, no cursor: they are the caller's). */
export function viewParams(v: ItemView): URLSearchParams {
  const qs = new URLSearchParams();
  if (v.status) qs.set('status', v.status);
  if (v.q) qs.set('q', v.q);
  if (v.fingerprint) qs.set('fingerprint', v.fingerprint);
  if (v.worker_id) qs.set('worker_id', v.worker_id);
  if (v.older_than_seconds) qs.set('older_than_seconds', String(v.older_than_seconds));
  if (v.order === 'desc') qs.set('order', 'desc');
  return qs;
}

/**
 * The one factory of query keys. Keys nest, so invalidating a prefix refreshes everything under
 * it: `pool(name)` covers that pool's summary, item pages, error groups and holders.
 */
export const queryKeys = {
  all: ['hub'] as const,
  pools: () => [...queryKeys.all, 'pools'] as const,
  pool: (name: string) => [...queryKeys.all, 'pool', name] as const,
  poolSummary: (name: string) => [...queryKeys.pool(name), 'summary'] as const,
  poolItems: (name: string, v: ItemView) => [...queryKeys.pool(name), 'items', viewParams(v).toString(), v.cursor ?? ''] as const,
  /** How many items match a view's filters (every page). */
  poolItemCount: (name: string, v: ItemView) => [...queryKeys.pool(name), 'count', viewParams(v).toString()] as const,
  poolErrors: (name: string) => [...queryKeys.pool(name), 'errors'] as const,
  poolHolders: (name: string) => [...queryKeys.pool(name), 'holders'] as const,
  poolSettings: (name: string) => [...queryKeys.pool(name), 'settings'] as const,
  /** Every claimed item of a pool (up to the list limit), for the Workers page. */
  poolClaimed: (name: string) => [...queryKeys.pool(name), 'claimed'] as const,
  /** Every pool's views (for changes that touch many pools, e.g. a worker's status). */
  anyPool: () => [...queryKeys.all, 'pool'] as const,
  workers: () => [...queryKeys.all, 'workers'] as const,
  items: () => [...queryKeys.all, 'item'] as const,
  item: (id: string) => [...queryKeys.items(), id] as const,
  throughput: (minutes: number) => [...queryKeys.all, 'throughput', minutes] as const,
  latency: (minutes: number) => [...queryKeys.all, 'latency', minutes] as const,
  workerStats: () => [...queryKeys.workers(), 'stats'] as const,
  /** Who is signed in; outside `all` so that the actions' invalidation does not refetch it. */
  session: () => ['session'] as const,
  audit: () => [...queryKeys.all, 'audit'] as const,
  auditPage: (cursor: string | undefined, limit: number) => [...queryKeys.audit(), cursor ?? '', limit] as const,
  tokens: () => [...queryKeys.all, 'tokens'] as const,
};
