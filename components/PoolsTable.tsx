import Link from 'next/link';
import type { PoolSummary, PoolThroughput } from '@/lib/contracts';
import type { PoolHealth } from '@/lib/query/rules';
import { formatAge } from './format';
import { Sparkline } from './Sparkline';
import { Badge, cell, link, Table } from './ui';

export interface PoolRow {
  pool: PoolSummary;
  health: PoolHealth;
  throughput: PoolThroughput | undefined;
}

const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
const num = 'text-right tabular-nums';


/** The overview: one row per pool. */
export function PoolsTable({ rows, now, minutes }: { rows: PoolRow[]; now: number; minutes: number }) {
  return (
    <Table label="Pools" numeric={[1, 2, 3, 4, 5]} head={['Pool', 'Pending', 'Claimed', 'Completed', 'Poisoned', 'Oldest pending', `Last ${minutes} min`, 'Live workers']}>
      {rows.map(({ pool: p, health, throughput: t }) => (
        <tr key={p.name} data-testid={`pool-row-${p.name}`}>
          <td className={cell}>
            <div className="flex flex-col items-start gap-1">
              <Link className={`${link} font-medium whitespace-nowrap`} href={`/pools/${encodeURIComponent(p.name)}`}>
                {p.name}
              </Link>
              {/* Next to the name so it shows on a phone too, where the table scrolls. */}
              {health.noLiveWorker && (
                <Badge tone="amber" title="Items are pending but no active worker with a fresh heartbeat is registered for this pool">
                  ⚠ no live worker
                </Badge>
              )}
            </div>
          </td>
          <td className={`${cell} ${num}`}>{p.pending}</td>
          <td className={`${cell} ${num}`}>{p.claimed}</td>
          <td className={`${cell} ${num}`}>{p.completed}</td>
          <td className={`${cell} ${num}`}>
            {p.poisoned > 0 ? (
              <Link className={`${link} font-semibold text-red-700`} href={`/pools/${encodeURIComponent(p.name)}?status=poisoned`}>
                {p.poisoned}
              </Link>
            ) : (
              0
            )}
          </td>
          <td className={`${cell} text-right whitespace-nowrap tabular-nums`}>{p.oldest_pending_at ? formatAge(now - Date.parse(p.oldest_pending_at)) : '—'}</td>
          <td className={cell}>
            <div className="flex items-center gap-2">
              <Sparkline completed={t?.completed ?? []} failed={t?.failed ?? []} />
              <span className="text-xs whitespace-nowrap text-slate-500 tabular-nums">
                <span className="text-emerald-700">{sum(t?.completed)}</span> / <span className="text-red-700">{sum(t?.failed)}</span>
              </span>
            </div>
          </td>
          <td className={`${cell} text-right tabular-nums`}>{health.liveWorkers}</td>
        </tr>
      ))}
    </Table>
  );
}
