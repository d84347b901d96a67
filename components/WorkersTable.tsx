import Link from 'next/link';
import type { WorkerRecord, WorkItem } from '@/lib/contracts';
import { formatAge } from './format';
import { StatusBadge } from './StatusBadge';
import { Badge, Button, cell, link, phoneOnly, Table, wideCell } from './ui';

export interface WorkerRow {
  worker: WorkerRecord;
  heartbeatAgeMs: number;
  /** Since it started (to its last heartbeat once ended); null when its start is not known. */
  uptimeMs: number | null;
  stale: boolean;
  /** The items it holds, as far as they were loaded (its `claimed_count` is the total). */
  held: Pick<WorkItem, 'id' | 'pool'>[];
  /** Items it completed and attempts it failed (of the items the hub keeps); undefined while loading. */
  stats: { completed: number; failed: number } | undefined;
}

/** "12 / 3": completed (green) / failed (red). */
function Counts({ stats }: { stats: WorkerRow['stats'] }) {
  if (!stats) return <span className="text-slate-400">—</span>;
  return (
    <span className="tabular-nums" title="completed / failed attempts" data-testid="worker-counts">
      <span className="text-emerald-700">{stats.completed}</span> / <span className="text-red-700">{stats.failed}</span>
    </span>
  );
}

export interface WorkersTableProps {
  rows: WorkerRow[];
  staleSeconds: number;
  /** Absent when the signed-in role may not release: no button is shown. */
  onRelease?: ((w: WorkerRecord) => void) | undefined;
  /** Absent when the signed-in role may not drain. */
  onDrain?: ((w: WorkerRecord) => void) | undefined;
}

const running = (w: WorkerRecord) => w.status === 'active' || w.status === 'terminating';

/** Held items shown in the row; more go behind "n more". */
const INLINE_ITEMS = 8;

function ItemLink({ id, current }: { id: string; current: boolean }) {
  return (
    <Link
      className={`${link} font-mono text-xs ${current ? 'font-semibold' : ''}`}
      href={`/items/${encodeURIComponent(id)}`}
      title={current ? 'Its current item' : undefined}
    >
      #{id}
    </Link>
  );
}

/** How many items a worker holds, and each of them (its current one in bold). */
function Holds({ worker: w, held }: Pick<WorkerRow, 'worker' | 'held'>) {
  const inline = held.slice(0, INLINE_ITEMS);
  const rest = held.slice(INLINE_ITEMS);
  const unlisted = w.claimed_count - held.length;
  // A current item the worker reported that it does not (or no longer) hold.
  const reported = w.current_task_id !== null && !held.some((it) => it.id === w.current_task_id) ? w.current_task_id : null;
  return (
    <div className="space-y-1">
      <span className="font-semibold tabular-nums" data-testid="claimed-count">
        {w.claimed_count}
      </span>
      {held.length > 0 && (
        <ul aria-label={`Items ${w.worker_id} holds`} className="flex flex-wrap gap-x-2 gap-y-0.5">
          {inline.map((it) => (
            <li key={it.id}>
              <ItemLink id={it.id} current={it.id === w.current_task_id} />
            </li>
          ))}
        </ul>
      )}
      {rest.length > 0 && (
        <details className="text-xs">
          <summary className="cursor-pointer text-slate-600">{rest.length} more</summary>
          <ul className="mt-1 flex flex-wrap gap-x-2 gap-y-0.5">
            {rest.map((it) => (
              <li key={it.id}>
                <ItemLink id={it.id} current={it.id === w.current_task_id} />
              </li>
            ))}
          </ul>
        </details>
      )}
      {unlisted > 0 && held.length > 0 && <p className="text-xs text-slate-500">and {unlisted} not listed</p>}
      {reported && (
        <p className="text-xs text-slate-500">
          reports <ItemLink id={reported} current />
        </p>
      )}
    </div>
  );
}

/**
 * Every worker with its liveness, uptime, every item it holds, and the operator actions the
 * role may use. On a phone: worker (heartbeat, uptime and pool under it), status, holds, actions.
 */
export function WorkersTable({ rows, staleSeconds, onRelease, onDrain }: WorkersTableProps) {
  const actions = Boolean(onRelease || onDrain);
  const head = ['Worker', 'Status', 'Heartbeat', 'Uptime', 'Done / failed', 'Pool', 'Capabilities', 'Holds', ...(actions ? ['Actions'] : [])];
  return (
    <Table label="Workers" wide={[2, 3, 4, 5, 6]} head={head}>
      {rows.map(({ worker: w, heartbeatAgeMs, uptimeMs, stale, held, stats }) => (
        <tr key={w.worker_id} data-testid={`worker-row-${w.worker_id}`} className={stale ? 'bg-amber-50/60' : undefined}>
          <td className={cell}>
            <span className="block font-mono text-xs wrap-anywhere">{w.worker_id}</span>
            {(w.host !== null || w.pid !== null) && (
              <span className="block text-xs text-slate-500 wrap-anywhere">
                {w.host ?? '—'}
                {w.pid !== null && ` / ${w.pid}`}
              </span>
            )}
            <span className={`${phoneOnly} block text-xs text-slate-500`}>
              beat {formatAge(heartbeatAgeMs)} ago
              {uptimeMs !== null && ` · ${running(w) ? 'up' : 'ran'} ${formatAge(uptimeMs)}`}
              {w.pool_id && ` · ${w.pool_id}`}
              {stats && ` · ${stats.completed} done / ${stats.failed} failed`}
            </span>
          </td>
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
          <td className={`${cell} whitespace-nowrap tabular-nums ${wideCell}`} data-testid="heartbeat-age">
            {formatAge(heartbeatAgeMs)} ago
          </td>
          <td className={`${cell} whitespace-nowrap tabular-nums ${wideCell}`} data-testid="uptime">
            {uptimeMs === null ? <span className="text-slate-400">—</span> : running(w) ? formatAge(uptimeMs) : `ran ${formatAge(uptimeMs)}`}
          </td>
          <td className={`${cell} whitespace-nowrap ${wideCell}`}>
            <Counts stats={stats} />
          </td>
          <td className={`${cell} ${wideCell}`}>
            {w.pool_id ? (
              <Link className={`${link} wrap-anywhere`} href={`/pools/${encodeURIComponent(w.pool_id)}`}>
                {w.pool_id}
              </Link>
            ) : (
              <span className="text-slate-400">any</span>
            )}
          </td>
          <td className={`${cell} ${wideCell}`}>
            <div className="flex flex-wrap gap-1">
              {(w.capabilities ?? []).map((c) => (
                <Badge key={c}>{c}</Badge>
              ))}
              {!w.capabilities?.length && <span className="text-slate-400">—</span>}
            </div>
          </td>
          <td className={`${cell} max-w-xs`}>
            <Holds worker={w} held={held} />
          </td>
          {actions && (
            <td className={cell}>
              <div className="flex flex-col items-stretch gap-2 sm:flex-row">
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
