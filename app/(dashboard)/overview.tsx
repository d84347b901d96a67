'use client';

import { PoolsTable } from '@/components/PoolsTable';
import { Card, Empty, ErrorState, Loading } from '@/components/ui';
import { WorkerTotals } from '@/components/WorkerTotals';
import { useNow } from '@/lib/query/clock';
import { usePools, useThroughput, useWorkers } from '@/lib/query/hooks';
import { useHubSettings } from '@/lib/query/provider';
import { isStale, poolHealth, unpooledLiveWorkers, workerTotals } from '@/lib/query/rules';

const MINUTES = 60;

export function Overview() {
  const pools = usePools();
  const workers = useWorkers();
  const throughput = useThroughput(MINUTES);
  const { staleSeconds } = useHubSettings();
  const now = useNow();
  const ws = workers.data ?? [];
  const unpooled = unpooledLiveWorkers(ws, staleSeconds, now);

  return (
    <>
      <h1 className="text-xl font-semibold">Overview</h1>
      <Card title="Pools">
        {pools.isPending ? (
          <Loading what="pools" />
        ) : pools.isError ? (
          <ErrorState error={pools.error} onRetry={() => void pools.refetch()} />
        ) : pools.data.length === 0 ? (
          <Empty>No pools yet. A pool appears once an item is pushed to it (POST /api/v1/pools/&#123;pool&#125;/items).</Empty>
        ) : (
          <>
            <PoolsTable
              now={now}
              minutes={MINUTES}
              rows={pools.data.map((p) => ({
                pool: p,
                health: poolHealth(p, ws, staleSeconds, now),
                throughput: throughput.data?.pools.find((t) => t.pool === p.name),
              }))}
            />
            <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
              Chart: completed (green) and failed (red) per minute. &ldquo;No live worker&rdquo;: pending items and no active
              worker with a fresh heartbeat registered for the pool (pool_id).
              {unpooled > 0 && ` ${unpooled} live worker${unpooled === 1 ? '' : 's'} without a pool may take from any pool.`}
              {throughput.isError && ' Throughput could not be loaded.'}
            </p>
          </>
        )}
      </Card>
      <Card title="Workers">
        <div className="p-4">
          {workers.isPending ? (
            <Loading what="workers" />
          ) : workers.isError ? (
            <ErrorState error={workers.error} onRetry={() => void workers.refetch()} />
          ) : (
            <WorkerTotals totals={workerTotals(ws)} stale={ws.filter((w) => isStale(w, staleSeconds, now)).length} />
          )}
        </div>
      </Card>
    </>
  );
}
