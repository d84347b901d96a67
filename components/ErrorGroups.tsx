import Link from 'next/link';
import type { ErrorGroup } from '@/lib/contracts';
import { formatTime } from './format';
import { Button, cell, link, Table } from './ui';

export interface ErrorGroupsProps {
  groups: ErrorGroup[];
  /** Absent when the signed-in role may not retry: no button is shown. */
  onRetry?: ((g: ErrorGroup) => void) | undefined;
  onDiscard?: ((g: ErrorGroup) => void) | undefined;
}

/** Poisoned items grouped by identical error, each group retried or discarded as one. */
export function ErrorGroups({ groups, onRetry, onDiscard }: ErrorGroupsProps) {
  const actions = Boolean(onRetry || onDiscard);
  return (
    <Table label="Poisoned items by error" numeric={[1]} head={['Error', 'Items', 'First seen', 'Last seen', 'Example', ...(actions ? ['Actions'] : [])]}>
      {groups.map((g, i) => (
        <tr key={i} data-testid="error-group">
          <td className={`${cell} max-w-md`}>
            <code className="line-clamp-3 text-xs break-words whitespace-pre-wrap text-red-800" title={g.error ?? undefined}>
              {g.error ?? '(no error message)'}
            </code>
          </td>
          <td className={`${cell} text-right font-semibold tabular-nums`} data-testid="group-count">
            {g.count}
          </td>
          <td className={`${cell} whitespace-nowrap text-xs`}>{formatTime(g.first_seen)}</td>
          <td className={`${cell} whitespace-nowrap text-xs`}>{formatTime(g.last_seen)}</td>
          <td className={cell}>
            <Link className={`${link} font-mono text-xs`} href={`/items/${encodeURIComponent(g.sample_item_id)}`}>
              #{g.sample_item_id}
            </Link>
          </td>
          {actions && (
            <td className={cell}>
              <div className="flex gap-2">
                {onRetry && <Button onClick={() => onRetry(g)}>Retry group</Button>}
                {onDiscard && (
                  <Button kind="danger" onClick={() => onDiscard(g)}>
                    Discard group
                  </Button>
                )}
              </div>
            </td>
          )}
        </tr>
      ))}
    </Table>
  );
}
