import Link from 'next/link';
import type { AuditEntry } from '@/lib/contracts';
import { formatTime } from './format';
import { Badge, cell, link, phoneOnly, Table, wideCell } from './ui';

export interface AuditRow {
  entry: AuditEntry;
  /** The dashboard page of its target, if it has one. */
  targetHref: string | null;
}

/**
 * Operator actions, newest first: who, what, on what, with which filter, how many changed. On a
 * phone: the action (when and who under it), the target and the count.
 */
export function AuditTable({ rows }: { rows: AuditRow[] }) {
  return (
    <Table label="Audit trail" numeric={[6]} wide={[0, 1, 2, 5]} head={['When', 'Actor', 'Role', 'Action', 'Target', 'Detail', 'Changed']}>
      {rows.map(({ entry: e, targetHref }) => (
        <tr key={e.id} data-testid="audit-row">
          <td className={`${cell} text-xs whitespace-nowrap ${wideCell}`}>
            <time dateTime={e.at}>{formatTime(e.at)}</time>
          </td>
          <td className={`${cell} font-medium wrap-anywhere ${wideCell}`}>{e.actor}</td>
          <td className={`${cell} ${wideCell}`}>
            <Badge tone={e.role === 'operator' ? 'blue' : 'neutral'}>{e.role}</Badge>
          </td>
          <td className={cell}>
            <span className="font-mono text-xs whitespace-nowrap">{e.action}</span>
            <span className={`${phoneOnly} block text-xs text-slate-500`}>
              {formatTime(e.at)} · {e.actor} ({e.role})
            </span>
          </td>
          <td className={`${cell} font-mono text-xs wrap-anywhere`}>
            {e.target === null ? (
              <span className="text-slate-400">—</span>
            ) : targetHref ? (
              <Link className={link} href={targetHref}>
                {e.target}
              </Link>
            ) : (
              e.target
            )}
          </td>
          <td className={`${cell} max-w-sm ${wideCell}`}>
            {e.detail === null ? (
              <span className="text-slate-400">—</span>
            ) : (
              <code className="line-clamp-2 font-mono text-xs wrap-anywhere text-slate-700" title={JSON.stringify(e.detail)}>
                {JSON.stringify(e.detail)}
              </code>
            )}
          </td>
          <td className={`${cell} text-right tabular-nums`} data-testid="audit-changed">
            {e.changed}
          </td>
        </tr>
      ))}
    </Table>
  );
}
