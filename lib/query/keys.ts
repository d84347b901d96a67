import type { ItemStatus } from '@/lib/contracts';

/**
 * The one factory of query keys. Keys nest, so invalidating a prefix refreshes everything under
 * it: `pool(name)` covers that pool's summary, item pages, error groups and holders.
 */
export const queryKeys = {
  all: ['hub'] as const,
  pools: () => [...queryKeys.all, 'pools'] as const,
  pool: (name: string) => [...queryKeys.all, 'pool', name] as const,
  poolSummary: (name: string) => [...queryKeys.pool(name), 'summary'] as const,
  poolItems: (name: string, f: { status?: ItemStatus | undefined; q?: string | undefined; cursor?: string | undefined }) =>
    [...queryKeys.pool(name), 'items', f.status ?? 'all', f.q ?? '', f.cursor ?? ''] as const,
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
  /** Who is signed in; outside `all` so that the actions' invalidation does not refetch it. */
  session: () => ['session'] as const,
  audit: () => [...queryKeys.all, 'audit'] as const,
  auditPage: (cursor: string | undefined, limit: number) => [...queryKeys.audit(), cursor ?? '', limit] as const,
  tokens: () => [...queryKeys.all, 'tokens'] as const,
};
