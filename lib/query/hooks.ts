'use client';

import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  AuditPage,
  Discarded,
  IssuedToken,
  TokenInfo,
  TokenList,
  type IssueTokenBody,
  ErrorGroupList,
  ItemDetail,
  ItemPage,
  LIST_LIMIT_MAX,
  PoolHolderList,
  PoolList,
  PoolSettings,
  PoolSummary,
  type PoolSettingsPatch,
  Released,
  Retried,
  Throughput,
  WorkerList,
  WorkerRecord,
  WorkItem,
  type ItemStatus,
} from '@/lib/contracts';
import { apiCall, enc } from './fetch';
import { queryKeys } from './keys';
import { useRefresh } from './refresh';

/** Every query polls on the one refresh interval. */
const useInterval = () => useRefresh().refetchInterval;
// Lists keep showing what they had while the next page, tab or search loads:
// `placeholderData: (previous) => previous` below.

// --- reads -------------------------------------------------------------------------------
export function usePools() {
  return useQuery({
    queryKey: queryKeys.pools(),
    queryFn: ({ signal }) => apiCall('/pools', PoolList, { signal }).then((r) => r.pools),
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

export function usePool(name: string) {
  return useQuery({
    queryKey: queryKeys.poolSummary(name),
    queryFn: ({ signal }) => apiCall(`/pools/${enc(name)}`, PoolSummary, { signal }),
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

/** A pool's settings: default max_retries and backoff, and whether it is paused. */
export function usePoolSettings(name: string) {
  return useQuery({
    queryKey: queryKeys.poolSettings(name),
    queryFn: ({ signal }) => apiCall(`/pools/${enc(name)}/settings`, PoolSettings, { signal }),
    refetchInterval: useInterval(),
  });
}

const ITEM_PAGE_SIZE = 50;

export function usePoolItems(name: string, f: { status?: ItemStatus | undefined; q?: string | undefined; cursor?: string | undefined }) {
  return useQuery({
    queryKey: queryKeys.poolItems(name, f),
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(ITEM_PAGE_SIZE) });
      if (f.status) qs.set('status', f.status);
      if (f.q) qs.set('q', f.q);
      if (f.cursor) qs.set('cursor', f.cursor);
      return apiCall(`/pools/${enc(name)}/items?${qs}`, ItemPage, { signal });
    },
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

export function useErrorGroups(name: string, enabled = true) {
  return useQuery({
    queryKey: queryKeys.poolErrors(name),
    queryFn: ({ signal }) => apiCall(`/pools/${enc(name)}/errors`, ErrorGroupList, { signal }).then((r) => r.groups),
    enabled,
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

export function usePoolHolders(name: string) {
  return useQuery({
    queryKey: queryKeys.poolHolders(name),
    queryFn: ({ signal }) => apiCall(`/pools/${enc(name)}/holders`, PoolHolderList, { signal }).then((r) => r.holders),
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

/**
 * The claimed items of these pools, oldest first: one call per pool, at most LIST_LIMIT_MAX items
 * each (a worker's `claimed_count` still says how many it holds when a pool has more).
 */
export function useClaimedItems(pools: string[]) {
  const refetchInterval = useInterval();
  return useQueries({
    queries: pools.map((name) => ({
      queryKey: queryKeys.poolClaimed(name),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        apiCall(`/pools/${enc(name)}/items?status=claimed&limit=${LIST_LIMIT_MAX}`, ItemPage, { signal }),
      refetchInterval,
      placeholderData: (previous: z.output<typeof ItemPage> | undefined) => previous,
    })),
    combine: (results) => ({
      items: results.flatMap((r) => r.data?.items ?? []),
      error: results.find((r) => r.isError)?.error ?? null,
    }),
  });
}

export function useWorkers() {
  return useQuery({
    queryKey: queryKeys.workers(),
    queryFn: ({ signal }) => apiCall('/workers', WorkerList, { signal }).then((r) => r.workers),
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

export function useItem(id: string) {
  return useQuery({
    queryKey: queryKeys.item(id),
    queryFn: ({ signal }) => apiCall(`/items/${enc(id)}`, ItemDetail, { signal }),
    refetchInterval: useInterval(),
    retry: (n, err) => (err as { status?: number }).status !== 404 && n < 2,
  });
}

export function useThroughput(minutes = 60) {
  return useQuery({
    queryKey: queryKeys.throughput(minutes),
    queryFn: ({ signal }) => apiCall(`/stats/throughput?minutes=${minutes}`, Throughput, { signal }),
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

export const AUDIT_PAGE_SIZE = 50;
/** A filtered Audit page looks through this many entries at a time (the API's largest page). */
export const AUDIT_FILTERED_PAGE_SIZE = 500;

/**
 * One page of the audit trail, newest first; `cursor` is a `next_cursor` from the page before,
 * `limit` how many entries the page holds.
 */
export function useAudit(cursor: string | undefined, enabled: boolean, limit = AUDIT_PAGE_SIZE) {
  return useQuery({
    queryKey: queryKeys.auditPage(cursor, limit),
    enabled,
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ limit: String(limit) });
      if (cursor) qs.set('cursor', cursor);
      return apiCall(`/audit?${qs}`, AuditPage, { signal });
    },
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

/** Issued tokens (operator only); `enabled` false for other roles, whom the hub refuses. */
export function useTokens(enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.tokens(),
    queryFn: ({ signal }) => apiCall('/tokens', TokenList, { signal }).then((r) => r.tokens),
    enabled,
    refetchInterval: useInterval(),
    placeholderData: (previous) => previous,
  });
}

/** Issues a token; the answer holds its secret, which the hub never shows again. */
export function useIssueToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: IssueTokenBody) => apiCall('/tokens', IssuedToken, { method: 'POST', body }),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.all }),
  });
}

// --- writes: each resolves to how many items it changed ------------------------------------
function useAct<V>(fn: (v: V) => Promise<number>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    // Live events refresh too; this makes the result visible even with the event stream down.
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.all }),
  });
}

export const useReleaseWorker = () =>
  useAct((workerId: string) =>
    apiCall(`/workers/${enc(workerId)}/release`, Released, { method: 'POST' }).then((r) => r.released),
  );

/** Asks a worker to drain: status `terminating`. Changes no item; resolves to 1 (the worker). */
export const useDrainWorker = () =>
  useAct((workerId: string) =>
    apiCall(`/workers/${enc(workerId)}`, WorkerRecord, { method: 'PATCH', body: { status: 'terminating' } }).then(
      (w) => (w.status === 'terminating' ? 1 : 0),
    ),
  );

export const useReleaseInPool = (pool: string) =>
  useAct((workerId: string) =>
    apiCall(`/pools/${enc(pool)}/release`, Released, { method: 'POST', body: { worker_id: workerId } }).then(
      (r) => r.released,
    ),
  );

/** `fingerprint` undefined: every poisoned item of the pool; a string or null: that error group. */
export const useRetryPoisoned = (pool: string) =>
  useAct((fingerprint: string | null | undefined) =>
    apiCall(`/pools/${enc(pool)}/retry`, Retried, {
      method: 'POST',
      body: fingerprint === undefined ? { status: 'poisoned' } : { status: 'poisoned', fingerprint },
    }).then((r) => r.retried),
  );

export const useDiscardPoisoned = (pool: string) =>
  useAct((fingerprint: string | null | undefined) =>
    apiCall(`/pools/${enc(pool)}/discard`, Discarded, {
      method: 'POST',
      body: fingerprint === undefined ? { status: 'poisoned' } : { status: 'poisoned', fingerprint },
    }).then((r) => r.discarded),
  );

/** Pauses (true) or resumes (false) a pool; resolves to 1 (the pool). */
export const usePausePool = (pool: string) =>
  useAct((paused: boolean) => apiCall(`/pools/${enc(pool)}/${paused ? 'pause' : 'resume'}`, PoolSettings, { method: 'POST' }).then(() => 1));

export const useUpdatePoolSettings = (pool: string) =>
  useAct((patch: PoolSettingsPatch) => apiCall(`/pools/${enc(pool)}/settings`, PoolSettings, { method: 'PATCH', body: patch }).then(() => 1));

/** A scheduled item pending now; resolves to 1. */
export const useRunItem = () =>
  useAct((id: string) => apiCall(`/items/${enc(id)}/run`, WorkItem, { method: 'POST' }).then(() => 1));

export const useRetryItem = () =>
  useAct((id: string) => apiCall(`/items/${enc(id)}/retry`, WorkItem, { method: 'POST' }).then(() => 1));

export const useDiscardItem = () =>
  useAct((id: string) => apiCall(`/items/${enc(id)}`, z.null(), { method: 'DELETE' }).then(() => 1));

/** Revokes an issued token: its holder's next call is refused. Resolves to 1 (the token). */
export const useRevokeToken = () =>
  // The contract leaves the answer open: 204, or the token as it now is.
  useAct((id: string) => apiCall(`/tokens/${enc(id)}`, z.union([z.null(), TokenInfo]), { method: 'DELETE' }).then(() => 1));
