import Link from 'next/link';
import type { WorkItem } from '@/lib/contracts';
import { formatTime, preview } from './format';
import { StatusBadge } from './StatusBadge';
import { cell, link, phoneOnly, Table, wideCell } from './ui';

/**
 * A page of items; each links to its detail. On a phone: item, status and data, with the
 * attempts and the last error under the data.
 */
export function ItemsTable({ items }: { items: WorkItem[] }) {
  return (
    <Table label="Items" wide={[2, 4, 5, 6]} head={['Item', 'Status', 'Attempts', 'Data', 'Last error', 'Created', 'Claimed by']}>
      {items.map((it) => (
        <tr key={it.id} data-testid={`item-row-${it.id}`}>
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
