'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { ErrorGroups } from '@/components/ErrorGroups';
import { FilterTabs } from '@/components/FilterTabs';
import { formatAge, plural } from '@/components/format';
import { Holders } from '@/components/Holders';
import { PoolSettingsForm } from '@/components/PoolSettingsForm';
import { Badge, Button, Card, Empty, ErrorState, Loading } from '@/components/ui';
import { ITEM_STATUSES, ItemStatus } from '@/lib/contracts';
import { useConfirmAction } from '@/components/Actions';
import { useNow } from '@/lib/query/clock';
import {
  useDiscardPoisoned,
  useErrorGroups,
  usePool,
  usePoolHolders,
  usePausePool,
  usePoolSettings,
  useReleaseInPool,
  useRetryPoisoned,
  useUpdatePoolSettings,
} from '@/lib/query/hooks';
import { viewParams, type ItemView } from '@/lib/query/keys';
import { useCan } from '@/lib/query/session';
import { ItemsCard } from './items-card';

const errorLabel = (e: string | null) => (e === null ? 'items with no error message' : `items failing with “${e.length > 80 ? `${e.slice(0, 79)}…` : e}”`);

export function PoolView({ pool }: { pool: string }) {
  const search = useSearchParams();
  const pathname = usePathname();
  const parsedStatus = ItemStatus.safeParse(search.get('status'));
  const status = parsedStatus.success ? parsedStatus.data : undefined;
  const q = search.get('q') ?? '';
  const older = Number(search.get('older_than_seconds'));
  /** The address is the state: tab, search, filters, order and page can be bookmarked and shared. */
  const view: ItemView = {
    status,
    q: q || undefined,
    fingerprint: search.get('fingerprint') || undefined,
    worker_id: search.get('worker_id') || undefined,
    older_than_seconds: Number.isFinite(older) && older > 0 ? older : undefined,
    order: search.get('order') === 'desc' ? 'desc' : undefined,
    cursor: search.get('cursor') ?? undefined,
  };
  const now = useNow();

  const summary = usePool(pool);
  // Also the item filter's choices of error group, on every tab.
  const groups = useErrorGroups(pool);
  const holders = usePoolHolders(pool);
  const ask = useConfirmAction();
  const retry = useRetryPoisoned(pool);
  const discard = useDiscardPoisoned(pool);
  const release = useReleaseInPool(pool);
  const settings = usePoolSettings(pool);
  const pause = usePausePool(pool);
  const updateSettings = useUpdatePoolSettings(pool);
  const can = useCan();

  /** A tab keeps the search and the filters, and starts at the first page. */
  const tabHref = (s: ItemStatus | undefined) => {
    const qs = viewParams({ ...view, status: s });
    return qs.size ? `${pathname}?${qs}` : pathname;
  };

  const s = summary.data;
  return (
    <>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="flex items-baseline gap-2 text-xl font-semibold">
          <span>
            Pool <span className="font-mono wrap-anywhere">{pool}</span>
          </span>
          {s?.paused && (
            <Badge tone="amber" title="Claims of this pool get nothing until it is resumed">
              paused
            </Badge>
          )}
        </h1>
        <div className="flex flex-wrap items-center gap-3">
          {s && (
            <p className="text-sm text-slate-600 tabular-nums" data-testid="pool-summary">
              {s.scheduled > 0 && `${s.scheduled} scheduled · `}
              {s.pending} pending · {s.claimed} claimed · {s.completed} completed · {s.poisoned} poisoned
              {s.oldest_pending_at && ` · oldest pending ${formatAge(now - Date.parse(s.oldest_pending_at))}`}
            </p>
          )}
          {s && can('pause') && (
            <Button
              kind={s.paused ? 'primary' : 'default'}
              onClick={() =>
                ask(
                  s.paused
                    ? {
                      title: `Resume pool ${pool}`,
                      detail: `Workers' claims get this pool's ${plural(s.pending, 'pending item')} again; waiting claims get them at once.`,
                      expected: 1,
                      confirmLabel: 'Resume pool',
                      act: () => pause.mutateAsync(false),
                    }
                    : {
                      title: `Pause pool ${pool}`,
                      detail: 'Claims of this pool get nothing until it is resumed. Items already claimed finish; pushes, completions and failures go on.',
                      expected: 1,
                      confirmLabel: 'Pause pool',
                      act: () => pause.mutateAsync(true),
                    },
                )
              }
            >
              {s.paused ? 'Resume pool' : 'Pause pool'}
            </Button>
          )}
        </div>
        {summary.isError && <ErrorState error={summary.error} onRetry={() => void summary.refetch()} />}
      </div>

      <FilterTabs
        label="Item status"
        tabs={[undefined, ...ITEM_STATUSES].map((t) => ({
          label: t ?? 'all',
          href: tabHref(t),
          count: t && s ? s[t] : undefined,
          current: t === status,
        }))}
      />

      {status === 'poisoned' && (
        <Card
          title="Poisoned, grouped by error"
          actions={
            <div className="flex flex-wrap gap-2">
              {can('retry') && (
                <Button
                  kind="primary"
                  disabled={!s?.poisoned}
                  onClick={() =>
                    ask({
                      title: `Retry all poisoned items of ${pool}`,
                      detail: 'Every poisoned item of this pool goes back to pending with its attempts reset to 0.',
                      expected: s?.poisoned ?? 0,
                      confirmLabel: `Retry ${plural(s?.poisoned ?? 0, 'item')}`,
                      act: () => retry.mutateAsync(undefined),
                    })
                  }
                >
                  Retry all poisoned
                </Button>
              )}
              {can('discard') && (
                <Button
                  kind="danger"
                  disabled={!s?.poisoned}
                  onClick={() =>
                    ask({
                      title: `Discard all poisoned items of ${pool}`,
                      detail: 'Every poisoned item of this pool is deleted for good.',
                      expected: s?.poisoned ?? 0,
                      confirmLabel: `Discard ${plural(s?.poisoned ?? 0, 'item')}`,
                      act: () => discard.mutateAsync(undefined),
                    })
                  }
                >
                  Discard all poisoned
                </Button>
              )}
            </div>
          }
        >
          {groups.isPending ? (
            <Loading what="error groups" />
          ) : groups.isError ? (
            <ErrorState error={groups.error} onRetry={() => void groups.refetch()} />
          ) : groups.data.length === 0 ? (
            <Empty>Nothing is poisoned in this pool.</Empty>
          ) : (
            <ErrorGroups
              groups={groups.data}
              onRetry={
                can('retry')
                  ? (g) =>
                    ask({
                      title: 'Retry error group',
                      detail: `The poisoned ${errorLabel(g.fingerprint)} go back to pending with attempts reset to 0.`,
                      expected: g.count,
                      confirmLabel: `Retry ${plural(g.count, 'item')}`,
                      act: () => retry.mutateAsync(g.fingerprint),
                    })
                  : undefined
              }
              onDiscard={
                can('discard')
                  ? (g) =>
                    ask({
                      title: 'Discard error group',
                      detail: `The poisoned ${errorLabel(g.fingerprint)} are deleted for good.`,
                      expected: g.count,
                      confirmLabel: `Discard ${plural(g.count, 'item')}`,
                      act: () => discard.mutateAsync(g.fingerprint),
                    })
                  : undefined
              }
            />
          )}
        </Card>
      )}

      <ItemsCard pool={pool} view={view} groups={groups.data ?? []} />

      <Card title="Settings">
        {settings.isPending ? (
          <Loading what="settings" />
        ) : settings.isError ? (
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        ) : (
          <PoolSettingsForm
            settings={settings.data}
            onSave={
              can('settings')
                ? (patch) =>
                  ask({
                    title: `Change the settings of ${pool}`,
                    detail: `Items pushed from now on without their own get max retries ${patch.max_retries}; failed items back off as the new policy says.`,
                    expected: 1,
                    confirmLabel: 'Save settings',
                    act: () => updateSettings.mutateAsync(patch),
                  })
                : undefined
            }
          />
        )}
      </Card>

      <Card title="Claimed by">
        {holders.isPending ? (
          <Loading what="holders" />
        ) : holders.isError ? (
          <ErrorState error={holders.error} onRetry={() => void holders.refetch()} />
        ) : holders.data.length === 0 ? (
          <Empty>No worker holds items of this pool.</Empty>
        ) : (
          <Holders
            holders={holders.data}
            now={now}
            onRelease={
              can('release')
                ? (h) =>
                  ask({
                    title: `Release ${h.worker_id}'s items in ${pool}`,
                    detail: `The items ${h.worker_id} holds in this pool go back to pending (attempts kept).`,
                    expected: h.claimed,
                    confirmLabel: `Release ${plural(h.claimed, 'item')}`,
                    act: () => release.mutateAsync(h.worker_id),
                  })
                : undefined
            }
          />
        )}
      </Card>
    </>
  );
}
