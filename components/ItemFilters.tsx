'use client';

import { useState } from 'react';
import type { ErrorGroup } from '@/lib/contracts';
import type { ItemView } from '@/lib/query/keys';
import { Button } from './ui';

export type FilterValues = Partial<Pick<ItemView, 'q' | 'fingerprint' | 'worker_id' | 'older_than_seconds' | 'order'>>;

/** Age choices: "older than". */
export const AGES: { label: string; seconds: number | undefined }[] = [
  { label: 'any age', seconds: undefined },
  { label: 'older than 5 min', seconds: 300 },
  { label: 'older than 1 h', seconds: 3600 },
  { label: 'older than 1 d', seconds: 86_400 },
  { label: 'older than 7 d', seconds: 604_800 },
];

const control = 'rounded border border-slate-300 bg-white px-2 py-1 text-sm';
const short = (s: string) => (s.length > 60 ? `${s.slice(0, 59)}…` : s);

/** Filters of the item list: error group, worker, age, order. Each change is applied at once (the worker on Enter or Apply). */
export function ItemFilters({ view, groups, onChange }: { view: ItemView; groups: ErrorGroup[]; onChange: (f: FilterValues) => void }) {
  const [worker, setWorker] = useState(view.worker_id ?? '');
  const known = groups.filter((g): g is ErrorGroup & { fingerprint: string } => g.fingerprint !== null);
  // A fingerprint from the address that is not a current group stays choosable.
  const choices = view.fingerprint && !known.some((g) => g.fingerprint === view.fingerprint) ? [{ fingerprint: view.fingerprint, count: 0 }, ...known] : known;
  const filtered = Boolean(view.fingerprint || view.worker_id || view.older_than_seconds);
  return (
    <div role="group" aria-label="Item filters" className="flex flex-wrap items-end gap-2 border-b border-slate-100 px-4 py-2 text-sm">
      <label className="flex min-w-0 flex-col text-xs text-slate-600">
        Error group
        <select
          className={`${control} max-w-[16rem]`}
          value={view.fingerprint ?? ''}
          onChange={(e) => onChange({ fingerprint: e.target.value || undefined })}
        >
          <option value="">any error</option>
          {choices.map((g) => (
            <option key={g.fingerprint} value={g.fingerprint}>
              {short(g.fingerprint)}
              {g.count ? ` (${g.count})` : ''}
            </option>
          ))}
        </select>
      </label>
      <form
        className="flex items-end gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          onChange({ worker_id: worker.trim() || undefined });
        }}
      >
        <label className="flex flex-col text-xs text-slate-600">
          Worker
          <input className={`${control} w-36`} value={worker} onChange={(e) => setWorker(e.target.value)} placeholder="worker id" maxLength={128} />
        </label>
        <Button type="submit">Apply</Button>
      </form>
      <label className="flex flex-col text-xs text-slate-600">
        Age
        <select
          className={control}
          value={view.older_than_seconds ?? ''}
          onChange={(e) => onChange({ older_than_seconds: e.target.value ? Number(e.target.value) : undefined })}
        >
          {AGES.map((a) => (
            <option key={a.label} value={a.seconds ?? ''}>
              {a.label}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col text-xs text-slate-600">
        Order
        <select className={control} value={view.order ?? 'asc'} onChange={(e) => onChange({ order: e.target.value === 'desc' ? 'desc' : undefined })}>
          <option value="asc">oldest first</option>
          <option value="desc">newest first</option>
        </select>
      </label>
      {filtered && (
        <Button
          onClick={() => {
            setWorker('');
            onChange({ fingerprint: undefined, worker_id: undefined, older_than_seconds: undefined });
          }}
        >
          Clear filters
        </Button>
      )}
    </div>
  );
}
