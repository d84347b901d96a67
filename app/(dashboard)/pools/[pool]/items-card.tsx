'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useState } from 'react';
import { plural } from '@/components/format';
import { ItemFilters, type FilterValues } from '@/components/ItemFilters';
import { ItemsTable } from '@/components/ItemsTable';
import { Button, Card, Empty, ErrorState, Loading } from '@/components/ui';
import type { ErrorGroup } from '@/lib/contracts';
import { useConfirmAction } from '@/components/Actions';
import { useBulkItems, useItemCount, type BulkFilter } from '@/lib/query/dashboard';
import { ITEM_PAGE_SIZE, usePoolItems } from '@/lib/query/hooks';
import { viewParams, type ItemView } from '@/lib/query/keys';
import { useCan } from '@/lib/query/session';

/** The filters of a view as a bulk body's (a data search has no bulk form). */
const bulkFilterOf = (v: ItemView): BulkFilter => ({
  ...(v.fingerprint && { fingerprint: v.fingerprint }),
  ...(v.worker_id && { worker_id: v.worker_id }),
  ...(v.older_than_seconds && { older_than_seconds: v.older_than_seconds }),
});

/**
 * The pool's items: search, filters (error group, worker, age), order, pages, and on the
 * poisoned and completed tabs a checkbox per row, "select all on page", "select all N
 * matching", and retry or discard of the selection. The address holds the view.
 */
export function ItemsCard({ pool, view, groups }: { pool: string; view: ItemView; groups: ErrorGroup[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const can = useCan();
  const ask = useConfirmAction();
  const bulk = useBulkItems(pool);
  const items = usePoolItems(pool, view);
  const [draft, setDraft] = useState(view.q ?? '');
  const [history, setHistory] = useState<string[]>([]);
  // The selection belongs to one view: a new filter, tab or page starts it afresh.
  const viewKey = `${viewParams(view)}#${view.cursor ?? ''}`;
  const [sel, setSel] = useState<{ key: string; ids: Set<string>; allMatching: boolean }>({ key: viewKey, ids: new Set(), allMatching: false });
  const current = sel.key === viewKey ? sel : { key: viewKey, ids: new Set<string>(), allMatching: false };
  const status = view.status === 'poisoned' || view.status === 'completed' ? view.status : null;
  const selectable = status !== null && (can('retry') || can('discard'));
  const page = items.data?.items ?? [];
  const pageSelected = page.length > 0 && page.every((it) => current.ids.has(it.id));
  const more = Boolean(items.data?.next_cursor) || Boolean(view.cursor);
  const count = useItemCount(pool, view, selectable && pageSelected && more);

  const go = (next: Partial<ItemView>) => {
    const v = { ...view, cursor: undefined, ...next };
    const qs = viewParams(v);
    if (v.cursor) qs.set('cursor', v.cursor);
    router.push(qs.size ? `${pathname}?${qs}` : pathname);
  };
  const setFilters = (f: FilterValues) => {
    setHistory([]);
    go(f);
  };
  const toggle = (id: string, checked: boolean) => {
    const ids = new Set(current.ids);
    if (checked) ids.add(id);
    else ids.delete(id);
    setSel({ key: viewKey, ids, allMatching: false });
  };
  const togglePage = (checked: boolean) => setSel({ key: viewKey, ids: checked ? new Set(page.map((it) => it.id)) : new Set(), allMatching: false });
  const clear = () => setSel({ key: viewKey, ids: new Set(), allMatching: false });

  const n = current.allMatching ? (count.data ?? 0) : current.ids.size;
  const act = (action: 'retry' | 'discard') => {
    if (!status) return;
    const filter: BulkFilter = current.allMatching ? bulkFilterOf(view) : { ids: [...current.ids] };
    const what = current.allMatching ? `all ${plural(n, `${status} item`)} matching the filters` : `the ${plural(n, 'selected item')}`;
    ask({
      title: action === 'retry' ? `Retry ${what}` : `Discard ${what}`,
      detail:
        action === 'retry'
          ? `They go back to pending with their attempts reset to 0. Items no longer ${status} are left alone.`
          : `They are deleted for good. Items no longer ${status} are left alone.`,
      expected: n,
      confirmLabel: `${action === 'retry' ? 'Retry' : 'Discard'} ${plural(n, 'item')}`,
      act: async () => {
        const changed = await bulk.mutateAsync({ action, status, filter });
        clear();
        return changed;
      },
    });
  };

  return (
    <Card
      title="Items"
      actions={
        <form
          role="search"
          className="flex gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setFilters({ q: draft.trim() || undefined });
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
            className="w-40 rounded border border-slate-300 px-2 py-1 text-sm sm:w-64"
          />
          <Button type="submit">Search</Button>
        </form>
      }
    >
      <ItemFilters view={view} groups={groups} onChange={setFilters} />
      {selectable && (current.ids.size > 0 || current.allMatching) && (
        <div role="region" aria-label="Selection" className="flex flex-wrap items-center gap-2 border-b border-slate-100 bg-sky-50 px-4 py-2 text-sm">
          <span data-testid="selection-count">
            {current.allMatching ? `All ${plural(n, 'item')} matching selected.` : `${plural(current.ids.size, 'item')} selected.`}
          </span>
          {pageSelected && more && !current.allMatching && count.data !== undefined && !view.q && (
            <Button kind="default" onClick={() => setSel({ key: viewKey, ids: current.ids, allMatching: true })}>
              Select all {count.data} matching
            </Button>
          )}
          {pageSelected && more && view.q && <span className="text-xs text-slate-500">(a data search cannot be acted on as a whole: select on each page)</span>}
          <span className="flex-1" />
          {can('retry') && (
            <Button kind="primary" onClick={() => act('retry')}>
              Retry selected
            </Button>
          )}
          {can('discard') && (
            <Button kind="danger" onClick={() => act('discard')}>
              Discard selected
            </Button>
          )}
          <Button onClick={clear}>Clear</Button>
        </div>
      )}
      {items.isPending ? (
        <Loading what="items" />
      ) : items.isError ? (
        <ErrorState error={items.error} onRetry={() => void items.refetch()} />
      ) : page.length === 0 ? (
        <Empty>{view.q ? `No ${view.status ?? ''} items whose data contains “${view.q}”.` : `No ${view.status ?? ''} items match.`}</Empty>
      ) : (
        <div className={items.isPlaceholderData ? 'opacity-60' : undefined}>
          <ItemsTable items={page} selection={selectable ? { selected: current.ids, onToggle: toggle, onTogglePage: togglePage } : undefined} />
        </div>
      )}
      <div className="flex items-center justify-between gap-2 border-t border-slate-100 px-4 py-2 text-sm">
        <Button
          disabled={!view.cursor}
          onClick={() => {
            const back = history[history.length - 1];
            setHistory(history.slice(0, -1));
            go({ cursor: back || undefined });
          }}
        >
          ← Previous
        </Button>
        <span className="text-xs text-slate-500">{ITEM_PAGE_SIZE} a page</span>
        <Button
          disabled={!items.data?.next_cursor}
          onClick={() => {
            setHistory([...history, view.cursor ?? '']);
            go({ cursor: items.data?.next_cursor ?? undefined });
          }}
        >
          Next →
        </Button>
      </div>
    </Card>
  );
}
