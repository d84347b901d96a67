import Link from 'next/link';
import type { PoolLatency, PoolSummary, PoolThroughput } from '@/lib/contracts';
import { bucketed, THROUGHPUT_WINDOWS, type PoolHealth, type ThroughputWindow } from '@/lib/query/rules';
import { formatAge, formatWait } from './format';
import { Sparkline } from './Sparkline';
import { Badge, cell, link, phoneOnly, Table, wideCell } from './ui';

export interface PoolRow {
  pool: PoolSummary;
  health: PoolHealth;
  throughput: PoolThroughput | undefined;
  /** Push-to-first-claim wait in the window; undefined: no first claim in it (or not loaded). */
  latency: PoolLatency | undefined;
}

const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
const num = 'text-right tabular-nums';

/**
 * The overview: one row per pool. On a phone the columns are the pool, pending and poisoned;
 * the rest is one line under the pool's name.
 */
export function PoolsTable({ rows, now, range }: { rows: PoolRow[]; now: number; range: ThroughputWindow }) {
  const w = THROUGHPUT_WINDOWS[range];
  const per = (xs: number[] | undefined) => bucketed(xs ?? [], w.bucket);
  return (
    <Table
      label="Pools"
      numeric={[1, 2, 3, 4, 5, 6, 8, 9]}
      wide={[1, 3, 4, 6, 7, 8, 9]}
      head={['Pool', 'Scheduled', 'Pending', 'Claimed', 'Completed', 'Poisoned', 'Oldest pending', `Last ${w.label}`, 'Wait p50 / p95', 'Live workers']}
    >
      {rows.map(({ pool: p, health, throughput: t, latency: l }) => (
        <tr key={p.name} data-testid={`pool-row-${p.name}`}>
          <td className={cell}>
            <div className="flex flex-col items-start gap-1">
              <Link className={`${link} font-medium wrap-anywhere`} href={`/pools/${encodeURIComponent(p.name)}`}>
                {p.name}
              </Link>
              {p.paused && (
                <Badge tone="amber" title="Claims of this pool get nothing until an operator resumes it">
                  ⏸ paused
                </Badge>
              )}
              {health.noLiveWorker && (
                <Badge tone="amber" title="Items are pending but no active worker with a fresh heartbeat is registered for this pool">
                  ⚠ no live worker
                </Badge>
              )}
              <span className={`${phoneOnly} text-xs text-slate-500 tabular-nums`} data-testid="pool-phone-summary">
                {p.scheduled > 0 && `${p.scheduled} scheduled · `}
                {p.claimed} claimed · {p.completed} completed
                {p.oldest_pending_at && ` · oldest ${formatAge(now - Date.parse(p.oldest_pending_at))}`} ·{' '}
                <span className="text-emerald-700">{sum(t?.completed)}</span>/<span className="text-red-700">{sum(t?.failed)}</span>
                {sum(t?.poisoned) > 0 && <span className="text-red-900">/{sum(t?.poisoned)} poisoned</span>} in the last {w.label}
                {l && ` · wait p50 ${formatWait(l.p50_seconds)}, p95 ${formatWait(l.p95_seconds)}`} · {health.liveWorkers} live
              </span>
            </div>
          </td>
          <td className={`${cell} ${num} ${wideCell}`}>{p.scheduled}</td>
          <td className={`${cell} ${num}`}>{p.pending}</td>
          <td className={`${cell} ${num} ${wideCell}`}>{p.claimed}</td>
          <td className={`${cell} ${num} ${wideCell}`}>{p.completed}</td>
          <td className={`${cell} ${num}`}>
            {p.poisoned > 0 ? (
              <Link className={`${link} font-semibold text-red-700`} href={`/pools/${encodeURIComponent(p.name)}?status=poisoned`}>
                {p.poisoned}
              </Link>
            ) : (
              0
            )}
          </td>
          <td className={`${cell} text-right whitespace-nowrap tabular-nums ${wideCell}`}>{p.oldest_pending_at ? formatAge(now - Date.parse(p.oldest_pending_at)) : '—'}</td>
          <td className={`${cell} ${wideCell}`}>
            <div className="flex items-center gap-2">
              <Sparkline completed={per(t?.completed)} failed={per(t?.failed)} poisoned={per(t?.poisoned)} unit={w.unit} />
              <span className="text-xs whitespace-nowrap text-slate-500 tabular-nums" title="completed / failed / poisoned">
                <span className="text-emerald-700">{sum(t?.completed)}</span> / <span className="text-red-700">{sum(t?.failed)}</span>
                {sum(t?.poisoned) > 0 && (
                  <>
                    {' '}/ <span className="font-semibold text-red-900">{sum(t?.poisoned)}</span>
                  </>
                )}
              </span>
            </div>
          </td>
          <td
            className={`${cell} text-right whitespace-nowrap tabular-nums ${wideCell}`}
            data-testid="pool-latency"
            title={l ? `${l.claims} first claims in the last ${w.label}` : `No first claim in the last ${w.label}`}
          >
            {l ? `${formatWait(l.p50_seconds)} / ${formatWait(l.p95_seconds)}` : '—'}
          </td>
          <td className={`${cell} text-right tabular-nums ${wideCell}`}>{health.liveWorkers}</td>
        </tr>
      ))}
    </Table>
  );
}
