'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { FilterTabs } from '@/components/FilterTabs';
import { plural } from '@/components/format';
import { Card, Empty, ErrorState, Loading } from '@/components/ui';
import { WorkersTable } from '@/components/WorkersTable';
import { useConfirmAction } from '@/components/Actions';
import { useNow } from '@/lib/query/clock';
import { useClaimedItems, useDrainWorker, usePools, useReleaseWorker, useWorkers } from '@/lib/query/hooks';
import { useWorkerStats } from '@/lib/query/dashboard';
import { useHubSettings } from '@/lib/query/provider';
import { useCan } from '@/lib/query/session';
import { WORKER_STATUSES } from '@/lib/contracts';
import { heartbeatAgeMs, heldBy, isStale, sortWorkers, uptimeMs, workerTotals } from '@/lib/query/rules';

/** `?show=` values: a status, `stale`, or nothing for every worker. */
const SHOWS = [...WORKER_STATUSES, 'stale'] as const;
type Show = (typeof SHOWS)[number];
/** `?terminated=shown`: the unfiltered list includes terminated workers (hidden by default). */
const SHOWN = 'shown';

export function WorkersView() {
  const workers = useWorkers();
  const { staleSeconds, reapIntervalSeconds } = useHubSettings();
  const now = useNow(500);
  const ask = useConfirmAction();
  const release = useReleaseWorker();
  const drain = useDrainWorker();
  const can = useCan();
  const pathname = usePathname();
  const router = useRouter();
  const search = useSearchParams();
  const raw = search.get('show');
  const show = SHOWS.find((x) => x === raw);
  const withTerminated = search.get('terminated') === SHOWN;
  const all = workers.data ?? [];
  const totals = workerTotals(all);
  const staleCount = all.filter((w) => isStale(w, staleSeconds, now)).length;
  const listed = (w: (typeof all)[number]) =>
    show ? (show === 'stale' ? isStale(w, staleSeconds, now) : w.status === show) : withTerminated || w.status !== 'terminated';
  const visible = sortWorkers(all.filter(listed));
  const hiddenTerminated = !show && !withTerminated ? totals.terminated : 0;
  // Every item a worker holds: the claimed items of each pool that has any.
  const pools = usePools();
  const claimed = useClaimedItems((pools.data ?? []).filter((p) => p.claimed > 0).map((p) => p.name));
  const held = heldBy(claimed.items);
  const stats = useWorkerStats();
  const tab = (x: Show | undefined) => ({
    label: x ?? 'all',
    href: x ? `${pathname}?show=${x}` : withTerminated ? `${pathname}?terminated=${SHOWN}` : pathname,
    count: workers.data ? (x === undefined ? all.length - hiddenTerminated : x === 'stale' ? staleCount : totals[x]) : undefined,
    current: x === show,
  });

  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-xl font-semibold">Workers</h1>
        <p className="text-sm text-slate-500">
          Running workers first, freshest heartbeat first. Stale after {staleSeconds} s without a heartbeat; the reaper runs every{' '}
          {reapIntervalSeconds} s. Done / failed: items each completed and attempts it failed, of the items the hub keeps.
        </p>
      </div>
      <FilterTabs label="Worker status" tabs={[undefined, ...SHOWS].map(tab)} />
      {!show && (
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input
            type="checkbox"
            checked={withTerminated}
            onChange={(e) => router.replace(e.target.checked ? `${pathname}?terminated=${SHOWN}` : pathname)}
            className="size-4"
          />
          Show terminated workers{workers.data && ` (${totals.terminated})`}
        </label>
      )}
      <Card>
        {workers.isPending ? (
          <Loading what="workers" />
        ) : workers.isError ? (
          <ErrorState error={workers.error} onRetry={() => void workers.refetch()} />
        ) : all.length === 0 ? (
          <Empty>No workers have registered yet (POST /api/v1/workers).</Empty>
        ) : visible.length === 0 ? (
          <Empty>{show ? `No ${show} workers.` : `No running workers; ${plural(hiddenTerminated, 'terminated one is', 'terminated ones are')} hidden.`}</Empty>
        ) : (
          <WorkersTable
            staleSeconds={staleSeconds}
            rows={visible.map((w) => ({
              worker: w,
              heartbeatAgeMs: heartbeatAgeMs(w, now),
              uptimeMs: uptimeMs(w, now),
              stale: isStale(w, staleSeconds, now),
              held: held.get(w.worker_id) ?? [],
              stats: stats.data ? (stats.data.get(w.worker_id) ?? { completed: 0, failed: 0 }) : undefined,
            }))}
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
        {claimed.error && (
          <p role="alert" className="border-t border-slate-100 px-4 py-2 text-sm text-red-800">
            The items each worker holds could not be loaded: {claimed.error.message}
          </p>
        )}
      </Card>
    </>
  );
}
