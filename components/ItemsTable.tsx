import Link from 'next/link';
import type { WorkItem } from '@/lib/contracts';
import { formatTime, preview } from './format';
import { StatusBadge } from './StatusBadge';
import { cell, link, phoneOnly, Table, wideCell } from './ui';

/** Rows that can be selected: which are, and what a click on a box or the header's box asks. */
export interface ItemSelection {
  selected: ReadonlySet<string>;
  onToggle: (id: string, checked: boolean) => void;
  onTogglePage: (checked: boolean) => void;
}

/**
 * A page of items; each links to its detail. On a phone: item, status and data, with the
 * attempts and the last error under the data. With `selection`, a checkbox starts each row and
 * the header's selects the page.
 */
export function ItemsTable({ items, selection }: { items: WorkItem[]; selection?: ItemSelection | undefined }) {
  const all = items.length > 0 && items.every((it) => selection?.selected.has(it.id));
  const box = 'size-4 align-middle';
  const head = ['Item', 'Status', 'Attempts', 'Data', 'Last error', 'Created', 'Claimed by'];
  return (
    <Table
      label="Items"
      wide={selection ? [3, 5, 6, 7] : [2, 4, 5, 6]}
      head={
        selection
          ? [<input key="all" type="checkbox" className={box} aria-label="Select all on this page" checked={all} onChange={(e) => selection.onTogglePage(e.target.checked)} />, ...head]
          : head
      }
    >
      {items.map((it) => (
        <tr key={it.id} data-testid={`item-row-${it.id}`} className={selection?.selected.has(it.id) ? 'bg-sky-50' : undefined}>
          {selection && (
            <td className={`${cell} w-8`}>
              <input
                type="checkbox"
                className={box}
                aria-label={`Select item ${it.id}`}
                checked={selection.selected.has(it.id)}
                onChange={(e) => selection.onToggle(it.id, e.target.checked)}
              />
            </td>
          )}
          <td className={cell}>
            <Link className={`${link} font-mono text-xs`} href={`/items/${encodeURIComponent(it.id)}`}>
              #{it.id}
            </Link>
          </td>
          <td className={cell}>
            <StatusBadge status={it.status} />
            {it.status === 'scheduled' && it.run_at && (
              <span className="mt-0.5 block text-xs whitespace-nowrap text-slate-500" data-testid="runs-at">
                runs {formatTime(it.run_at)}
              </span>
            )}
            {it.priority !== 0 && <span className="mt-0.5 block text-xs text-slate-500">priority {it.priority}</span>}
          </td>
          <td className={`${cell} tabular-nums ${wideCell}`}>
            {it.attempts}/{it.max_retries}
          </td>
          <td className={`${cell} max-w-[11rem] font-mono text-xs sm:max-w-xs`}>
            <span className="block truncate" title={preview(it.data, 2000)}>
              {preview(it.data)}
            </span>
            <span className={`${phoneOnly} block truncate font-sans text-slate-500`}>
              {it.attempts}/{it.max_retries} attempts{it.last_error && <span className="text-red-800"> · {it.last_error}</span>}
            </span>
          </td>
          <td className={`${cell} max-w-xs truncate text-xs text-red-800 ${wideCell}`} title={it.last_error ?? undefined}>
            {it.last_error ?? ''}
          </td>
          <td className={`${cell} whitespace-nowrap text-xs ${wideCell}`}>{formatTime(it.created_at)}</td>
          <td className={`${cell} font-mono text-xs wrap-anywhere ${wideCell}`}>{it.claimed_by ?? '—'}</td>
        </tr>
      ))}
    </Table>
  );
}
