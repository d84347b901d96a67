import Link from 'next/link';
import type { WorkerRecord } from '@/lib/contracts';
import { formatAge } from './format';
import { StatusBadge } from './StatusBadge';
import { Badge, Button, cell, link, Table } from './ui';

export interface WorkerRow {
  worker: WorkerRecord;
  heartbeatAgeMs: number;
  stale: boolean;
}

export interface WorkersTableProps {
  rows: WorkerRow[];
  staleSeconds: number;
  /** Absent when the signed-in role may not release: no button is shown. */
  onRelease?: ((w: WorkerRecord) => void) | undefined;
  /** Absent when the signed-in role may not drain. */
  onDrain?: ((w: WorkerRecord) => void) | undefined;
}

/** Every worker with its liveness, what it holds, and the operator actions the role may use. */
export function WorkersTable({ rows, staleSeconds, onRelease, onDrain }: WorkersTableProps) {
  const actions = Boolean(onRelease || onDrain);
  const head = ['Worker', 'Status', 'Heartbeat', 'Host / pid', 'Capabilities', 'Pool', 'Current item', 'Holds', ...(actions ? ['Actions'] : [])];
  return (
    <Table label="Workers" numeric={[7]} head={head}>
      {rows.map(({ worker: w, heartbeatAgeMs, stale }) => (
        <tr key={w.worker_id} data-testid={`worker-row-${w.worker_id}`} className={stale ? 'bg-amber-50/60' : undefined}>
          <td className={`${cell} font-mono text-xs break-all`}>{w.worker_id}</td>
          <td className={cell}>
            <div className="flex flex-wrap gap-1">
              <StatusBadge status={w.status} />
              {stale && (
                <Badge tone="amber" title={`No heartbeat for more than ${staleSeconds} s: the reaper will mark it lost and release its items`}>
                  stale
                </Badge>
              )}
            </div>
          </td>
          <td className={`${cell} whitespace-nowrap tabular-nums`} data-testid="heartbeat-age">
            {formatAge(heartbeatAgeMs)} ago
          </td>
          <td className={`${cell} whitespace-nowrap`}>
            {w.host ?? '—'}
            {w.pid !== null && <span className="text-slate-500"> / {w.pid}</span>}
          </td>
          <td className={cell}>
            <div className="flex flex-wrap gap-1">
              {(w.capabilities ?? []).map((c) => (
                <Badge key={c}>{c}</Badge>
              ))}
              {!w.capabilities?.length && <span className="text-slate-400">—</span>}
            </div>
          </td>
          <td className={cell}>
            {w.pool_id ? (
              <Link className={link} href={`/pools/${encodeURIComponent(w.pool_id)}`}>
                {w.pool_id}
              </Link>
            ) : (
              <span className="text-slate-400">any</span>
            )}
          </td>
          <td className={cell}>
            {w.current_task_id ? (
              <Link className={`${link} font-mono text-xs`} href={`/items/${encodeURIComponent(w.current_task_id)}`}>
                #{w.current_task_id}
              </Link>
            ) : (
              <span className="text-slate-400">—</span>
            )}
          </td>
          <td className={`${cell} text-right tabular-nums`} data-testid="claimed-count">
            {w.claimed_count}
          </td>
          {actions && (
            <td className={cell}>
              <div className="flex gap-2">
                {onRelease && (
                  <Button kind="danger" disabled={w.claimed_count === 0} onClick={() => onRelease(w)} aria-label={`Release items of ${w.worker_id}`}>
                    Release
                  </Button>
                )}
                {onDrain && (
                  <Button disabled={w.status !== 'active'} onClick={() => onDrain(w)} aria-label={`Drain ${w.worker_id}`}>
                    Drain
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
