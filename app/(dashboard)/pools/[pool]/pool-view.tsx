'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorGroups } from '@/components/ErrorGroups';
import { FilterTabs } from '@/components/FilterTabs';
import { formatAge, plural } from '@/components/format';
import { Holders } from '@/components/Holders';
import { ItemsTable } from '@/components/ItemsTable';
import { PoolSettingsForm } from '@/components/PoolSettingsForm';
import { Badge, Button, Card, Empty, ErrorState, Loading } from '@/components/ui';
import { ITEM_STATUSES, ItemStatus } from '@/lib/contracts';
import { useConfirmAction } from '@/lib/query/actions';
import { useNow } from '@/lib/query/clock';
import {
  useDiscardPoisoned,
  useErrorGroups,
  usePool,
  usePoolHolders,
  usePoolItems,
  usePausePool,
  usePoolSettings,
  useReleaseInPool,
  useRetryPoisoned,
  useUpdatePoolSettings,
} from '@/lib/query/hooks';
import { useCan } from '@/lib/query/session';

const errorLabel = (e: string | null) => (e === null ? 'items with no error message' : `items failing with “${e.length > 80 ? `${e.slice(0, 79)}…` : e}”`);

export function PoolView({ pool }: { pool: string }) {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const parsedStatus = ItemStatus.safeParse(search.get('status'));
  const status = parsedStatus.success ? parsedStatus.data : undefined;
  const q = search.get('q') ?? '';
  const cursor = search.get('cursor') ?? undefined;
  const [draft, setDraft] = useState(q);
  const [history, setHistory] = useState<string[]>([]);
  const now = useNow();

  const summary = usePool(pool);
  const items = usePoolItems(pool, { status, q: q || undefined, cursor });
  const groups = useErrorGroups(pool, status === 'poisoned');
  const holders = usePoolHolders(pool);
  const ask = useConfirmAction();
  const retry = useRetryPoisoned(pool);
  const discard = useDiscardPoisoned(pool);
  const release = useReleaseInPool(pool);
  const settings = usePoolSettings(pool);
  const pause = usePausePool(pool);
  const updateSettings = useUpdatePoolSettings(pool);
  const can = useCan();

  /** The address is the state: tab, search and page can be bookmarked and shared. */
  const go = (next: { status?: ItemStatus | undefined; q?: string; cursor?: string | undefined }) => {
    const qs = new URLSearchParams();
    const s = 'status' in next ? next.status : status;
    const text = next.q ?? q;
    if (s) qs.set('status', s);
    if (text) qs.set('q', text);
    if (next.cursor) qs.set('cursor', next.cursor);
    router.push(qs.size ? `${pathname}?${qs}` : pathname);
  };
  const tabHref = (s: ItemStatus | undefined) => {
    const qs = new URLSearchParams();
    if (s) qs.set('status', s);
    if (q) qs.set('q', q);
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
            can('retry') && (
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
            )
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

      <Card
        title="Items"
        actions={
          <form
            role="search"
            className="flex gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setHistory([]);
              go({ q: draft.trim(), cursor: undefined });
            }}
          >
            <label htmlFor="item-search" className="sr-only">
              Search item data
            </label>
            <input
              id="item-search"
              type="search"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              placeholder="Search data…"
              maxLength={200}
              className="w-48 rounded border border-slate-300 px-2 py-1 text-sm sm:w-64"
            />
            <Button type="submit">Search</Button>
          </form>
        }
      >
        {items.isPending ? (
          <Loading what="items" />
        ) : items.isError ? (
          <ErrorState error={items.error} onRetry={() => void items.refetch()} />
        ) : items.data.items.length === 0 ? (
          <Empty>{q ? `No ${status ?? ''} items whose data contains “${q}”.` : `No ${status ?? ''} items in this pool.`}</Empty>
        ) : (
          <div className={items.isPlaceholderData ? 'opacity-60' : undefined}>
            <ItemsTable items={items.data.items} />
          </div>
        )}
        <div className="flex items-center justify-between gap-2 border-t border-slate-100 px-4 py-2 text-sm">
          <Button
            disabled={!cursor}
            onClick={() => {
              const prev = history.slice(0, -1);
              const back = history[history.length - 1];
              setHistory(prev);
              go({ cursor: back || undefined });
            }}
          >
            ← Previous
          </Button>
          <Button
            disabled={!items.data?.next_cursor}
            onClick={() => {
              setHistory([...history, cursor ?? '']);
              go({ cursor: items.data?.next_cursor ?? undefined });
            }}
          >
            Next →
          </Button>
        </div>
      </Card>

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
