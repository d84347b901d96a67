import type { PoolHolder } from '@/lib/contracts';
import { formatAge } from './format';
import { Badge, Button, cell, Table } from './ui';

/**
 * Who holds the pool's claimed items; each worker's claims can be released here when
 * `onRelease` is given (the role may release).
 */
export function Holders({ holders, now, onRelease }: { holders: PoolHolder[]; now: number; onRelease?: ((h: PoolHolder) => void) | undefined }) {
  return (
    <Table label="Claimed by" numeric={[3]} head={['Worker', 'Worker status', 'Heartbeat', 'Holds', ...(onRelease ? ['Actions'] : [])]}>
      {holders.map((h) => (
        <tr key={h.worker_id} data-testid={`holder-${h.worker_id}`}>
          <td className={`${cell} font-mono text-xs`}>{h.worker_id}</td>
          <td className={cell}>
            <Badge tone={h.worker_status === 'active' ? 'green' : h.worker_status === null ? 'neutral' : 'amber'}>{h.worker_status ?? 'unregistered'}</Badge>
          </td>
          <td className={`${cell} whitespace-nowrap tabular-nums`}>{h.last_heartbeat ? `${formatAge(now - Date.parse(h.last_heartbeat))} ago` : '—'}</td>
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
