'use client';

import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { PoolsTable } from '@/components/PoolsTable';
import { Card, Empty, ErrorState, Loading } from '@/components/ui';
import { WorkerTotals } from '@/components/WorkerTotals';
import { useNow } from '@/lib/query/clock';
import { useQueueLatency } from '@/lib/query/dashboard';
import { usePools, useThroughput, useWorkers } from '@/lib/query/hooks';
import { useHubSettings } from '@/lib/query/provider';
import { isStale, poolHealth, THROUGHPUT_WINDOWS, unpooledLiveWorkers, workerTotals, type ThroughputWindow } from '@/lib/query/rules';

export function Overview() {
  const search = useSearchParams();
  // The address is the state: ?window=day can be bookmarked.
  const range: ThroughputWindow = search.get('window') === 'day' ? 'day' : 'hour';
  const pools = usePools();
  const workers = useWorkers();
  const throughput = useThroughput(THROUGHPUT_WINDOWS[range].minutes);
  const latency = useQueueLatency(THROUGHPUT_WINDOWS[range].minutes);
  const { staleSeconds } = useHubSettings();
  const now = useNow();
  const ws = workers.data ?? [];
  const unpooled = unpooledLiveWorkers(ws, staleSeconds, now);

  return (
    <>
      <h1 className="text-xl font-semibold">Overview</h1>
      <Card
        title="Pools"
        actions={
          <nav aria-label="Throughput window" className="flex gap-1 text-sm">
            {(Object.keys(THROUGHPUT_WINDOWS) as ThroughputWindow[]).map((w) => (
              <Link
                key={w}
                href={w === 'hour' ? '/' : '/?window=day'}
                aria-current={w === range ? 'page' : undefined}
                className={`rounded px-2 py-1 ${w === range ? 'bg-slate-800 text-white' : 'text-slate-600 hover:bg-slate-100'}`}
              >
                Last {THROUGHPUT_WINDOWS[w].label}
              </Link>
            ))}
          </nav>
        }
      >
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
              range={range}
              rows={pools.data.map((p) => ({
                pool: p,
                health: poolHealth(p, ws, staleSeconds, now),
                throughput: throughput.data?.pools.find((t) => t.pool === p.name),
                latency: latency.data?.pools.find((l) => l.pool === p.name),
              }))}
            />
            <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
              Chart: completed (green) and failed (red) per {THROUGHPUT_WINDOWS[range].unit}; beside it completed / failed /
              poisoned in the window. Wait: queue latency, push to first claim, median and 95th percentile in the window.
              &ldquo;No live worker&rdquo;: pending items and no active
              worker with a fresh heartbeat registered for the pool (pool_id).
              {unpooled > 0 && ` ${unpooled} live worker${unpooled === 1 ? '' : 's'} without a pool may take from any pool.`}
              {throughput.isError && ' Throughput could not be loaded.'}
              {latency.isError && ' Queue latency could not be loaded.'}
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
