import Link from 'next/link';
import type { ErrorGroup } from '@/lib/contracts';
import { formatTime } from './format';
import { Button, cell, link, phoneOnly, Table, wideCell } from './ui';

export interface ErrorGroupsProps {
  groups: ErrorGroup[];
  /** Absent when the signed-in role may not retry: no button is shown. */
  onRetry?: ((g: ErrorGroup) => void) | undefined;
  onDiscard?: ((g: ErrorGroup) => void) | undefined;
}

/**
 * Poisoned items grouped by error fingerprint (ids, numbers, paths, times masked), each group
 * retried or discarded as one: the pattern, the error type, and up to three real texts. On a
 * phone: the pattern (with its example item under it), the count and the buttons, one above the other.
 */
export function ErrorGroups({ groups, onRetry, onDiscard }: ErrorGroupsProps) {
  const actions = Boolean(onRetry || onDiscard);
  return (
    <Table label="Poisoned items by error" numeric={[1]} wide={[2, 3, 4]} head={['Error', 'Items', 'First seen', 'Last seen', 'Example', ...(actions ? ['Actions'] : [])]}>
      {groups.map((g, i) => (
        <tr key={i} data-testid="error-group">
          <td className={`${cell} max-w-md`}>
            <code className="line-clamp-3 text-xs font-semibold wrap-anywhere whitespace-pre-wrap text-red-800" title={g.fingerprint ?? undefined} data-testid="group-pattern">
              {g.fingerprint ?? '(no error message)'}
            </code>
            {g.error_type && <span className="mt-1 block text-xs text-slate-500">type {g.error_type}</span>}
            {g.examples.length > 0 && (g.examples.length > 1 || g.examples[0] !== g.fingerprint) && (
              <details className="mt-1 text-xs">
                <summary className="cursor-pointer text-slate-500">{g.examples.length === 1 ? '1 example' : `${g.examples.length} examples`}</summary>
                <ul className="mt-1 space-y-1">
                  {g.examples.map((e, j) => (
                    <li key={j}>
                      <code className="line-clamp-4 wrap-anywhere whitespace-pre-wrap text-slate-700" data-testid="group-example">{e}</code>
                    </li>
                  ))}
                </ul>
              </details>
            )}
            <span className={`${phoneOnly} mt-1 block text-xs text-slate-500`}>
              last {formatTime(g.last_seen)} · e.g.{' '}
              <Link className={`${link} font-mono`} href={`/items/${encodeURIComponent(g.sample_item_id)}`}>
                #{g.sample_item_id}
              </Link>
            </span>
          </td>
          <td className={`${cell} text-right font-semibold tabular-nums`} data-testid="group-count">
            {g.count}
          </td>
          <td className={`${cell} whitespace-nowrap text-xs ${wideCell}`}>{formatTime(g.first_seen)}</td>
          <td className={`${cell} whitespace-nowrap text-xs ${wideCell}`}>{formatTime(g.last_seen)}</td>
          <td className={`${cell} ${wideCell}`}>
            <Link className={`${link} font-mono text-xs`} href={`/items/${encodeURIComponent(g.sample_item_id)}`}>
              #{g.sample_item_id}
            </Link>
          </td>
          {actions && (
            <td className={cell}>
              <div className="flex flex-col items-stretch gap-2 sm:flex-row">
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
