'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { Discarded, ItemCount, QueueLatency, Retried, WorkerStatsList, type PoolBulkBody } from '@/lib/contracts';
import { apiCall, enc } from './fetch';
import { queryKeys, viewParams, type ItemView } from './keys';
import { useRefresh } from './refresh';

/** How many items match the view's filters (every page); asked only when `enabled`. */
export function useItemCount(pool: string, v: ItemView, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.poolItemCount(pool, v),
    queryFn: ({ signal }) => apiCall(`/pools/${enc(pool)}/items/count?${viewParams(v)}`, ItemCount, { signal }).then((r) => r.count),
    enabled,
    refetchInterval: useRefresh().refetchInterval,
  });
}

/** The filter part of a bulk body (PoolBulkBody without `status`). */
export type BulkFilter = Omit<z.input<typeof PoolBulkBody>, 'status'>;
/** Retries or discards a pool's items in `status` matching a filter; resolves to how many changed. */
export function useBulkItems(pool: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ action, status, filter }: { action: 'retry' | 'discard'; status: 'poisoned' | 'completed'; filter: BulkFilter }) =>
      action === 'retry'
        ? apiCall(`/pools/${enc(pool)}/retry`, Retried, { method: 'POST', body: { status, ...filter } }).then((r) => r.retried)
        : apiCall(`/pools/${enc(pool)}/discard`, Discarded, { method: 'POST', body: { status, ...filter } }).then((r) => r.discarded),
    onSettled: () => client.invalidateQueries({ queryKey: queryKeys.all }),
  });
}

/** Completed and failed counts per worker id. */
export function useWorkerStats() {
  return useQuery({
    queryKey: queryKeys.workerStats(),
    queryFn: ({ signal }) => apiCall('/stats/workers', WorkerStatsList, { signal }).then((r) => new Map(r.workers.map((w) => [w.worker_id, w]))),
    refetchInterval: useRefresh().refetchInterval,
    placeholderData: (previous) => previous,
  });
}

/** Push-to-first-claim latency per pool over the last `minutes`. */
export function useQueueLatency(minutes: number) {
  return useQuery({
    queryKey: queryKeys.latency(minutes),
    queryFn: ({ signal }) => apiCall(`/stats/latency?minutes=${minutes}`, QueueLatency, { signal }),
    refetchInterval: useRefresh().refetchInterval,
    placeholderData: (previous) => previous,
  });
}
