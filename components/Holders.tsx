import type { PoolHolder } from '@/lib/contracts';
import { formatAge } from './format';
import { Badge, Button, cell, phoneOnly, Table, wideCell } from './ui';

/**
 * Who holds the pool's claimed items; each worker's claims can be released here when
 * `onRelease` is given (the role may release). On a phone: worker, count and button.
 */
export function Holders({ holders, now, onRelease }: { holders: PoolHolder[]; now: number; onRelease?: ((h: PoolHolder) => void) | undefined }) {
  return (
    <Table label="Claimed by" numeric={[3]} wide={[1, 2]} head={['Worker', 'Worker status', 'Heartbeat', 'Holds', ...(onRelease ? ['Actions'] : [])]}>
      {holders.map((h) => (
        <tr key={h.worker_id} data-testid={`holder-${h.worker_id}`}>
          <td className={cell}>
            <span className="font-mono text-xs wrap-anywhere">{h.worker_id}</span>
            {/* On a phone, status and heartbeat under the id. */}
            <span className={`${phoneOnly} mt-1 flex flex-wrap items-center gap-1 text-xs text-slate-500`}>
              <Badge tone={h.worker_status === 'active' ? 'green' : h.worker_status === null ? 'neutral' : 'amber'}>{h.worker_status ?? 'unregistered'}</Badge>
              {h.last_heartbeat && `${formatAge(now - Date.parse(h.last_heartbeat))} ago`}
            </span>
          </td>
          <td className={`${cell} ${wideCell}`}>
            <Badge tone={h.worker_status === 'active' ? 'green' : h.worker_status === null ? 'neutral' : 'amber'}>{h.worker_status ?? 'unregistered'}</Badge>
          </td>
          <td className={`${cell} whitespace-nowrap tabular-nums ${wideCell}`}>{h.last_heartbeat ? `${formatAge(now - Date.parse(h.last_heartbeat))} ago` : '—'}</td>
          <td className={`${cell} text-right tabular-nums`}>{h.claimed}</td>
          {onRelease && (
            <td className={cell}>
              <Button kind="danger" onClick={() => onRelease(h)} aria-label={`Release items held by ${h.worker_id}`}>
                Release
              </Button>
            </td>
          )}
        </tr>
      ))}
    </Table>
  );
}
