import Link from 'next/link';
import { WORKER_STATUSES, type WorkerStatus } from '@/lib/contracts';

const COLOR: Record<WorkerStatus, string> = {
  active: 'text-emerald-700',
  terminating: 'text-amber-700',
  terminated: 'text-slate-600',
  lost: 'text-red-700',
};

const box =
  'block rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm hover:border-slate-400 focus-visible:outline-2 focus-visible:outline-sky-600';

function Total({ href, label, value, color, title }: { href: string; label: string; value: number; color: string; title?: string }) {
  return (
    <li>
      <Link href={href} className={box} title={title}>
        <span className="block text-xs tracking-wide text-slate-500 uppercase">{label}</span>
        <span className={`block text-2xl font-semibold tabular-nums ${color}`} data-testid={`workers-${label}`}>
          {value}
        </span>
      </Link>
    </li>
  );
}

/** Worker counts by status, plus how many are stale (about to be reaped); each opens the list. */
export function WorkerTotals({ totals, stale }: { totals: Record<WorkerStatus, number>; stale: number }) {
  return (
    <div>
      <ul aria-label="Workers by status" className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        {WORKER_STATUSES.map((s) => (
          <Total key={s} href={`/workers?show=${s}`} label={s} value={totals[s]} color={COLOR[s]} />
        ))}
        <Total
          href="/workers?show=stale"
          label="stale"
          value={stale}
          color={stale ? 'text-amber-700' : 'text-slate-400'}
          title="Active or terminating, heartbeat older than the stale threshold: the reaper will mark them lost"
        />
      </ul>
      <p className="mt-3 text-sm">
        <Link href="/workers" className="text-sky-700 hover:underline">
          All workers →
        </Link>
      </p>
    </div>
  );
}
