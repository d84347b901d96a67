import Link from 'next/link';
import { WORKER_STATUSES, type WorkerStatus } from '@/lib/contracts';

const COLOR: Record<WorkerStatus, string> = {
  active: 'text-emerald-700',
  terminating: 'text-amber-700',
  terminated: 'text-slate-600',
  lost: 'text-red-700',
};

/** Worker counts by status, plus how many are stale (about to be reaped). */
export function WorkerTotals({ totals, stale }: { totals: Record<WorkerStatus, number>; stale: number }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
      {WORKER_STATUSES.map((s) => (
        <div key={s} className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
          <dt className="text-xs tracking-wide text-slate-500 uppercase">{s}</dt>
          <dd className={`text-2xl font-semibold tabular-nums ${COLOR[s]}`} data-testid={`workers-${s}`}>
            {totals[s]}
          </dd>
        </div>
      ))}
      <div className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm">
        <dt className="text-xs tracking-wide text-slate-500 uppercase">stale</dt>
        <dd className={`text-2xl font-semibold tabular-nums ${stale ? 'text-amber-700' : 'text-slate-400'}`}>{stale}</dd>
      </div>
      <p className="col-span-full text-sm">
        <Link href="/workers" className="text-sky-700 hover:underline">
          All workers →
        </Link>
      </p>
    </dl>
  );
}
