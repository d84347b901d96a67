'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { FilterTabs } from '@/components/FilterTabs';
import { plural } from '@/components/format';
import { Card, Empty, ErrorState, Loading } from '@/components/ui';
import { WorkersTable } from '@/components/WorkersTable';
import { useConfirmAction } from '@/lib/query/actions';
import { useNow } from '@/lib/query/clock';
import { useDrainWorker, useReleaseWorker, useWorkers } from '@/lib/query/hooks';
import { useHubSettings } from '@/lib/query/provider';
import { useCan } from '@/lib/query/session';
import { WORKER_STATUSES } from '@/lib/contracts';
import { heartbeatAgeMs, isStale, workerTotals } from '@/lib/query/rules';

/** `?show=` values: a status, `stale`, or nothing for every worker. */
const SHOWS = [...WORKER_STATUSES, 'stale'] as const;
type Show = (typeof SHOWS)[number];

export function WorkersView() {
  const workers = useWorkers();
  const { staleSeconds, reapIntervalSeconds } = useHubSettings();
  const now = useNow(500);
  const ask = useConfirmAction();
  const release = useReleaseWorker();
  const drain = useDrainWorker();
  const can = useCan();
  const pathname = usePathname();
  const raw = useSearchParams().get('show');
  const show = SHOWS.find((x) => x === raw);
  const all = workers.data ?? [];
  const totals = workerTotals(all);
  const staleCount = all.filter((w) => isStale(w, staleSeconds, now)).length;
  const visible = all.filter((w) => !show || (show === 'stale' ? isStale(w, staleSeconds, now) : w.status === show));
  const tab = (x: Show | undefined) => ({
    label: x ?? 'all',
    href: x ? `${pathname}?show=${x}` : pathname,
    count: workers.data ? (x === undefined ? all.length : x === 'stale' ? staleCount : totals[x]) : undefined,
    current: x === show,
  });

  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Workers</h1>
        <p className="text-sm text-slate-500">
          Stale after {staleSeconds} s without a heartbeat; the reaper runs every {reapIntervalSeconds} s.
        </p>
      </div>
      <FilterTabs label="Worker status" tabs={[undefined, ...SHOWS].map(tab)} />
      <Card>
        {workers.isPending ? (
          <Loading what="workers" />
        ) : workers.isError ? (
          <ErrorState error={workers.error} onRetry={() => void workers.refetch()} />
        ) : all.length === 0 ? (
          <Empty>No workers have registered yet (POST /api/v1/workers).</Empty>
        ) : visible.length === 0 ? (
          <Empty>No {show} workers.</Empty>
        ) : (
          <WorkersTable
            staleSeconds={staleSeconds}
            rows={visible.map((w) => ({ worker: w, heartbeatAgeMs: heartbeatAgeMs(w, now), stale: isStale(w, staleSeconds, now) }))}
            onRelease={
              can('release')
                ? (w) =>
                  ask({
                    title: `Release items of ${w.worker_id}`,
                    detail: `Every item ${w.worker_id} holds, in every pool, goes back to pending (attempts kept). If the worker is still running, its completions will be refused.`,
                    expected: w.claimed_count,
                    confirmLabel: `Release ${plural(w.claimed_count, 'item')}`,
                    act: () => release.mutateAsync(w.worker_id),
                  })
                : undefined
            }
            onDrain={
              can('drain')
                ? (w) =>
                  ask({
                    title: `Drain ${w.worker_id}`,
                    detail: `${w.worker_id} is asked to finish its current work and stop (status terminating). It gets no new items; the ${plural(w.claimed_count, 'item')} it holds stay with it.`,
                    expected: 1,
                    noun: 'worker',
                    confirmLabel: 'Drain worker',
                    act: () => drain.mutateAsync(w.worker_id),
                  })
                : undefined
            }
          />
        )}
      </Card>
    </>
  );
}
