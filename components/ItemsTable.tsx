import Link from 'next/link';
import type { WorkItem } from '@/lib/contracts';
import { formatTime, preview } from './format';
import { StatusBadge } from './StatusBadge';
import { cell, link, Table } from './ui';

/** A page of items; each links to its detail. */
export function ItemsTable({ items }: { items: WorkItem[] }) {
  return (
    <Table label="Items" head={['Item', 'Status', 'Attempts', 'Data', 'Last error', 'Created', 'Claimed by']}>
      {items.map((it) => (
        <tr key={it.id} data-testid={`item-row-${it.id}`}>
          <td className={cell}>
            <Link className={`${link} font-mono text-xs`} href={`/items/${encodeURIComponent(it.id)}`}>
              #{it.id}
            </Link>
          </td>
          <td className={cell}>
            <StatusBadge status={it.status} />
          </td>
          <td className={`${cell} tabular-nums`}>
            {it.attempts}/{it.max_retries}
          </td>
          <td className={`${cell} max-w-xs truncate font-mono text-xs`} title={preview(it.data, 2000)}>
            {preview(it.data)}
          </td>
          <td className={`${cell} max-w-xs truncate text-xs text-red-800`} title={it.last_error ?? undefined}>
            {it.last_error ?? ''}
          </td>
          <td className={`${cell} whitespace-nowrap text-xs`}>{formatTime(it.created_at)}</td>
          <td className={`${cell} font-mono text-xs`}>{it.claimed_by ?? '—'}</td>
        </tr>
      ))}
    </Table>
  );
}
